"""The REPL kernels a session can run, and how each one starts inside its box.

Each driver is a plain script shipped as package data (`kernels/`) and written read-only into the
box at `KERNEL_DIR`; it runs under the box's own interpreter (Debian's /usr/bin/python3, node,
bash), never Bastion's.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from dataclasses import dataclass, field

KERNEL_DIR = "/opt/bastion"  # inside the box; the drivers are written there read-only


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    argv: tuple[str, ...]
    sources: tuple[str, ...]  # driver files shipped into KERNEL_DIR
    env: Mapping[str, str] = field(default_factory=dict)
    commands_on_stdin: bool = False  # bash: one command line per cell on stdin
    # The driver moves $BASTION_OUT_FD/$BASTION_ERR_FD onto fds 1 and 2 itself (else a bash
    # wrapper does, before it execs the driver: node cannot dup2).
    redirects_itself: bool = False


LANGUAGES: dict[str, Language] = {
    "python": Language(
        "python",
        ("/usr/bin/python3", "-E", "-s", "-u", f"{KERNEL_DIR}/pykernel.py"),
        ("pykernel.py", "_bastion_mpl.py", "fonts.conf"),
        {
            "MPLBACKEND": "module://_bastion_mpl",
            # Debian looks for it in /etc, which the box does not share with the host.
            "MATPLOTLIBRC": "/usr/share/matplotlib/mpl-data/matplotlibrc",
            "FONTCONFIG_FILE": f"{KERNEL_DIR}/fonts.conf",
            "MPLCONFIGDIR": "/tmp/.matplotlib",  # noqa: S108 - the box's private /tmp
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        redirects_itself=True,
    ),
    "javascript": Language(
        "javascript",
        ("/usr/bin/node", "--max-old-space-size=4096", f"{KERNEL_DIR}/jskernel.js"),
        ("jskernel.js",),
    ),
    "bash": Language(
        "bash",
        ("/bin/bash", "--rcfile", f"{KERNEL_DIR}/bashkernel.sh", "--noediting", "-i"),
        ("bashkernel.sh",),
        commands_on_stdin=True,
        redirects_itself=True,
    ),
}
ALIASES = {
    "python": "python", "python3": "python", "py": "python",
    "javascript": "javascript", "js": "javascript", "node": "javascript", "node-js": "javascript",
    "bash": "bash", "sh": "bash", "shell": "bash",
}  # fmt: skip


def sources(lang: Language) -> dict[str, bytes]:
    root = importlib.resources.files(__package__) / "kernels"
    return {name: (root / name).read_bytes() for name in lang.sources}
