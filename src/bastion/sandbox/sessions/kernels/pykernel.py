"""Bastion's Python kernel: runs inside a sandbox box under the box's own /usr/bin/python3.

Standard library only (the box has Debian's Python, not Bastion's venv). The host talks to it over
two pipes that are NOT stdout/stderr:

    requests in (fd $BASTION_REQ_FD): {"op": "run", "seq": N, "code": "..."}
    events out (fd $BASTION_EVT_FD): {"op": "ready"} | {"op": "display", ...} | {"op": "done", ...}

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The end of a cell
is the "done" frame on fd 4, never text on stdout/stderr, so program output that imitates a marker
changes nothing. Both control fds are close-on-exec: processes the user's code starts cannot write
them. (Code running in this very process can, like it can do anything else to its own kernel; that
only hurts its own session, and the host treats every frame as untrusted input.)

stdin is /dev/null and `input()` raises: nobody but the caller types into a cell.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import os
import signal
import struct
import sys
import types

# Every kernel start pays for what is imported here: the rest (traceback, base64, asyncio) is
# imported where it is needed, and typing only by the type checker.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn


def _redirect_output() -> None:
    # The host reads this kernel's output from pipes of its own, passed as extra fds.
    for fd, name in ((1, "BASTION_OUT_FD"), (2, "BASTION_ERR_FD")):
        target = os.environ.pop(name, None)
        if target is not None:
            os.dup2(int(target), fd)
            os.close(int(target))


_redirect_output()
REQ_FD = int(os.environ.pop("BASTION_REQ_FD", "3"))
EVT_FD = int(os.environ.pop("BASTION_EVT_FD", "4"))
MAX_DISPLAY_BYTES = 16 * 1024 * 1024  # per cell; the host enforces its own cap too
_HEADER = struct.Struct(">I")

_state = {"seq": 0, "display_bytes": 0, "in_cell": False}
_KERNEL_PID = os.getpid()


def _forget_control_channel() -> None:
    # A process forked by a cell (os.fork, a fork bomb, multiprocessing) is a copy of this kernel:
    # it must never read the next request or write a frame, or its output lands in later cells.
    for fd in (REQ_FD, EVT_FD):
        try:  # noqa: SIM105 - contextlib would be one more import on every kernel start
            os.close(fd)
        except OSError:
            pass


def _leave_if_forked(status: int) -> None:
    """A forked copy that got back here has finished the cell's code: it ends without reporting
    (the kernel itself reports the cell), after flushing what the cell's code printed."""
    if os.getpid() != _KERNEL_PID:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: S112 - closed or replaced by the cell
                continue
        os._exit(status)


def _write_frame(obj: dict[str, Any]) -> None:
    body = json.dumps(obj, separators=(",", ":")).encode()
    view = memoryview(_HEADER.pack(len(body)) + body)
    # A KeyboardInterrupt in the middle of a frame (a display during a cell) would corrupt the
    # channel: hold SIGINT back until the frame is out.
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        while view:
            n = os.write(EVT_FD, view)
            view = view[n:]
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _on_sigint(signum: int, frame: object) -> None:
    # Only the user's code is interruptible: an interrupt that arrives late, while the driver
    # reports a finished cell or waits for the next one, has nothing left to stop.
    if _state["in_cell"]:
        raise KeyboardInterrupt


