"""`bastion auth`: tools for app login. `hash-password` makes an `[auth.passwords]` entry."""

from __future__ import annotations

import sys

import click


@click.group("auth")
def auth_group() -> None:
    """App login (st.login): helpers for the [auth] table of secrets.toml."""


@auth_group.command("hash-password")
@click.option("--user", default="USER", show_default=True, help="The name to print the line for.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
def hash_password_cmd(user: str, from_stdin: bool) -> None:
    """Hash a password with argon2id for [auth.passwords] (the password is never echoed)."""
    try:
        from bastion.server.auth.passwords import hash_password
    except ImportError:  # pragma: no cover - the extra is missing
        raise click.ClickException("install the auth extra: pip install 'bastion[auth]'") from None
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if not password:
        raise click.UsageError("an empty password cannot be used")
    try:
        hashed = hash_password(password)
    except ImportError:
        raise click.ClickException("install the auth extra: pip install 'bastion[auth]'") from None
    click.echo(f'{user} = "{hashed}"')
