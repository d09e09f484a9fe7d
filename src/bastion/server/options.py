"""Streamlit-style dotted command-line options: `--server.port 8502`, `--server.address=0.0.0.0`.

The CLI passes what it cannot parse itself to `parse_dotted`, which returns `{"server.port":
"8502"}` as strings and leaves typing and validation to the config loader, so the same rules apply
to flags, environment variables and the config file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9_]*$")


class OptionError(ValueError):
    pass


def parse_dotted(args: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Split `args` into dotted options and the script's own arguments (after `--`)."""
    options: dict[str, str] = {}
    script_args: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            script_args = list(args[i + 1 :])
            break
        if not arg.startswith("--"):
            raise OptionError(
                f"unexpected argument {arg!r}: options look like --section.name VALUE; "
                "pass arguments for the script after `--`"
            )
        name, eq, value = arg[2:].partition("=")
        if not _NAME.match(name):
            raise OptionError(
                f"invalid option {arg!r}: expected --section.name (for example --server.port 8502)"
            )
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("--"):
                # A bare flag means true, as in Streamlit (`--server.headless`).
                value = "true"
            else:
                i += 1
                value = args[i]
        options[name] = value
        i += 1
    return options, script_args
