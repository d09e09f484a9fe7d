// The browser side of one app session: the protocol state machine over a `Connection`, the page
// tree, and the outbound widget values (forms batch theirs until submitted). React reads it
// through `subscribe`/`snapshot` (useSyncExternalStore); it has no React code of its own.

import { Connection, type ConnectionState, streamUrl } from "./connection";
import {
  PROTOCOL_VERSION,
  type ClientMsg,
  type PageConfig,
  type Rerun,
  type ServerMsg,
  type Theme,
} from "./generated/protocol";
import { applyEvents, emptyTree, type PageTree } from "./tree";

export type WidgetValue = boolean | number | string | number[] | string[] | null;

export interface SessionSnapshot {
  readonly tree: PageTree;
  readonly connection: ConnectionState;
  readonly error: string | null;
  readonly pageConfig: Omit<PageConfig, "type">;
  readonly theme: Theme;
  /** Bumped when a form is submitted with clear_on_submit, so its widgets drop local edits. */
  readonly formEpoch: Readonly<Record<string, number>>;
}

export class Session {
  private connection: Connection;
  private resumeToken: string | null = null;
  private welcomed = false;
  private readonly listeners = new Set<() => void>();
  private readonly formValues = new Map<string, Map<string, WidgetValue>>();
  private pending: Record<string, WidgetValue> = {};
  private queuedSubmits: ClientMsg[] = [];
  private state: SessionSnapshot = {
    tree: emptyTree(),
    connection: "connecting",
    error: null,
    pageConfig: {},
    theme: {},
    formEpoch: {},
  };

  constructor(url: string) {
    this.connection = new Connection(url, {
      onOpen: (send) => {
        this.welcomed = false;
        const hello: ClientMsg = {
          type: "hello",
          protocol: PROTOCOL_VERSION,
          resume_token: this.resumeToken,
          query_string: location.search.replace(/^\?/, ""),
          client: clientInfo() ?? undefined,
        };
        send(JSON.stringify(hello));
      },
      onFrame: (data) => this.onFrame(data),
      onState: (connection, detail) => {
        // A Refused message says more than the close code that follows it: keep the first reason.
        const error = connection === "closed" ? (this.state.error ?? detail ?? null) : this.state.error;
        this.update({ connection, error });
      },
    });
  }

  static forPage(): Session {
    const meta = document.querySelector('meta[name="bastion-base"]');
    const base = meta?.getAttribute("content") ?? "/";
    return new Session(streamUrl(location, `${base.replace(/\/?$/, "/")}_bastion/stream`));
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  /** Drop the socket as a network failure would (used by tests and the "reconnect" action). */
  dropConnection(): void {
    this.connection.drop();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): SessionSnapshot => this.state;

  /** A widget's value changed. Inside a form it waits for the submit; otherwise it reruns. */
  setWidget(id: string, value: WidgetValue, formId: string | null | undefined): void {
    if (formId) {
      let values = this.formValues.get(formId);
      if (!values) this.formValues.set(formId, (values = new Map()));
      values.set(id, value);
      return;
    }
    this.pending[id] = value;
    this.flushRerun();
  }

  submitForm(formId: string, buttonId: string, clearOnSubmit: boolean): void {
    const values = this.formValues.get(formId) ?? new Map<string, WidgetValue>();
    this.formValues.delete(formId);
    const submit: ClientMsg = { type: "submit", form: formId, button: buttonId, widgets: Object.fromEntries(values) };
    // Not lost while the socket is down: sent after the next Welcome.
    if (!this.send(submit)) this.queuedSubmits.push(submit);
    if (clearOnSubmit) {
      this.update({ formEpoch: { ...this.state.formEpoch, [formId]: (this.state.formEpoch[formId] ?? 0) + 1 } });
    }
  }

  stopScript(): void {
    this.send({ type: "stop" });
  }

  rerun(): void {
    this.flushRerun(true);
  }

  private flushRerun(force = false): void {
    if (!this.welcomed) return; // sent after the Welcome
    if (!force && Object.keys(this.pending).length === 0) return;
    const rerun: Rerun = { type: "rerun", widgets: this.pending };
    if (this.send(rerun)) this.pending = {};
  }

  private send(msg: ClientMsg): boolean {
    if (!this.welcomed) return false;
    return this.connection.send(JSON.stringify(msg));
  }

  private onFrame(data: string): void {
    let msg: ServerMsg;
    try {
      msg = JSON.parse(data) as ServerMsg;
    } catch {
      return;
    }
    switch (msg.type) {
      case "welcome":
        this.resumeToken = msg.resume_token;
        this.welcomed = true;
        this.update({ theme: msg.theme ?? {}, error: null });
        // A fresh session renders from scratch; a resumed one reruns so that output produced while
        // the socket was down reaches the page. Either way, values changed offline go with it.
        this.send({ type: "rerun", widgets: this.pending });
        this.pending = {};
        for (const submit of this.queuedSubmits.splice(0)) this.send(submit);
        break;
      case "refused":
        this.resumeToken = null;
        this.update({ error: msg.message });
        break;
      case "batch": {
        const tree = applyEvents(this.state.tree, msg.events);
        let { pageConfig } = this.state;
        for (const event of msg.events) {
          if (event.type === "page_config") {
            const { type: _type, ...config } = event;
            pageConfig = { ...pageConfig, ...dropNulls(config) };
            applyPageConfig(pageConfig);
          } else if (event.type === "query") {
            const query = event.query_string ? `?${event.query_string}` : "";
            history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`);
          }
        }
        this.update({ tree, pageConfig });
        break;
      }
      default:
        break;
    }
  }

  private update(patch: Partial<SessionSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

function dropNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

function applyPageConfig(config: Omit<PageConfig, "type">): void {
  if (config.title) document.title = config.title;
  if (config.icon) {
    let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) {
      link = document.createElement("link");
      link.rel = "icon";
      document.head.appendChild(link);
    }
    // An emoji favicon drawn as SVG text; `data:` images are allowed by the CSP (img-src).
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text y=".9em" font-size="90">${escapeXml(config.icon)}</text></svg>`;
    link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`;
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// What st.context shows of this browser (the server bounds and checks every field).
function clientInfo(): Extract<ClientMsg, { type: "hello" }>["client"] | null {
  if (typeof document === "undefined" || typeof navigator === "undefined") return null;
  const theme = document.documentElement.dataset.theme;
  const dark = theme ? theme === "dark" : (globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false);
  let timezone: string | null = null;
  try {
    timezone = Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 128) || null;
  } catch {
    timezone = null;
  }
  return {
    locale: navigator.language ? navigator.language.slice(0, 128) : null,
    timezone,
    timezone_offset: new Date().getTimezoneOffset(),
    url: location.href.length <= 4096 ? location.href : null,
    theme: dark ? "dark" : "light",
  };
}
