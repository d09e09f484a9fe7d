"""The `bastion` command: the composition root's command line. Each part adds its own group."""

from __future__ import annotations

import click

from bastion._version import __version__
from bastion.server import app_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Bastion: data apps, a code execution service and an interpreter over one sandbox."""


@main.command()
def version() -> None:
    """Print Bastion's version."""
    click.echo(f"Bastion {__version__}")


main.add_command(app_cli.run)
main.add_command(app_cli.hello)
