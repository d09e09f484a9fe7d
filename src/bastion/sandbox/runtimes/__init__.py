"""Language runtimes: declared in data files, detected from what is installed, resolved as Piston.

Each runtime is one TOML file in ``defs/`` (see `decl` for the fields). At service start, never at
import, detect what is installed and keep the registry::

    from bastion.sandbox.runtimes import detect_runtimes

    detection = detect_runtimes()          # runs each toolchain's version command, in parallel
    registry = detection.registry          # only runtimes whose toolchain is present
    detection.unavailable                  # (name, language, reason with the fix) for the rest

    registry.listing()                     # tuple[protocol.exec.Runtime] for GET /api/v2/runtimes
    rt = registry.resolve("py", "3.x")     # name or alias + npm range, newest wins; else
                                           # UnknownRuntime: "py-3.x runtime is unknown"

A `RuntimeDef` tells the sandbox how to run a job::

    names = rt.place_files([f.name for f in job.files])  # main file may gain its extension
    rt.compile_argv(names)                 # argv or None (interpreted)
    rt.run_argv(names, job.args)           # argv; programs are absolute host paths or ./a.out
    rt.env                                 # extra environment for both stages
    rt.host_paths                          # host paths to bind read-only (same path) besides /usr
    rt.compile_limits, rt.run_limits       # protocol.exec.Limits overriding the policy defaults
    rt.test                                # protocol.exec.File whose program prints exactly "OK"

For operators (``bastion sandbox doctor``), `inventory_report(detection)` lists each runtime with
the Debian packages (and versions) that own its toolchain, and each missing one with its fix.
"""

from bastion.sandbox.runtimes.decl import RuntimeDecl as RuntimeDecl
from bastion.sandbox.runtimes.decl import RuntimeDefinitionError as RuntimeDefinitionError
from bastion.sandbox.runtimes.decl import load_declarations as load_declarations
from bastion.sandbox.runtimes.detect import Detection as Detection
from bastion.sandbox.runtimes.detect import Unavailable as Unavailable
from bastion.sandbox.runtimes.detect import detect_runtimes as detect_runtimes
from bastion.sandbox.runtimes.inventory import Toolchain as Toolchain
from bastion.sandbox.runtimes.inventory import inventory as inventory
from bastion.sandbox.runtimes.inventory import inventory_report as inventory_report
from bastion.sandbox.runtimes.registry import RuntimeRegistry as RuntimeRegistry
from bastion.sandbox.runtimes.runtime import RuntimeDef as RuntimeDef
from bastion.sandbox.runtimes.runtime import build_runtime as build_runtime
from bastion.sandbox.runtimes.version import coerce_version as coerce_version

__all__ = [
    "Detection",
    "RuntimeDecl",
    "RuntimeDef",
    "RuntimeDefinitionError",
    "RuntimeRegistry",
    "Toolchain",
    "Unavailable",
    "build_runtime",
    "coerce_version",
    "detect_runtimes",
    "inventory",
    "inventory_report",
    "load_declarations",
]
