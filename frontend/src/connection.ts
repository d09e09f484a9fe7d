// One WebSocket to the app server, reopened with backoff when it drops. The owner decides what to
// send on (re)open (a hello with the resume token) and handles every decoded frame.

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnectionHandlers {
  onOpen(send: (data: string) => void): void;
  onFrame(data: string): void;
  onState(state: ConnectionState, detail?: string): void;
}

// Close codes the server uses to say "do not come back with the same request".
const FATAL_CLOSE_CODES = new Set([1002, 1003, 1008, 1009, 4000, 4001, 4003]);

/** The WebSocket URL for an absolute `path` on the page's own host. */
export function streamUrl(location: Pick<Location, "protocol" | "host">, path: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path.startsWith("/") ? path : `/${path}`}`;
}

export function backoffMs(attempt: number): number {
  // 100 ms, 200, 400 ... capped at 5 s: a restarted local server is back within the first tries.
  return Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
}

export class Connection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
    this.handlers.onState("closed");
  }

  send(data: string): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data);
    return true;
  }

  /** Test hook and "reconnect now" button: drop the socket as a network failure would. */
  drop(): void {
    this.socket?.close(4999, "client dropped");
  }

  private open(): void {
    this.handlers.onState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.handlers.onState("open");
      this.handlers.onOpen((data) => socket.send(data));
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === "string") this.handlers.onFrame(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (FATAL_CLOSE_CODES.has(event.code)) {
        this.handlers.onState("closed", event.reason || `closed with code ${event.code}`);
        return;
      }
      this.attempt += 1;
      this.handlers.onState("reconnecting", event.reason);
      this.timer = setTimeout(() => this.open(), backoffMs(this.attempt));
    };
  }
}
