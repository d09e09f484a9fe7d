"""`bastion run` and `bastion hello`: serve an app script (Streamlit-style dotted options)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bastion.server.options import OptionError, parse_dotted

HELLO_SCRIPT = Path(__file__).parent / "hello" / "hello.py"
_PASSTHROUGH = {"ignore_unknown_options": True, "allow_extra_args": True}


def _serve(script: Path, args: list[str]) -> None:
    # Imported here: `bastion version` and the other parts' commands stay fast.
    from bastion.app import ConfigError, load_config
    from bastion.server.app_service import serve

    try:
        overrides, script_args = parse_dotted(args)
        config = load_config(overrides=overrides)
    except (OptionError, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    if not script.is_file():
        raise click.UsageError(f"no such app script: {script}")

    def started(url: str) -> None:
        click.echo(f"\n  Bastion app {script.name} is running at {url}\n", err=True)
        sys.stderr.flush()

    try:
        serve(script, config, script_args=script_args, on_started=started)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {config.server.address}:{config.server.port}: {exc.strerror}. "
            "Pick another port with --server.port (0 picks a free one)."
        ) from None
    except KeyboardInterrupt:
        pass


@click.command(context_settings=_PASSTHROUGH)
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def run(ctx: click.Context, script: Path) -> None:
    """Serve the app SCRIPT. Options as in Streamlit: --server.port 8502, --server.address
    0.0.0.0 (the default is 127.0.0.1, this machine only), --theme.base dark; arguments for the
    script itself go after `--`."""
    if script.suffix not in (".py", ".pyw"):
        raise click.UsageError(f"{script} is not a Python file: give the path of an app script")
    _serve(script, list(ctx.args))


@click.command(context_settings=_PASSTHROUGH)
@click.pass_context
def hello(ctx: click.Context) -> None:
    """Serve Bastion's demo app (takes the same options as `bastion run`)."""
    _serve(HELLO_SCRIPT, list(ctx.args))
