import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Element, Event } from "./generated/protocol";
import { applyEvents, emptyTree, isStale, type BlockNode, type ElementNode } from "./tree";
import { Session } from "./session";

const md = (text: string): Element => ({ type: "markdown", body_html: `<p>${text}</p>` });
const el = (path: number[], text: string): Event => ({ type: "element", path, element: md(text) });
const frag = (path: number[], id: string): Event => ({ type: "block", path, block: { type: "fragment", fragment_id: id } });
const text = (node: unknown): string => ((node as ElementNode).element as { body_html: string }).body_html;

describe("fragment runs in the tree", () => {
  const full = applyEvents(emptyTree(), [
    { type: "started", run: 1 },
    el([0, 0], "outer"),
    frag([0, 1], "F"),
    el([0, 1, 0], "inner a"),
    el([0, 1, 1], "inner b"),
    frag([0, 2], "G"),
    el([0, 2, 0], "other fragment"),
    el([1, 0], "sidebar"),
    { type: "finished", run: 1, status: "ok" },
  ]);

  it("marks only the fragment's nodes stale, and clears only inside it", () => {
    const running = applyEvents(full, [{ type: "started", run: 2, fragments: ["F"] }, el([0, 1, 0], "inner a2")]);
    const main = running.roots[0]!;
    const f = main.children[1] as BlockNode;
    expect(isStale(main.children[0]!, running)).toBe(false); // outside: never stale
    expect(isStale(f.children[1]!, running, true)).toBe(true); // inside, not rewritten yet
    expect(isStale(f.children[0]!, running, true)).toBe(false);
    const done = applyEvents(running, [{ type: "finished", run: 2, status: "ok" }]);
    const doneMain = done.roots[0]!;
    expect(text(doneMain.children[0])).toBe("<p>outer</p>"); // untouched, though run 1 wrote it
    expect((doneMain.children[1] as BlockNode).children.map(text)).toEqual(["<p>inner a2</p>"]);
    expect(text((doneMain.children[2] as BlockNode).children[0])).toBe("<p>other fragment</p>");
    expect(done.roots[1]).toBe(full.roots[1]); // the sidebar object is shared, not copied
    expect(doneMain.children[0]).toBe(full.roots[0]!.children[0]);
  });

  it("a full run after a fragment run clears everything it did not write", () => {
    const after = applyEvents(full, [
      { type: "started", run: 2, fragments: ["F"] },
      { type: "finished", run: 2, status: "ok" },
      { type: "started", run: 3 },
      el([0, 0], "outer"),
      { type: "finished", run: 3, status: "ok" },
    ]);
    expect(after.fragments).toEqual([]);
    expect(after.roots[0]!.children.length).toBe(1);
  });
});

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
  close() {}
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

describe("Session and fragments", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal("location", { search: "", pathname: "/", hash: "" });
    vi.stubGlobal("document", { cookie: "" });
    vi.stubGlobal("history", { state: null, replaceState: vi.fn() });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function connected(): [Session, FakeSocket] {
    const session = new Session("ws://test/_bastion/stream");
    session.start();
    const socket = FakeSocket.all.at(-1)!;
    socket.readyState = 1;
    socket.onopen?.();
    socket.receive({ type: "welcome", protocol: 1, server_version: "t", resume_token: "t1" });
    socket.sent = [];
    return [session, socket];
  }

  it("a widget inside a fragment sends that fragment's id; outside, none", () => {
    const [session, socket] = connected();
    session.setWidget("w1", 3, null, "F");
    session.setWidget("w2", true, null, null);
    session.submitForm("form", "b", false, "F");
    expect(socket.sent).toEqual([
      { type: "rerun", widgets: { w1: 3 }, fragment_id: "F" },
      { type: "rerun", widgets: { w2: true } },
      { type: "submit", form: "form", button: "b", widgets: {}, fragment_id: "F" },
    ]);
  });

  it("stacks toasts, updates one by id, and drops each after its duration", () => {
    const [session, socket] = connected();
    const batch = (events: unknown[]) => socket.receive({ type: "batch", events });
    batch([{ type: "toast", id: "a", body_html: "<p>one</p>", duration: 4 }]);
    batch([{ type: "started", run: 2 }, { type: "toast", id: "b", body_html: "<p>two</p>", duration: 10 }]);
    batch([{ type: "finished", run: 2, status: "ok" }]); // a new run does not clear them
    expect(session.snapshot().toasts.map((t) => t.id)).toEqual(["a", "b"]);
    vi.advanceTimersByTime(3000);
    batch([{ type: "toast", id: "a", body_html: "<p>one, updated</p>", duration: 4 }]);
    vi.advanceTimersByTime(3000);
    expect(session.snapshot().toasts.map((t) => t.body_html)).toEqual(["<p>one, updated</p>", "<p>two</p>"]);
    vi.advanceTimersByTime(1500);
    expect(session.snapshot().toasts.map((t) => t.id)).toEqual(["b"]);
    session.dismissToast("b");
    expect(session.snapshot().toasts).toEqual([]);
  });
});
