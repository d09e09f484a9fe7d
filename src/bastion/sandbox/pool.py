"""A warm pool of pre-started boxes for interpreted runtimes; each box serves exactly one job.

A warm box is a normal box (same namespaces, filter, cgroup, limits) whose interpreter has already
started and waits, parked, on its stdin for one job packet: a 10-digit length, then JSON with the
job's files and argv. The loader reads exactly that many bytes with `read(2)` (so the rest of stdin
is the program's, untouched), writes the files into /box, and runs the main file as `__main__`.
When a job takes a box the supervisor starts its clocks (`Box.activate`), the pool starts a
replacement in the background, and the box ends with its job: nothing is ever reused.

Only runtimes whose run command is exactly ``<interpreter> {main} {args}`` for an interpreter with
a loader here (CPython, Node) are pooled, and only for jobs asking the runtime's default run
limits; everything else starts cold.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from collections.abc import Sequence

from bastion.sandbox.contain.pipeline import ContainError, Pipeline
from bastion.sandbox.contain.spec import BoxFile, BoxSpec
from bastion.sandbox.contain.supervisor import Box
from bastion.sandbox.policy import StageLimits
from bastion.sandbox.runtimes import RuntimeDef

PY_LOADER = r"""
import os, sys, json, base64, types, traceback, atexit, threading  # paid for before the job
_ready = int(os.environ.pop("BASTION_READY_FD"))
os.write(_ready, b"R")
os.close(_ready)
def _bastion_read(n):
    b = b""
    while len(b) < n:
        c = os.read(0, n - len(b))
        if not c:
            os._exit(0)
        b += c
    return b
