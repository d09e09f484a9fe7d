// The page as a tree of blocks and elements, addressed by position paths, updated by the server's
// events. Pure and immutable from the outside: `applyEvents` returns a new tree that shares every
// untouched subtree with the old one, so React re-renders only what a batch changed.
//
// Rules (from bastion.protocol.app): NewElement replaces whatever is at its path; NewBlock keeps
// the children of a block already there; Same re-tags the node as written by this run. Nodes not
// written by the current run are stale while it runs and are removed when it finishes (unless it
// was interrupted by a newer run). A fragment run (RunStarted.fragments) scopes both rules to the
// blocks of the fragments it reruns: every other node stays as it is, never stale.

import type { Block, Element, Event, RunFinished } from "./generated/protocol";

type RunStatus = RunFinished["status"];

export interface ElementNode {
  readonly kind: "element";
  readonly element: Element;
  readonly run: number;
}

export interface BlockNode {
  readonly kind: "block";
  readonly block: Block | null; // null for the two roots (main, sidebar)
  readonly children: ReadonlyArray<TreeNode | undefined>;
  readonly run: number;
}

export type TreeNode = ElementNode | BlockNode;

export interface PageTree {
  readonly roots: ReadonlyArray<BlockNode>; // [main, sidebar, bottom]
  readonly run: number; // the latest run the server started
  readonly running: boolean;
  readonly lastStatus: RunStatus | null;
  readonly fragments: ReadonlyArray<string>; // the run's fragments; empty for a full run
}

const ROOTS = 3; // main, sidebar, bottom (st.bottom)

export function emptyTree(): PageTree {
  const root: BlockNode = { kind: "block", block: null, children: [], run: 0 };
  return { roots: Array.from({ length: ROOTS }, () => root), run: 0, running: false, lastStatus: null, fragments: [] };
}

type MutableBlock = { kind: "block"; block: Block | null; children: (TreeNode | undefined)[]; run: number };

/** Copy-on-write within one batch: each node on a written path is cloned at most once. */
class Draft {
  private readonly fresh = new Set<object>();
  roots: BlockNode[];

  constructor(tree: PageTree) {
    this.roots = [...tree.roots];
  }

  own(node: BlockNode): MutableBlock {
    if (this.fresh.has(node)) return node as MutableBlock;
    const copy: MutableBlock = { kind: "block", block: node.block, children: [...node.children], run: node.run };
    this.fresh.add(copy);
    return copy;
  }

  /** The parent block of `path`, made writable; missing blocks on the way are created empty. */
  parentOf(path: ReadonlyArray<number>, run: number): MutableBlock | null {
    const [root, ...rest] = path;
    if (root === undefined || root < 0 || root >= this.roots.length || rest.length === 0) return null;
    let parent = this.own(this.roots[root]!);
    this.roots[root] = parent;
    for (const index of rest.slice(0, -1)) {
      const child = parent.children[index];
      const block: BlockNode =
        child?.kind === "block" ? child : { kind: "block", block: { type: "vertical" }, children: [], run };
      const owned = this.own(block);
      parent.children[index] = owned;
      parent = owned;
    }
    return parent;
  }
}

function put(draft: Draft, path: ReadonlyArray<number>, run: number, make: (old: TreeNode | undefined) => TreeNode | undefined): void {
  const parent = draft.parentOf(path, run);
  if (parent === null) return;
  const index = path[path.length - 1]!;
  if (index < 0 || index > 100_000) return;
  parent.children[index] = make(parent.children[index]);
}

function retag(node: TreeNode, run: number): TreeNode {
  return node.run === run ? node : { ...node, run };
}

export function applyEvents(tree: PageTree, events: ReadonlyArray<Event>): PageTree {
  let { run, running, lastStatus, fragments } = tree;
  let draft: Draft | null = null;
  const writable = (): Draft => (draft ??= new Draft(tree));
  let finishedWith: RunStatus | null = null;

  for (const event of events) {
    switch (event.type) {
      case "started":
        run = event.run;
        running = true;
        fragments = event.fragments ?? [];
        break;
      case "element":
        put(writable(), event.path, run, () => ({ kind: "element", element: event.element, run }));
        break;
      case "block":
        put(writable(), event.path, run, (old) => ({
          kind: "block",
          block: event.block,
          children: old?.kind === "block" ? old.children : [],
          run,
        }));
        break;
      case "same":
        put(writable(), event.path, run, (old) => (old === undefined ? old : retag(old, run)));
        break;
      case "finished":
        if (event.run === run) {
          running = false;
          lastStatus = event.status;
          finishedWith = event.status;
        }
        break;
      default:
        // page_config and query are handled by the app shell, not the tree.
        break;
    }
  }
  let roots: ReadonlyArray<BlockNode> = draft ? (draft as Draft).roots : tree.roots;
  if (finishedWith !== null && finishedWith !== "rerun") {
    const ids = new Set(fragments);
    roots = roots.map((r) => (ids.size === 0 ? clearStale(r, run) : clearStaleIn(r, ids, run)));
  }
  return { roots, run, running, lastStatus, fragments };
}

/** The fragment a block holds (fragment and dialog blocks), else null. */
export function fragmentOf(block: Block | null): string | null {
  return block !== null && "fragment_id" in block && typeof block.fragment_id === "string" ? block.fragment_id : null;
}

/** A fragment run's end: clear stale nodes inside the blocks of `ids` only. */
export function clearStaleIn(node: BlockNode, ids: ReadonlySet<string>, run: number): BlockNode {
  let changed = false;
  const children = node.children.map((child) => {
    if (child?.kind !== "block") return child;
    const id = fragmentOf(child.block);
    const next = id !== null && ids.has(id) ? clearStale(child, run) : clearStaleIn(child, ids, run);
    if (next !== child) changed = true;
    return next;
  });
  return changed ? { ...node, children } : node;
}

/** Remove every node the given run did not write (the roots themselves always stay). */
export function clearStale(root: BlockNode, run: number): BlockNode {
  let changed = false;
  const children = root.children.map((child) => {
    if (child === undefined) return undefined;
    if (child.run !== run) {
      changed = true;
      return undefined;
    }
    if (child.kind === "block") {
      const cleared = clearStale(child, run);
      if (cleared !== child) changed = true;
      return cleared;
    }
    return child;
  });
  while (children.length > 0 && children[children.length - 1] === undefined) {
    children.pop();
    changed = true;
  }
  return changed ? { ...root, children } : root;
}

/** Stale: not yet written by the run in progress, and in its scope (`inFragmentRun`: the node is
 *  inside a block of one of the fragments a fragment run reruns). */
export function isStale(node: TreeNode, tree: PageTree, inFragmentRun = false): boolean {
  return tree.running && node.run !== tree.run && (tree.fragments.length === 0 || inFragmentRun);
}
