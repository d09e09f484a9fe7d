// The browser side of one app session: the protocol state machine over a `Connection`, the page
// tree, and the outbound widget values (forms batch theirs until submitted). React reads it
// through `subscribe`/`snapshot` (useSyncExternalStore); it has no React code of its own.

import { Connection, type ConnectionState, streamUrl } from "./connection";
import { pageFromPath, pageHref, safeRedirectPath } from "./pages";
import {
  PROTOCOL_VERSION,
  type ClientMsg,
  type Navigation,
  type PageConfig,
  type FetchRows,
  type Rerun,
  type Rows,
  type ServerMsg,
  type Theme,
  type Toast,
} from "./generated/protocol";
import { applyEvents, emptyTree, type PageTree } from "./tree";

/** JSON of bounded depth (the schema's): scalars and lists for the core widgets, objects for
 *  data_editor edits and dataframe selections. */
export type WidgetValue = NonNullable<Rerun["widgets"]>[string] | null;

export interface SessionSnapshot {
  readonly tree: PageTree;
  readonly connection: ConnectionState;
  readonly error: string | null;
  /** Something the user should know that is not fatal (a session that expired while offline). */
  readonly notice: string | null;
  readonly pageConfig: Omit<PageConfig, "type">;
  readonly theme: Theme;
  /** Bumped when a form is submitted with clear_on_submit, so its widgets drop local edits. */
  readonly formEpoch: Readonly<Record<string, number>>;
  /** Multipage: the app's pages and the current one (null in a single-page app). */
  readonly navigation: Navigation | null;
  /** The page the URL asked for that the app does not have (shown until the next navigation). */
  readonly pageNotFound: string | null;
  /** Toasts on screen, oldest first: they outlive runs until their duration is over. */
  readonly toasts: ReadonlyArray<Toast>;
}

/** The double-submit CSRF token: the server sets it as a cookie on every page load. */
export function csrfToken(cookies: string): string | null {
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "_bastion_csrf") return rest.join("=") || null;
  }
  return null;
}

export class Session {
  private connection: Connection;
  private refreshedCsrf = false;
  private resumeToken: string | null = null;
  private welcomed = false;
  private readonly listeners = new Set<() => void>();
  private readonly formValues = new Map<string, Map<string, WidgetValue>>();
  private pending: Record<string, WidgetValue> = {};
  // The fragment all pending values come from (rerun only it); null: some are outside any.
  private pendingFragment: string | null | undefined = undefined;
  private readonly toastTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private queuedSubmits: ClientMsg[] = [];
  private nextRequest = 1;
  private readonly rowRequests = new Map<number, (rows: Rows) => void>();
  private state: SessionSnapshot = {
    tree: emptyTree(),
    connection: "connecting",
    error: null,
    notice: null,
    pageConfig: {},
    theme: {},
    formEpoch: {},
    toasts: [],
    navigation: null,
    pageNotFound: null,
  };
  /** The title `st.set_page_config` gave in the current run (it wins over the page's title). */
  private runTitle: string | null = null;
  private readonly base: string;

