import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session, csrfToken } from "./session";

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const welcome = (token: string, resumed = false) => ({
  type: "welcome",
  protocol: 1,
  server_version: "t",
  resume_token: token,
  resumed,
});

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("location", { search: "?a=1", pathname: "/", hash: "" });
  vi.stubGlobal("history", { state: null, replaceState: vi.fn() });
  vi.stubGlobal("document", { cookie: "other=1; _bastion_csrf=abc.def" });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function connected(): [Session, FakeSocket] {
  const session = new Session("ws://test/_bastion/stream");
  session.start();
  const socket = FakeSocket.all.at(-1)!;
  socket.open();
  socket.receive(welcome("t1"));
  return [session, socket];
}

describe("csrfToken", () => {
  it("reads the double-submit cookie, and only it", () => {
    expect(csrfToken("a=1; _bastion_csrf=x.y=; b=2")).toBe("x.y=");
    expect(csrfToken("x_bastion_csrf=evil")).toBeNull();
    expect(csrfToken("")).toBeNull();
  });
});

describe("Session", () => {
  it("says hello, then asks for the first run", () => {
    const [, socket] = connected();
    expect(socket.sent[0]).toEqual({
      type: "hello",
      protocol: 1,
      resume_token: null,
      csrf_token: "abc.def",
      query_string: "a=1",
      page: "",
    });
    expect(socket.sent[1]).toEqual({ type: "rerun", widgets: {} });
  });

  it("sends only the changed widget outside a form", () => {
    const [session, socket] = connected();
    session.setWidget("w1", 5, null);
    expect(socket.sent.at(-1)).toEqual({ type: "rerun", widgets: { w1: 5 } });
  });

  it("says so when a resume finds its session expired", () => {
    const [session, socket] = connected();
    socket.close(1006);
    vi.advanceTimersByTime(5000);
    const next = FakeSocket.all.at(-1)!;
    next.open();
    next.receive(welcome("t2", false));
    expect(session.snapshot().notice).toMatch(/expired/);
    expect(session.snapshot().error).toBeNull();
  });

  it("holds form values until the submit button", () => {
    const [session, socket] = connected();
    const before = socket.sent.length;
    session.setWidget("a", "x", "form1");
    session.setWidget("b", 2, "form1");
    expect(socket.sent.length).toBe(before);
    session.submitForm("form1", "submit1", true);
    expect(socket.sent.at(-1)).toEqual({ type: "submit", form: "form1", button: "submit1", widgets: { a: "x", b: 2 } });
    expect(session.snapshot().formEpoch.form1).toBe(1);
  });

  it("reconnects after a drop with the single-use resume token, keeping offline changes", () => {
    const [session, socket] = connected();
    socket.close(1006);
    expect(session.snapshot().connection).toBe("reconnecting");
    session.setWidget("w", true, null); // while offline: kept, not lost
    vi.advanceTimersByTime(5000);
    const next = FakeSocket.all.at(-1)!;
    expect(next).not.toBe(socket);
    next.open();
    expect(next.sent[0]).toMatchObject({ type: "hello", resume_token: "t1" });
    next.receive(welcome("t2", true));
    expect(next.sent[1]).toEqual({ type: "rerun", widgets: { w: true } });
    expect(session.snapshot().connection).toBe("open");
  });

  it("sends a form submitted while offline after the reconnect", () => {
    const [session, socket] = connected();
    socket.close(1006);
    session.setWidget("city", "Oslo", "f");
    session.submitForm("f", "send", false);
    vi.advanceTimersByTime(5000);
    const next = FakeSocket.all.at(-1)!;
    next.open();
    next.receive(welcome("t2", true));
    expect(next.sent.at(-1)).toEqual({ type: "submit", form: "f", button: "send", widgets: { city: "Oslo" } });
  });

  it("does not retry after a protocol violation close", () => {
    const [session, socket] = connected();
    socket.receive({ type: "refused", code: "invalid", message: "bad frame" });
    socket.close(1002);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all.length).toBe(1);
    expect(session.snapshot().connection).toBe("closed");
    expect(session.snapshot().error).toBe("bad frame");
  });

  it("applies batches to the page tree", () => {
    const [session, socket] = connected();
    socket.receive({
      type: "batch",
      events: [
        { type: "started", run: 1 },
        { type: "element", path: [0, 0], element: { type: "text", body: "hi" } },
        { type: "finished", run: 1, status: "ok" },
      ],
    });
    const tree = session.snapshot().tree;
    expect(tree.running).toBe(false);
    expect(tree.roots[0]!.children).toHaveLength(1);
  });
});

describe("Session multipage", () => {
  it("says which page the URL names, follows st.switch_page and back/forward", () => {
    vi.stubGlobal("location", { search: "", pathname: "/app/charts", hash: "", assign: vi.fn() });
    const pushState = vi.fn();
    vi.stubGlobal("history", { state: null, replaceState: vi.fn(), pushState });
    vi.stubGlobal("document", { title: "", cookie: "" });
    const session = new Session("ws://h/app/_bastion/stream", "/app/");
    session.start();
    const socket = FakeSocket.all[0]!;
    socket.open();
    expect(socket.sent[0]).toMatchObject({ type: "hello", page: "charts" });
    socket.receive(welcome("t1"));
    socket.receive({
      type: "batch",
      events: [
        { type: "started", run: 1 },
        {
          type: "navigation",
          pages: [
            { url_path: "", title: "Home" },
            { url_path: "data", title: "Data" },
          ],
          current: "data",
        },
      ],
    });
    expect(pushState).toHaveBeenCalledWith(null, "", "/app/data");
    expect(document.title).toBe("Data");
    expect(session.snapshot().navigation?.current).toBe("data");
    session.navigate("");
    expect(socket.sent.at(-1)).toEqual({ type: "rerun", widgets: {}, page: "", query_string: "" });
  });

  it("obeys auth redirects to same-origin paths only", () => {
    const assign = vi.fn();
    vi.stubGlobal("location", { search: "", pathname: "/", hash: "", assign });
    const session = new Session("ws://h/_bastion/stream");
    session.start();
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive(welcome("t"));
    socket.receive({ type: "batch", events: [{ type: "auth_redirect", path: "//evil.example/" }] });
    expect(assign).not.toHaveBeenCalled();
    socket.receive({ type: "batch", events: [{ type: "auth_redirect", path: "/_bastion/auth/login" }] });
    expect(assign).toHaveBeenCalledWith("/_bastion/auth/login");
  });
});
