"""Languages without a REPL kernel: each cell is a file, compiled and run in a fresh box.

The runtime definition (`bastion.sandbox.runtimes`) says how. The cell's source and any compiler
output live in the box's private `/tmp` (never in the session's work dir, where they could
overwrite the caller's files); the program then runs with the work dir as its current
directory, like a kernel's cells. Nothing persists between such cells but the files the
program writes in `/box`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from bastion.protocol.exec import CellResult, OutputCallback
from bastion.sandbox.contain.spec import BOX, BoxFile, BoxResult, BoxSpec
from bastion.sandbox.jobs import stage_result
from bastion.sandbox.policy import StageLimits
from bastion.sandbox.runtimes import RuntimeDef
from bastion.sandbox.sessions.kernel import INTERRUPT_GRACE_S, RunningBox, Spawn

CELL_DIR = "/tmp/.bastion-cell"  # noqa: S108 - inside the box, whose /tmp is its own
MAIN = "main"

# argv: bash -c SCRIPT bash N <compile argv (N words)> <run argv>
_SCRIPT = f"""n=$1; shift
cd {CELL_DIR} || exit 125
if ((n > 0)); then "${{@:1:n}}" || exit; fi
shift "$n"
cd {BOX} && exec "$@"
"""


class OneShot:
    """One cell of a file-per-call language. `stop_cell()` interrupts it like a kernel's cell."""

    def __init__(self, rt: RuntimeDef) -> None:
        self.rt = rt
        self._box: RunningBox | None = None
        self._stopping = False

    def spec(
        self,
        code: str,
        *,
        workdir: str,
        network: bool,
        limits: StageLimits,
        cgroup_parent: str | None = None,
    ) -> BoxSpec:
        rt = self.rt
        names = rt.place_files([MAIN])
        placed = [f"{CELL_DIR}/{n}" for n in names]
        compile_argv = rt.compile_argv(placed) or ()
        # The run command names the compiler's output relative to the cell dir ("./a.out").
        run_argv = [f"{CELL_DIR}/{a[2:]}" if a.startswith("./") else a for a in rt.run_argv(placed)]
        prefix = ("/bin/bash", "--norc", "--noprofile", "-c", _SCRIPT, "bash")
        return BoxSpec(
            argv=(*prefix, str(len(compile_argv)), *compile_argv, *run_argv),
            env=dict(rt.env),
            files=(BoxFile(placed[0], code.encode(), 0o444),),
            limits=limits,
            network=network,
            ro_binds=tuple(rt.host_paths),
            workdir=workdir,
            cgroup_parent=cgroup_parent,
        )

    async def run(
        self, spawn: Spawn, spec: BoxSpec, on_output: OutputCallback | None
    ) -> CellResult:
        box = self._box = await spawn(spec, on_output)  # type: ignore[arg-type]
        if self._stopping:  # interrupted while its box was starting
            self._stopping = False
            self.stop_cell()
        try:
            result: BoxResult = await box.wait()
        except asyncio.CancelledError:
            box.kill()
            raise
        finally:
            self._box = None
        return CellResult(stage=stage_result(result))

    def stop_cell(self) -> None:
        box = self._box
        if self._stopping:
            return
        self._stopping = True
        if box is None:
            return  # not started yet: run() stops it as soon as it is
        with contextlib.suppress(OSError):
            box.signal(signal.SIGINT)
        asyncio.get_running_loop().call_later(INTERRUPT_GRACE_S, self._kill)

    def _kill(self) -> None:
        if self._box is not None:
            self._box.kill()