  constructor(
    url: string,
    base = "/",
    private readonly healthUrl: string | null = null,
  ) {
    this.base = base.replace(/\/?$/, "/");
    this.connection = new Connection(url, {
      onOpen: (send) => {
        this.welcomed = false;
        const hello: ClientMsg = {
          type: "hello",
          protocol: PROTOCOL_VERSION,
          resume_token: this.resumeToken,
          csrf_token: csrfToken(document.cookie),
          query_string: location.search.replace(/^\?/, ""),
          page: this.currentPage(),
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
    const root = base.replace(/\/?$/, "/");
    return new Session(streamUrl(location, `${root}_bastion/stream`), root, `${root}_bastion/health`);
  }

  start(): void {
    if (typeof window !== "undefined") window.addEventListener("popstate", this.onPopState);
    this.connection.start();
  }

  stop(): void {
    if (typeof window !== "undefined") window.removeEventListener("popstate", this.onPopState);
    this.connection.stop();
  }

  /** The page the address bar names ("" is the default page). */
  currentPage(): string {
    return pageFromPath(location.pathname, this.base);
  }

  pageHref(urlPath: string): string {
    return pageHref(this.base, urlPath);
  }

  /** Go to one of the app's pages: a new history entry, and a run of that page. */
  navigate(urlPath: string): void {
    if (urlPath !== this.currentPage() || location.search) history.pushState(null, "", this.pageHref(urlPath));
    this.update({ pageNotFound: null });
    this.send({ type: "rerun", widgets: {}, page: urlPath, query_string: "" });
  }

  private onPopState = (): void => {
    // Back/forward: show the page (and query) the restored URL names.
    this.update({ pageNotFound: null });
    this.send({ type: "rerun", widgets: {}, page: this.currentPage(), query_string: location.search.replace(/^\?/, "") });
  };

  /** Drop the socket as a network failure would (used by tests and the "reconnect" action). */
  dropConnection(): void {
    this.connection.drop();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): SessionSnapshot => this.state;

  /** A widget's value changed. Inside a form it waits for the submit; otherwise it reruns (only
   *  `fragmentId`'s fragment when the widget is inside one). */
  setWidget(id: string, value: WidgetValue, formId: string | null | undefined, fragmentId: string | null = null): void {
    if (formId) {
      let values = this.formValues.get(formId);
      if (!values) this.formValues.set(formId, (values = new Map()));
      values.set(id, value);
      return;
    }
    this.pending[id] = value;
    this.pendingFragment = this.pendingFragment === undefined || this.pendingFragment === fragmentId ? fragmentId : null;
    this.flushRerun();
  }

  submitForm(formId: string, buttonId: string, clearOnSubmit: boolean, fragmentId: string | null = null): void {
    const values = this.formValues.get(formId) ?? new Map<string, WidgetValue>();
    this.formValues.delete(formId);
    const submit: ClientMsg = {
      type: "submit",
      form: formId,
      button: buttonId,
      widgets: Object.fromEntries(values),
      ...(fragmentId ? { fragment_id: fragmentId } : {}),
    };
    // Not lost while the socket is down: sent after the next Welcome.
    if (!this.send(submit)) this.queuedSubmits.push(submit);
    if (clearOnSubmit) {
      this.update({ formEpoch: { ...this.state.formEpoch, [formId]: (this.state.formEpoch[formId] ?? 0) + 1 } });
    }
  }

  /** Ask the server for rows of a dataframe this page shows; resolves with its `rows` reply
   *  (with `error` set when refused, or when the socket is down). */
  fetchRows(req: Omit<FetchRows, "type" | "request">): Promise<Rows> {
    const request = this.nextRequest++;
    return new Promise((resolve) => {
      const msg: FetchRows = { type: "fetch_rows", request, ...req };
      if (!this.send(msg)) {
        resolve({ type: "rows", request, data_id: req.data_id, start: req.start, stop: req.start, num_rows: 0, error: "offline" });
        return;
      }
      this.rowRequests.set(request, resolve);
    });
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
    const fragment = force ? null : this.pendingFragment;
    const rerun: Rerun = { type: "rerun", widgets: this.pending, ...(fragment ? { fragment_id: fragment } : {}) };
    if (this.send(rerun)) {
      this.pending = {};
      this.pendingFragment = undefined;
    }
  }

  dismissToast(id: string): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
    this.update({ toasts: this.state.toasts.filter((t) => t.id !== id) });
  }

  private showToast(toast: Toast, toasts: Toast[]): Toast[] {
    clearTimeout(this.toastTimers.get(toast.id));
    const duration = toast.duration === undefined ? 4 : toast.duration;
    if (duration !== null) this.toastTimers.set(toast.id, setTimeout(() => this.dismissToast(toast.id), duration * 1000));
    const at = toasts.findIndex((t) => t.id === toast.id);
    if (at < 0) return [...toasts, toast];
    const next = [...toasts];
    next[at] = toast;
    return next;
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
      case "welcome": {
        // Answers to requests sent on a dropped socket will never come.
        for (const [request, resolve] of this.rowRequests) {
          resolve({ type: "rows", request, data_id: "", start: 0, stop: 0, num_rows: 0, error: "reconnected" });
        }
        this.rowRequests.clear();
        // Asked to resume but got a new session: the old one expired while the page was away.
        const expired = this.resumeToken !== null && msg.resumed !== true;
        this.resumeToken = msg.resume_token;
        this.welcomed = true;
        this.update({
          theme: msg.theme ?? {},
          error: null,
          notice: expired ? "Your previous session expired while you were away; the app started afresh." : null,
        });
        // A fresh session renders from scratch; a resumed one reruns so that output produced while
        // the socket was down reaches the page. Either way, values changed offline go with it.
        this.send({ type: "rerun", widgets: this.pending });
        this.pending = {};
        this.pendingFragment = undefined;
        for (const submit of this.queuedSubmits.splice(0)) this.send(submit);
        break;
      }
      case "rows": {
        const resolve = this.rowRequests.get(msg.request);
        this.rowRequests.delete(msg.request);
        resolve?.(msg);
        break;
      }
      case "refused":
        this.resumeToken = null;
        if (msg.code === "forbidden" && this.healthUrl && !this.refreshedCsrf) {
          // The server restarted (its cookie key changed): any response sets a fresh cookie.
          this.refreshedCsrf = true;
          const health = this.healthUrl;
          void fetch(health, { credentials: "same-origin", cache: "no-store" }).then(
            () => this.connection.start(),
            () => this.update({ error: msg.message }),
          );
          break;
        }
        this.update({ error: msg.message });
        break;
      case "batch": {
        const tree = applyEvents(this.state.tree, msg.events);
        let { pageConfig, toasts, navigation, pageNotFound } = this.state;
        for (const event of msg.events) {
          if (event.type === "toast") {
            toasts = this.showToast(event, [...toasts]);
          } else if (event.type === "started") {
            this.runTitle = null;
          } else if (event.type === "page_config") {
            const { type: _type, ...config } = event;
            pageConfig = { ...pageConfig, ...dropNulls(config) };
            if (config.title) this.runTitle = config.title;
            applyPageConfig(pageConfig);
          } else if (event.type === "page_not_found") {
            pageNotFound = event.page;
          } else if (event.type === "navigation") {
            navigation = event;
            if (event.current !== this.currentPage()) {
              // The server chose another page (st.switch_page, or an unknown page): the URL follows;
              // an unknown page is replaced, a switch is a new history entry.
              const href = this.pageHref(event.current);
              if (pageNotFound !== null) history.replaceState(null, "", href);
              else history.pushState(null, "", href);
            }
          } else if (event.type === "auth_redirect") {
            const path = safeRedirectPath(event.path);
            if (path !== null) location.assign(path);
          } else if (event.type === "query") {
            const query = event.query_string ? `?${event.query_string}` : "";
            history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`);
          }
        }
        if (navigation !== null) {
          const page = navigation.pages.find((p) => p.url_path === navigation?.current);
          const title = this.runTitle ?? page?.title;
          if (title) document.title = title;
        }
        this.update({ tree, pageConfig, toasts, navigation, pageNotFound });
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
