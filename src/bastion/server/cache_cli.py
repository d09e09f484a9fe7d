"""`bastion cache clear APP.py`: the operator's way to drop an app's persisted st.cache_data files.

Clearing caches affects every user of an app, so it is an operator action: a command run on the
server's machine, never a message a browser can send. A running server's in-memory caches belong
to its process (restart it, or call `Runtime.clear_caches()` from code you control)."""

from __future__ import annotations

from pathlib import Path

import click

from bastion.app.caching.disk import default_directory


@click.group("cache")
def cache_group() -> None:
    """Manage the caches of apps (operator commands)."""


@cache_group.command("clear")
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def clear(script: Path) -> None:
    """Delete SCRIPT's persisted st.cache_data files (persist="disk") and its signing key."""
    directory = default_directory(str(script.resolve()))
    removed = 0
    if directory.is_dir():
        for p in directory.iterdir():
            if p.suffix in (".bcache", ".tmp") or p.name == "signing.key":
                p.unlink(missing_ok=True)
                removed += 1
    click.echo(f"removed {removed} file(s) from {directory}")
