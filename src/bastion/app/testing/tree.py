"""The client's view of an app: the node tree a browser builds from server frames.

This is the reference implementation of the rendering rules in `bastion.protocol.app` (the
frontend follows the same rules), and what AppTest inspects: it is built only from the frames a
real client would receive, `Same` markers and stale-node removal included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bastion.protocol.app import (
    ROOT_BOTTOM,
    ROOT_MAIN,
    ROOT_SIDEBAR,
    AuthRedirect,
    Batch,
    Block,
    Element,
    Navigation,
    NewBlock,
    NewElement,
    PageConfig,
    PageNotFound,
    Path,
    QueryChanged,
    RunFinished,
    RunStarted,
    Same,
    ServerMsg,
    Toast,
    Vertical,
)


@dataclass(eq=False)
class Node:
    path: Path
    run: int
    element: Element | None = None  # an element node
    block: Block | None = None  # a block node
    children: dict[int, Node] = field(default_factory=dict)
    source: object = None  # AppTest only: what the script passed (never on the wire)

    def ordered(self) -> list[Node]:
        return [self.children[i] for i in sorted(self.children)]


class ClientTree:
    def __init__(self) -> None:
        self.roots: dict[int, Node] = {
            ROOT_MAIN: Node((ROOT_MAIN,), 0, block=Vertical()),
            ROOT_SIDEBAR: Node((ROOT_SIDEBAR,), 0, block=Vertical()),
            ROOT_BOTTOM: Node((ROOT_BOTTOM,), 0, block=Vertical()),
        }
        self.run = 0
        self.last_status: str | None = None
        self.page_config = PageConfig()
        self.query_string: str | None = None
        self.exceptions_in_protocol: list[str] = []
        self.fragments: tuple[str, ...] = ()  # the fragments the current run reruns
        self.toasts: dict[str, Toast] = {}  # the last full run's toasts and later ones, by id
        self.navigation: Navigation | None = None
        self.page_not_found: str | None = None  # the last unknown page the server reported
        self.auth_redirect: str | None = None

    def _parent(self, path: Path) -> Node:
        node = self.roots[path[0]]
        for i in path[1:-1]:
            child = node.children.get(i)
            if child is None:
                raise ValueError(f"delta at {list(path)} has no parent block")
            node = child
        return node

    def node(self, path: Path) -> Node | None:
        node: Node | None = self.roots.get(path[0])
        for i in path[1:]:
            if node is None:
                return None
            node = node.children.get(i)
        return node

    def apply(self, msg: ServerMsg) -> None:
        if not isinstance(msg, Batch):
            return
        for event in msg.events:
            if isinstance(event, RunStarted):
                self.run = event.run
                self.fragments = event.fragments
                if not event.fragments:
                    self.toasts = {}
            elif isinstance(event, NewElement):
                parent = self._parent(event.path)
                parent.children[event.path[-1]] = Node(event.path, self.run, element=event.element)
            elif isinstance(event, NewBlock):
                parent = self._parent(event.path)
                old = parent.children.get(event.path[-1])
                if old is not None and old.block is not None:
                    old.block, old.run = event.block, self.run  # a block keeps its children
                else:
                    parent.children[event.path[-1]] = Node(event.path, self.run, block=event.block)
            elif isinstance(event, Same):
                found = self.node(event.path)
                if found is None:
                    raise ValueError(f"`same` marker for {list(event.path)}, where nothing is")
                found.run = self.run
            elif isinstance(event, RunFinished):
                self.last_status = event.status
                if event.status != "rerun":
                    for root in self._cleared():
                        self._drop_stale(root)
            elif isinstance(event, PageConfig):
                self.page_config = event
            elif isinstance(event, QueryChanged):
                self.query_string = event.query_string
            elif isinstance(event, Toast):
                self.toasts[event.id] = event
            elif isinstance(event, Navigation):
                self.navigation = event
            elif isinstance(event, PageNotFound):
                self.page_not_found = event.page
            elif isinstance(event, AuthRedirect):
                self.auth_redirect = event.path

    def _cleared(self) -> list[Node]:
        """Where a finished run removes what it did not write: everywhere, or for a fragment run
        only inside the blocks of the fragments it reran."""
        if not self.fragments:
            return list(self.roots.values())
        wanted = set(self.fragments)
        found: list[Node] = []

        def walk(node: Node) -> None:
            for child in node.children.values():
                if getattr(child.block, "fragment_id", None) in wanted:
                    found.append(child)
                else:
                    walk(child)

        for root in self.roots.values():
            walk(root)
        return found

    def fragment_of(self, path: Path) -> str | None:
        """The innermost fragment whose block holds the node at `path`."""
        for end in range(len(path) - 1, 0, -1):
            node = self.node(path[:end])
            fid = getattr(node.block, "fragment_id", None) if node is not None else None
            if fid is not None:
                return str(fid)
        return None

    def _drop_stale(self, node: Node) -> None:
        for i in [i for i, c in node.children.items() if c.run != self.run]:
            del node.children[i]
        for child in node.children.values():
            self._drop_stale(child)