def _bastion_run():
    p = json.loads(_bastion_read(int(_bastion_read(10))))
    for f in p["files"]:
        d = os.path.dirname(f["path"])
        if d:
            os.makedirs(d, exist_ok=True)
        fd = os.open(f["path"], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, f["mode"])
        os.write(fd, base64.b64decode(f["data"]))
        os.close(fd)
    sys.argv = main, *_ = p["argv"]
    sys.path[0] = os.path.dirname(os.path.abspath(main))
    module = types.ModuleType("__main__")
    module.__file__ = os.path.abspath(main)
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    status = 0
    try:
        with open(main, "rb") as src:
            code = compile(src.read(), main, "exec")
        exec(code, module.__dict__)
    except SystemExit as e:
        status = e.code
    except BaseException as e:
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != main:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        status = 1
    # What interpreter shutdown does that a program can observe, without the slow teardown of
    # every module (the box is discarded anyway): threads, atexit, flushing the standard streams.
    threading._shutdown()
    atexit._run_exitfuncs()
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status & 0xFF)
_bastion_run()
"""

NODE_LOADER = r"""
const fs = require('fs'), path = require('path');
const ready = parseInt(process.env.BASTION_READY_FD, 10);
delete process.env.BASTION_READY_FD;
fs.writeSync(ready, 'R');
fs.closeSync(ready);
function rd(n) {
  const b = Buffer.alloc(n); let o = 0;
  while (o < n) {
    let k;
    try { k = fs.readSync(0, b, o, n - o, null); }
    catch (e) { if (e.code === 'EAGAIN') continue; throw e; }
    if (k === 0) process.exit(0);
    o += k;
  }
  return b;
}
const p = JSON.parse(rd(parseInt(rd(10).toString(), 10)).toString());
for (const f of p.files) {
  const d = path.dirname(f.path);
  if (d !== '.') fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(f.path, Buffer.from(f.data, 'base64'), { mode: f.mode, flag: 'wx' });
}
const main = path.resolve(p.argv[0]);
process.argv = [process.argv[0], main, ...p.argv.slice(1)];
require('module').runMain(main);
"""

LOADERS = {"python3": ("-c", PY_LOADER), "node": ("-e", NODE_LOADER)}


def loader_argv(rt: RuntimeDef) -> tuple[str, ...] | None:
    """The warm command for `rt`, or None when it cannot be pooled."""
    template = rt.run_template
    if rt.compiled or len(template) != 3 or template[1:] != ("{main}", "{args}"):
        return None
    interpreter = template[0]
    name = os.path.basename(interpreter)
    for key, (flag, code) in LOADERS.items():
        if name == key or name.startswith(key + "."):
            return (interpreter, flag, code)
    return None


def packet(files: Sequence[BoxFile], argv: Sequence[str]) -> bytes:
    body = json.dumps(
        {
            "files": [
                {"path": f.path, "mode": f.mode, "data": base64.b64encode(f.data).decode()}
                for f in files
            ],
            "argv": list(argv),
        }
    ).encode()
    return b"%010d" % len(body) + body


READY_TIMEOUT_S = 30.0


async def _read_byte(fd: int, timeout: float) -> bytes:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def on_readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, on_readable)
    try:
        await asyncio.wait_for(ready, timeout)
        return os.read(fd, 1)
    except (TimeoutError, OSError):
        return b""
    finally:
        loop.remove_reader(fd)


class WarmPool:
    """Pre-started boxes per runtime. `take()` hands one out (never twice) and starts a refill."""

    def __init__(self, pipeline: Pipeline, *, size: int = 2) -> None:
        self._pipeline = pipeline
        self._size = size
        self._ready: dict[str, list[Box]] = {}
        self._limits: dict[str, StageLimits] = {}
        self._filling: dict[str, asyncio.Task[None]] = {}
        self._closed = False
        self.hits = 0
        self.misses = 0

    def enable(self, rt: RuntimeDef, limits: StageLimits) -> bool:
        """Keep `size` warm boxes for `rt` (spawned with `limits`); False if it cannot be pooled."""
        if loader_argv(rt) is None or self._closed:
            return False
        self._ready.setdefault(rt.name, [])
        self._limits[rt.name] = limits
        self._refill(rt, limits)
        return True

    def ready(self, rt: RuntimeDef) -> int:
        """How many warm boxes wait for `rt` now."""
        return sum(1 for box in self._ready.get(rt.name, ()) if box.alive)

    async def take(self, rt: RuntimeDef, limits: StageLimits) -> Box | None:
        """A parked box for `rt` with exactly these spawn limits, or None (start cold)."""
        boxes = self._ready.get(rt.name)
        if boxes is None or self._limits.get(rt.name) != limits:
            return None  # not pooled: not counted as a miss
        box = None
        while boxes:
            candidate = boxes.pop(0)
            if candidate.alive:
                box = candidate
                break
            candidate.kill()
            await candidate.wait()
        self._refill(rt, limits)
        if box is None:
            self.misses += 1
        else:
            self.hits += 1
        return box

    def _refill(self, rt: RuntimeDef, limits: StageLimits) -> None:
        task = self._filling.get(rt.name)
        if self._closed or (task is not None and not task.done()):
            return
        self._filling[rt.name] = asyncio.get_running_loop().create_task(self._fill(rt, limits))

    async def _fill(self, rt: RuntimeDef, limits: StageLimits) -> None:
        argv = loader_argv(rt)
        boxes = self._ready[rt.name]
        while argv is not None and not self._closed and len(boxes) < self._size:
            box = await self._start_one(rt, argv, limits)
            if box is None:
                return  # jobs start cold; the next take() tries again
            if self.closed:  # closed while this box was starting
                box.kill()
                await box.wait()
                return
            boxes.append(box)

    async def _start_one(
        self, rt: RuntimeDef, argv: tuple[str, ...], limits: StageLimits
    ) -> Box | None:
        """Spawn a parked box and wait until its loader says the interpreter is up."""
        ready_r, ready_w = os.pipe2(os.O_CLOEXEC)
        try:
            spec = BoxSpec(
                argv=argv,
                env={**rt.env, "BASTION_READY_FD": str(ready_w)},
                limits=limits,
                ro_binds=rt.host_paths,
                keep_stdin_open=True,
                pass_fds=(ready_w,),
            )
            try:
                box = await self._pipeline.spawn(spec, parked=True)
            except ContainError:
                return None
            finally:
                os.close(ready_w)
            if await _read_byte(ready_r, READY_TIMEOUT_S) == b"R":
                return box
            box.kill()
            await box.wait()
            return None
        finally:
            os.close(ready_r)

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """Kill every parked box and stop refilling."""
        self._closed = True
        # Let a spawn in flight finish (it sees `closed` and kills its box): cancelling it midway
        # would leave the box's first process to die of bwrap's parent-death signal later.
        for task in self._filling.values():
            with contextlib.suppress(Exception):
                await task
        for boxes in self._ready.values():
            while boxes:
                box = boxes.pop()
                box.kill()
                await box.wait()
