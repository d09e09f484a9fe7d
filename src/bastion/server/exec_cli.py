"""`bastion exec serve` and `bastion exec keys create|list|revoke`: the exec service's commands.

This is the composition root for the service: it builds the real sandbox and runtime catalog
and hands them to `bastion.sandbox.service.create_app`, which only knows the protocol.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import click

from bastion.protocol.errors import SandboxUnavailable
from bastion.sandbox.service import (
    ConfiguredLimits,
    KeyStore,
    ServiceConfig,
    keys_required,
)


def default_state_dir() -> Path:
    env = os.environ.get("BASTION_EXEC_STATE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "bastion" / "exec"


_state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_state_dir,
    show_default="$BASTION_EXEC_STATE_DIR or ~/.local/state/bastion/exec",
    help="Where API keys (SQLite, hashed) and package choices are kept.",
)


@click.group("exec")
def exec_group() -> None:
    """The Piston-compatible code execution service."""


@exec_group.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address.")
@click.option("--port", default=2000, show_default=True, type=int, help="Port (Piston's 2000).")
@_state_dir_option
@click.option(
    "--require-keys",
    is_flag=True,
    help="Require API keys even on loopback (always on for any other address).",
)
@click.option("--concurrency", type=int, default=None, help="Jobs running at once [2 x CPUs].")
@click.option("--queue-size", type=int, default=256, show_default=True, help="Jobs that may wait.")
@click.option("--rate", type=float, default=10.0, show_default=True, help="Requests/s per key.")
@click.option("--burst", type=int, default=20, show_default=True, help="Burst per key.")
@click.option("--run-timeout", type=int, default=3000, show_default=True, help="ms, wall clock.")
@click.option("--compile-timeout", type=int, default=10000, show_default=True, help="ms.")
@click.option(
    "--memory-limit",
    type=int,
    default=512 * 1024 * 1024,
    show_default=True,
    help="Bytes for the run stage, the most a request may ask for.",
)
@click.option(
    "--compile-memory-limit",
    type=int,
    default=1024 * 1024 * 1024,
    show_default=True,
    help="Bytes for the compile stage.",
)
@click.option("--output-max-size", type=int, default=1024, show_default=True, help="Per stream.")
@click.option(
    "--keys-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="API key database [STATE_DIR/keys.sqlite3]; opened read-only when not writable.",
)
@click.option(
    "--replica",
    envvar="BASTION_EXEC_REPLICA",
    default="",
    help="This replica's name (e.g. the pod name), prefixed to session ids for pinning.",
)
@click.option(
    "--cgroup-prefix",
    default="bastion-exec",
    show_default=True,
    help="Cgroup subtree for this service's jobs; swept at startup. One per service on a host.",
)
@click.option("--log-level", default="info", show_default=True)
def serve(
    host: str,
    port: int,
    state_dir: Path,
    require_keys: bool,
    concurrency: int | None,
    queue_size: int,
    rate: float,
    burst: int,
    run_timeout: int,
    compile_timeout: int,
    memory_limit: int,
    compile_memory_limit: int,
    output_max_size: int,
    keys_db: Path | None,
    replica: str,
    cgroup_prefix: str,
    log_level: str,
) -> None:
    """Serve Piston's v2 API (and sessions) on the Bastion sandbox."""
    import uvicorn

    from bastion.server.exec_wiring import build_app

    need_keys = keys_required(host, force=require_keys)
    limits = ConfiguredLimits(
        compile_timeout=compile_timeout,
        run_timeout=run_timeout,
        compile_cpu_time=compile_timeout,
        run_cpu_time=run_timeout,
        compile_memory_limit=compile_memory_limit,
        run_memory_limit=memory_limit,
        output_max_size=output_max_size,
    )
    config = ServiceConfig(
        limits=limits,
        require_keys=need_keys,
        max_queued=queue_size,
        rate_per_second=rate,
        burst=burst,
        replica=replica,
    )
    if concurrency:  # else the config's default, scaled to the CPUs
        config = dataclasses.replace(config, concurrency=concurrency)
    keys_path = keys_db or state_dir / "keys.sqlite3"
    read_only = keys_path.exists() and not os.access(keys_path, os.W_OK)
    key_store = KeyStore(keys_path, read_only=read_only) if need_keys else None
    try:
        app = build_app(config, state_dir, key_store, cgroup_prefix=cgroup_prefix)
    except SandboxUnavailable as e:
        # Fail closed, and say what is missing and how to fix it (`bastion sandbox doctor`).
        raise click.ClickException(f"{e}; nothing will run without it") from None
    keys_note = "API keys required" if need_keys else "API keys off (loopback only)"
    click.echo(f"bastion exec: serving on http://{host}:{port} ({keys_note})", err=True)
    if key_store is not None and not any(k.revoked_at is None for k in key_store.list()):
        click.echo(
            f"bastion exec: no active API key in {keys_path}; every request will get 401 until "
            "you run `bastion exec keys create --name NAME`",
            err=True,
        )
    uvicorn.run(app, host=host, port=port, log_level=log_level, ws="websockets-sansio")


@exec_group.group()
def keys() -> None:
    """Manage API keys (stored hashed; a key is shown once, at creation)."""


@keys.command("create")
@click.option("--name", required=True, help="Who or what the key is for.")
@click.option("--rate", type=float, default=None, help="Requests/s for this key [service default].")
@click.option("--burst", type=int, default=None, help="Burst for this key [service default].")
@_state_dir_option
def keys_create(name: str, rate: float | None, burst: int | None, state_dir: Path) -> None:
    """Create a key and print it (the only time it is shown)."""
    store = KeyStore(state_dir / "keys.sqlite3")
    try:
        key, plain = store.create(name, rate_per_second=rate, burst=burst)
    finally:
        store.close()
    click.echo(plain)
    click.echo(f"created key {key.id} ({name}); store it now, it cannot be shown again", err=True)


@keys.command("list")
@_state_dir_option
def keys_list(state_dir: Path) -> None:
    """List keys (ids and names, never secrets)."""
    store = KeyStore(state_dir / "keys.sqlite3")
    try:
        rows = store.list()
    finally:
        store.close()
    click.echo(f"{'ID':<14}{'NAME':<24}{'CREATED':<22}{'RATE':<10}STATUS")
    for k in rows:
        created = dt.datetime.fromtimestamp(k.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        rate = "default" if k.rate_per_second is None else f"{k.rate_per_second:g}/s"
        status = "revoked" if k.revoked_at else "active"
        click.echo(f"{k.id:<14}{k.name:<24}{created:<22}{rate:<10}{status}")


@keys.command("revoke")
@click.argument("key_id")
@_state_dir_option
def keys_revoke(key_id: str, state_dir: Path) -> None:
    """Revoke a key by id; requests using it fail from then on."""
    store = KeyStore(state_dir / "keys.sqlite3")
    try:
        done = store.revoke(key_id)
    finally:
        store.close()
    if not done:
        raise click.ClickException(
            f"no active key with id {key_id!r}; see `bastion exec keys list`"
        )
    click.echo(f"revoked key {key_id}")