def _read_exact(n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = os.read(REQ_FD, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame() -> Any:
    header = _read_exact(_HEADER.size)
    if header is None:
        return None
    body = _read_exact(_HEADER.unpack(header)[0])
    return None if body is None else json.loads(body)


def _emit_display(mime: str, data: str | bytes, name: str | None = None) -> None:
    if isinstance(data, str):
        data = data.encode()
    if _state["display_bytes"] + len(data) > MAX_DISPLAY_BYTES:
        sys.stderr.write(
            f"[bastion] rich output dropped: over {MAX_DISPLAY_BYTES} bytes per cell\n"
        )
        return
    _state["display_bytes"] += len(data)
    sys.stdout.flush()
    sys.stderr.flush()
    frame: dict[str, Any] = {"op": "display", "seq": _state["seq"], "mime": mime, "name": name}
    import base64

    frame["data"] = base64.b64encode(data).decode()
    _write_frame(frame)


_REPR_METHODS = (
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
)


def _figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _rich(obj: object) -> bool:
    """Emit `obj`'s richest representation, if it has one; True if it did."""
    if type(obj).__module__.startswith("matplotlib") and hasattr(obj, "savefig"):
        _emit_display("image/png", _figure_png(obj), "figure.png")
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close(obj)  # shown now, not again at the end of the cell
        return True
    if isinstance(obj, type):
        return False
    for method, mime in _REPR_METHODS:
        fn = getattr(obj, method, None)
        if fn is None:
            continue
        try:
            value = fn()
        except Exception:  # noqa: S112 - a broken repr must not break the cell
            continue
        if value is None:
            continue
        if isinstance(value, tuple):  # (data, metadata)
            value = value[0]
        if mime == "application/json" and not isinstance(value, (str, bytes)):
            value = json.dumps(value)
        _emit_display(mime, value)
        return True
    return False


def display(*objs: object) -> None:
    """Show objects as rich outputs (images, HTML...) returned to the caller as files; an
    object without one is printed."""
    for obj in objs:
        if not _rich(obj):
            print(repr(obj))


def _show_result(value: object) -> None:
    # The value of a cell's last expression: its text for whoever reads stdout (a model reads
    # text), plus its rich form when it has one (a table's HTML, an image).
    if not (type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig")):
        print(repr(value))
    _rich(value)


def flush_figures() -> None:
    """Emit every open matplotlib figure as a PNG and close it (plt.show() and end of cell)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for num in plt.get_fignums():
        fig = plt.figure(num)
        try:
            _emit_display("image/png", _figure_png(fig), f"figure-{num}.png")
        except Exception as exc:
            sys.stderr.write(f"[bastion] could not render figure {num}: {exc}\n")
    plt.close("all")


def _no_input(prompt: object = "") -> NoReturn:
    raise OSError(
        "input() is not available in a Bastion sandbox cell: stdin is closed; "
        "pass data in the code or in a file instead"
    )


def _user_traceback(exc: BaseException) -> str:
    tb = exc.__traceback__
    # Drop this driver's own frames so the user sees only their code.
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, tb))


# Top-level `await` works as in IPython: such a cell compiles to a coroutine, run on one event
# loop that persists across cells (so tasks and futures made in one cell stay usable later).
_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect (slow) at every start
_loop: Any = None


def _run(code: types.CodeType, namespace: dict[str, Any]) -> Any:
    global _loop
    result = eval(code, namespace)  # noqa: S307 - running the caller's cells is the job
    if code.co_flags & _CO_COROUTINE:
        if _loop is None:
            import asyncio

            _loop = asyncio.new_event_loop()
        result = _loop.run_until_complete(result)
    return result


def _run_cell(namespace: dict[str, Any], seq: int, code: str) -> tuple[int, str | None]:
    filename = f"<cell-{seq}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        tree = ast.parse(code, filename, "exec")
    except SyntaxError as exc:
        import traceback

        sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
        return 1, "SyntaxError"
    last: ast.Expression | None = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body[-1].value)
        tree.body.pop()
    try:
        _state["in_cell"] = True
        _run(compile(tree, filename, "exec", flags=_AWAIT), namespace)
        if last is not None:
            value = _run(compile(last, filename, "eval", flags=_AWAIT), namespace)
            _leave_if_forked(0)
            if value is not None:
                namespace["_"] = value
                _show_result(value)
        _leave_if_forked(0)
        flush_figures()
    except KeyboardInterrupt:
        _leave_if_forked(130)
        _state["in_cell"] = False
        sys.stderr.write("KeyboardInterrupt\n")
        return 130, "KeyboardInterrupt"
    except SystemExit as exc:
        _leave_if_forked(exc.code if isinstance(exc.code, int) else 1)
        _state["in_cell"] = False
        status = exc.code
        if status is None:
            return 0, None
        if isinstance(status, int):
            return status, "SystemExit"
        sys.stderr.write(f"{status}\n")
        return 1, "SystemExit"
    except BaseException as exc:
        # A forked copy's error (e.g. a fork bomb's EAGAIN) is not the cell's: the kernel reports
        # the cell's own outcome, and a copy's traceback would only spill into later cells.
        _leave_if_forked(1)
        _state["in_cell"] = False
        sys.stderr.write(_user_traceback(exc))
        return 1, type(exc).__name__
    finally:
        _state["in_cell"] = False
    return 0, None


def _reopen_std_streams() -> None:
    # A cell may have closed sys.stdout/sys.stderr; the next one still gets its output.
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if stream is None or stream.closed:
            raw = open(fd, "wb", buffering=0, closefd=False)  # noqa: SIM115 - lives on
            setattr(sys, name, io.TextIOWrapper(raw, write_through=True))


def main() -> None:
    os.set_inheritable(REQ_FD, False)
    os.set_inheritable(EVT_FD, False)
    os.register_at_fork(after_in_child=_forget_control_channel)
    # SIGINT becomes KeyboardInterrupt in the cell, as in a terminal.
    signal.signal(signal.SIGINT, _on_sigint)
    builtins.input = _no_input
    builtins.display = display  # type: ignore[attr-defined]
    sys.modules["_bastion_kernel"] = sys.modules[__name__]  # for the matplotlib backend
    main_mod = types.ModuleType("__main__")
    main_mod.__dict__.update({"__builtins__": builtins, "display": display})
    sys.modules["__main__"] = main_mod
    namespace = main_mod.__dict__
    sys.argv = [""]
    _write_frame({"op": "ready", "pid": os.getpid()})
    while True:
        request = _read_frame()
        if request is None:
            return
        if request.get("op") != "run":
            continue
        _reopen_std_streams()
        _state["seq"] = seq = request["seq"]
        _state["display_bytes"] = 0
        try:
            code, error = _run_cell(namespace, seq, request["code"])
        except KeyboardInterrupt:  # landed outside the user's code (e.g. while flushing)
            code, error = 130, "KeyboardInterrupt"
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: S112 - closed or replaced by the cell
                continue
        _write_frame({"op": "done", "seq": seq, "code": code, "error": error})


if __name__ == "__main__":
    main()
