"""The app script: its source, its compiled bytecode (cached), and magic.

Bytecode is compiled once and reused by every run of every session until the file changes (checked
by modification time and size, one `stat` per run). Magic rewrites bare expression statements,
``df`` or ``"some text"`` on a line of their own, into calls that write them, as Streamlit does:
function calls, docstrings, ``yield`` and ``await`` are left alone.
"""

from __future__ import annotations

import ast
import importlib.util
import linecache
import os
import sys
import threading
from pathlib import Path
from types import CodeType

MAGIC_NAME = "__bastion_magic__"


class _Magic(ast.NodeTransformer):
    def __init__(self) -> None:
        self._docstring_ok: set[int] = set()

    def visit_Module(self, node: ast.Module) -> ast.Module:
        self._skip_docstring(node.body)
        self.generic_visit(node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self._skip_docstring(node.body)
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        self._skip_docstring(node.body)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        self._skip_docstring(node.body)
        self.generic_visit(node)
        return node

    def _skip_docstring(self, body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self._docstring_ok.add(id(body[0]))

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        value = node.value
        if id(node) in self._docstring_ok or isinstance(
            value, ast.Call | ast.Yield | ast.YieldFrom | ast.Await
        ):
            return node
        call = ast.Call(func=ast.Name(id=MAGIC_NAME, ctx=ast.Load()), args=[value], keywords=[])
        return ast.copy_location(ast.Expr(value=ast.copy_location(call, value)), node)


def compile_script(source: str, filename: str, *, magic: bool = True) -> CodeType:
    tree = ast.parse(source, filename=filename, mode="exec")
    if magic:
        tree = ast.fix_missing_locations(_Magic().visit(tree))
    return compile(tree, filename, "exec", dont_inherit=True, optimize=0)


class Script:
    """A script from a file (recompiled when it changes) or from a string (compiled once)."""

    def __init__(
        self,
        *,
        path: str | os.PathLike[str] | None = None,
        source: str | None = None,
        name: str = "<app>",
        magic: bool = True,
        extra_globals: dict[str, object] | None = None,
    ) -> None:
        if (path is None) == (source is None):
            raise ValueError("give a script path or its source, not both")
        self.path = str(Path(path).resolve()) if path is not None else None
        self.filename = self.path or name
        self.directory = str(Path(self.path).parent) if self.path else os.getcwd()
        self._source = source
        self.extra_globals = extra_globals or {}
        self._magic = magic
        self._lock = threading.Lock()
        self._code: CodeType | None = None
        self._stamp: tuple[int, int] | None = None
        self._local: dict[str, tuple[str, int]] = {}  # module name -> (file, mtime_ns)
        self._seen_modules = 0
        if source is not None:
            # Tracebacks show the lines of string scripts too.
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)

    def code(self) -> CodeType:
        """The compiled script; SyntaxError if it does not compile."""
        if self.path is None:
            if self._code is None:
                with self._lock:
                    if self._code is None and self._source is not None:
                        self._code = compile_script(self._source, self.filename, magic=self._magic)
            if self._code is None:
                raise RuntimeError("script has no source")
            return self._code
        st = os.stat(self.path)
        stamp = (st.st_mtime_ns, st.st_size)
        code = self._code
        if code is not None and stamp == self._stamp:
            return code
        with self._lock:
            if self._code is None or stamp != self._stamp:
                source = importlib.util.decode_source(Path(self.path).read_bytes())
                self._code = compile_script(source, self.path, magic=self._magic)
                self._stamp = stamp
                linecache.checkcache(self.path)
            return self._code

    @property
    def magic(self) -> bool:
        return self._magic

    def stamp(self) -> tuple[int, int] | None:
        """The file's (mtime, size) now; None for a script from a string."""
        if self.path is None:
            return None
        st = os.stat(self.path)
        return (st.st_mtime_ns, st.st_size)

    def source_text(self) -> str:
        if self.path is None:
            return self._source or ""
        return importlib.util.decode_source(Path(self.path).read_bytes())

    def forget_changed_modules(self) -> list[str]:
        """Drop the app's own modules whose file changed from `sys.modules`, so that the next
        `import` in the script loads the new code (Streamlit's behaviour on save).

        Only modules under the script's directory count, never installed packages nor Bastion
        itself (see `note_new_modules`). Each run costs one `stat` per app module. Returns the
        names dropped.
        """
        if self.path is None:
            return []
        with self._lock:
            dropped = []
            for name, (file, mtime) in list(self._local.items()):
                try:
                    now = os.stat(file).st_mtime_ns
                except OSError:
                    now = -1
                if now != mtime:
                    sys.modules.pop(name, None)
                    del self._local[name]
                    dropped.append(name)
            return dropped

    def note_new_modules(self) -> None:
        """After a run: remember the app modules it imported, with their files' current times
        (a scan of `sys.modules`, only when it grew)."""
        if self.path is None or len(sys.modules) == self._seen_modules:
            return
        with self._lock:
            self._scan()

    def _scan(self) -> None:
        root = self.directory + os.sep
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if (
                name in self._local
                or name == "__main__"
                or not isinstance(file, str)
                or not file.startswith(root)
                or name.split(".")[0] == "bastion"
                or "site-packages" in file
                or "dist-packages" in file
            ):
                continue
            try:
                self._local[name] = (file, os.stat(file).st_mtime_ns)
            except OSError:
                continue
        self._seen_modules = len(sys.modules)
