"""`bastion chat`: composes the real sandbox with the interpreter; runs the terminal UI, or
serves the web chat (`--web`, an app served by the app server with all its defences)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Any

import click

from bastion.protocol.errors import BastionError
from bastion.protocol.exec import Sandbox

SCRIPT = Path(__file__).with_name("chat_web_app.py")


def default_sandbox(*, network: bool) -> Sandbox:
    """The real sandbox (bubblewrap + seccomp + cgroups), with sessions."""
    from bastion.server.compose import local_sandbox

    return local_sandbox(network=network)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("-m", "--model", help="Model name as the endpoint knows it.")
@click.option("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1.")
@click.option("--api-key-env", help="Environment variable holding the API key.")
@click.option(
    "-p",
    "--profile",
    type=click.Path(dir_okay=False),
    help="TOML profile [~/.config/bastion/interpreter.toml].",
)
@click.option(
    "-w",
    "--workdir",
    type=click.Path(file_okay=False, exists=True),
    help="Directory mounted read-write into the sandbox (default: the current one).",
)
@click.option("--network/--no-network", default=None, help="Let code reach the network.")
@click.option("-y", "--auto-run", is_flag=True, default=None, help="Run code without asking.")
@click.option(
    "--tools", type=click.Choice(["auto", "on", "off"]), help="Tool calls (on), code blocks (off)."
)
@click.option("--context-window", type=int, help="The model's context window, in tokens.")
@click.option("--max-steps", type=int, help="Code blocks run per turn at most.")
@click.option("--block-seconds", type=float, help="Wall-time limit of one block.")
@click.option("--resume", type=click.Path(dir_okay=False, exists=True), help="Saved conversation.")
@click.option("--no-history", is_flag=True, help="Do not save the conversation.")
@click.option("--web", is_flag=True, help="Serve the chat as a web app instead of the terminal UI.")
@click.pass_context
def chat(
    ctx: click.Context,
    /,
    resume: str | None,
    no_history: bool,
    web: bool,
    **flags: Any,
) -> None:
    """Chat with a language model that runs code in the sandbox (asks before each block).

    With --web, serve the chat as a web app; it takes the app server's options as `bastion run`
    does (--server.port 8502, --server.address; the default is 127.0.0.1, this machine only)."""
    from bastion.interpreter import (
        Interpreter,
        InterpreterError,
        NoModelConfigured,
        load_settings,
    )
    from bastion.interpreter.interpreter import data_dir
    from bastion.interpreter.terminal import Terminal

    flags["api_key_env"] = flags.pop("api_key_env")
    flags["history"] = not no_history
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    if web:
        if resume:
            raise click.UsageError("--resume is for the terminal UI; the web chat starts afresh")
        _serve_web(obj, flags, list(ctx.args))
        return
    if ctx.args:
        raise click.UsageError(f"unexpected arguments {ctx.args}: server options need --web")
    sandbox: Sandbox | None = None
    try:
        settings = load_settings(flags, profile=flags.pop("profile"))
        if not settings.model:
            raise NoModelConfigured()
        sandbox = obj["sandbox"] if "sandbox" in obj else default_sandbox(network=settings.network)
        interp = Interpreter(sandbox=sandbox, settings=settings, model_client=obj.get("model"))
        if resume:
            interp.load(resume)
    except (InterpreterError, BastionError) as exc:
        _close(sandbox)
        click.echo(str(exc), err=True)
        sys.exit(2)
    try:
        with interp:
            code = Terminal(
                interp,
                console=obj.get("console"),
                history_file=data_dir() / "chat_history" if sys.stdin.isatty() else None,
            ).run(_workdir_warnings(sandbox, settings.workdir))
    finally:
        if "sandbox" not in obj:
            _close(sandbox)
    sys.exit(code)


def _serve_web(obj: dict[str, Any], flags: dict[str, Any], args: list[str]) -> None:
    """Serve the web chat: the operator's settings and sandbox, one interpreter per tab."""
    from bastion.app import ConfigError, load_config
    from bastion.interpreter import InterpreterError, load_settings
    from bastion.server.app_service import serve
    from bastion.server.chat_web import SERVICE, WebChat
    from bastion.server.options import OptionError, parse_dotted

    sandbox: Sandbox | None = None
    try:
        settings = load_settings(flags, profile=flags.pop("profile"))
        overrides, extra = parse_dotted(args)
        if extra:
            raise click.UsageError(f"the web chat takes no script arguments (got {extra})")
        config = load_config(overrides=overrides)
        if settings.model:  # without a model the page only says how to configure one
            sandbox = (
                obj["sandbox"] if "sandbox" in obj else default_sandbox(network=settings.network)
            )
    except (OptionError, ConfigError) as exc:
        raise click.UsageError(str(exc)) from None
    except (InterpreterError, BastionError) as exc:
        _close(sandbox)
        click.echo(str(exc), err=True)
        sys.exit(2)
    warnings = _workdir_warnings(sandbox, settings.workdir) if sandbox is not None else ()
    service = WebChat(settings, sandbox, warnings, model_client=obj.get("model"))

    def started(url: str) -> None:
        click.echo(f"\n  Bastion chat is running at {url}\n", err=True)
        if config.server.address not in ("127.0.0.1", "::1", "localhost"):
            click.echo(
                f"  Warning: listening on {config.server.address}. Anyone who can open this page "
                "can ask the model to run code in the sandbox (with your work dir mounted) and "
                "approve it. There is no login yet: keep it on loopback, or put an "
                "authenticating proxy in front.\n",
                err=True,
            )
        sys.stderr.flush()

    try:
        serve(SCRIPT, config, on_started=started, services={SERVICE: service})
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {config.server.address}:{config.server.port}: {exc.strerror}. "
            "Pick another port with --server.port (0 picks a free one)."
        ) from None
    except KeyboardInterrupt:
        pass
    finally:
        service.close()
        if "sandbox" not in obj:
            _close(sandbox)


def _workdir_warnings(sandbox: Sandbox, workdir: str) -> tuple[str, ...]:
    """Say so when the sandbox's unprivileged identity cannot write to the work dir."""
    policy = getattr(sandbox, "policy", None)
    uid, gid = getattr(policy, "box_uid", None), getattr(policy, "box_gid", None)
    if uid is None or gid is None:
        return ()
    st = os.stat(workdir)
    writable = (
        (st.st_uid == uid and st.st_mode & stat.S_IWUSR)
        or (st.st_gid == gid and st.st_mode & stat.S_IWGRP)
        or st.st_mode & stat.S_IWOTH
    )
    if writable:
        return ()
    real = os.path.realpath(workdir)
    return (
        f"The sandbox runs code as the unprivileged uid {uid}, which cannot write to {real}: "
        f"code can read it but not create files there. To let it write, grant that uid access, "
        f"e.g. setfacl -m u:{uid}:rwx,d:u:{uid}:rwx {real} (or use a directory owned by {uid}).",
    )


def _close(sandbox: Sandbox | None) -> None:
    if sandbox is not None:
        from bastion.server.compose import close_sandbox

        close_sandbox(sandbox)


__all__ = ["chat"]
