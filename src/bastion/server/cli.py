"""The `bastion` command: the composition root's command line. Each part adds its own group."""

from __future__ import annotations

import click

from bastion._version import __version__
from bastion.server import app_cli
from bastion.server.auth_cli import auth_group
from bastion.server.cache_cli import cache_group
from bastion.server.chat_cli import chat
from bastion.server.exec_cli import exec_group
from bastion.server.sandbox_cli import sandbox


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Bastion: data apps, a code execution service and an interpreter over one sandbox."""


@main.command()
def version() -> None:
    """Print Bastion's version."""
    click.echo(f"Bastion {__version__}")


main.add_command(chat)
main.add_command(sandbox)
main.add_command(exec_group)

main.add_command(app_cli.run)
main.add_command(app_cli.hello)
main.add_command(auth_group)
main.add_command(cache_group)
