import { describe, expect, it } from "vitest";
import type { Element, Event } from "./generated/protocol";
import { applyEvents, emptyTree, isStale, type BlockNode, type ElementNode } from "./tree";

const md = (text: string): Element => ({ type: "markdown", body_html: `<p>${text}</p>` });
const el = (path: number[], text: string): Event => ({ type: "element", path, element: md(text) });
const started = (run: number): Event => ({ type: "started", run });
const finished = (run: number, status: "ok" | "rerun" = "ok"): Event => ({ type: "finished", run, status });
const text = (node: unknown): string => ((node as ElementNode).element as { body_html: string }).body_html;

describe("applyEvents", () => {
  it("places elements and blocks by path", () => {
    const tree = applyEvents(emptyTree(), [
      started(1),
      el([0, 0], "a"),
      { type: "block", path: [0, 1], block: { type: "columns" } },
      { type: "block", path: [0, 1, 0], block: { type: "column", weight: 1 } },
      el([0, 1, 0, 0], "in column"),
      el([1, 0], "sidebar"),
      finished(1),
    ]);
    const main = tree.roots[0]!;
    expect(text(main.children[0])).toBe("<p>a</p>");
    const column = (main.children[1] as BlockNode).children[0] as BlockNode;
    expect(text(column.children[0])).toBe("<p>in column</p>");
    expect(text(tree.roots[1]!.children[0])).toBe("<p>sidebar</p>");
    expect(tree.running).toBe(false);
  });

  it("keeps old nodes stale during a run and removes the unwritten ones after it", () => {
    let tree = applyEvents(emptyTree(), [started(1), el([0, 0], "a"), el([0, 1], "b"), finished(1)]);
    tree = applyEvents(tree, [started(2), el([0, 0], "a2")]);
    expect(tree.running).toBe(true);
    expect(isStale(tree.roots[0]!.children[0]!, tree)).toBe(false);
    expect(isStale(tree.roots[0]!.children[1]!, tree)).toBe(true);
    tree = applyEvents(tree, [finished(2)]);
    expect(tree.roots[0]!.children).toHaveLength(1);
    expect(text(tree.roots[0]!.children[0])).toBe("<p>a2</p>");
  });

  it("keeps nodes marked same, sharing them unchanged", () => {
    let tree = applyEvents(emptyTree(), [started(1), el([0, 0], "a"), el([0, 1], "b"), finished(1)]);
    const before = tree.roots[0]!.children[0] as ElementNode;
    tree = applyEvents(tree, [started(2), { type: "same", path: [0, 0] }, finished(2)]);
    const after = tree.roots[0]!.children[0] as ElementNode;
    expect(after.element).toBe(before.element);
    expect(after.run).toBe(2);
    expect(tree.roots[0]!.children).toHaveLength(1);
  });

  it("removes nothing when a run is interrupted by a newer one", () => {
    let tree = applyEvents(emptyTree(), [started(1), el([0, 0], "a"), el([0, 1], "b"), finished(1)]);
    tree = applyEvents(tree, [started(2), el([0, 0], "x"), finished(2, "rerun")]);
    expect(tree.roots[0]!.children).toHaveLength(2);
  });

  it("keeps a block's children when the block is sent again", () => {
    let tree = applyEvents(emptyTree(), [
      started(1),
      { type: "block", path: [0, 0], block: { type: "expander", label_html: "x" } },
      el([0, 0, 0], "inside"),
      finished(1),
    ]);
    tree = applyEvents(tree, [
      started(2),
      { type: "block", path: [0, 0], block: { type: "expander", label_html: "y" } },
      { type: "same", path: [0, 0, 0] },
      finished(2),
    ]);
    const block = tree.roots[0]!.children[0] as BlockNode;
    expect(text(block.children[0])).toBe("<p>inside</p>");
  });

  it("shares untouched subtrees between versions", () => {
    const one = applyEvents(emptyTree(), [started(1), el([0, 0], "a"), el([1, 0], "s"), finished(1)]);
    const two = applyEvents(one, [el([0, 1], "b")]);
    expect(two.roots[1]).toBe(one.roots[1]);
    expect(two.roots[0]).not.toBe(one.roots[0]);
    expect(one.roots[0]!.children).toHaveLength(1); // the old version is untouched
  });

  it("ignores paths outside the roots", () => {
    const tree = applyEvents(emptyTree(), [el([7, 0], "x"), el([], "y"), el([0], "z")]);
    expect(tree.roots[0]!.children).toHaveLength(0);
  });
});
