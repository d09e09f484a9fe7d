"""Configuration: defaults < profile file < environment < flags (or keyword arguments).

A profile is a TOML file of plain values, validated field by field. It is data only: nothing in it
is executed or templated, and it is read from a local path, never fetched from a URL.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from bastion.interpreter.errors import ProfileError

ToolMode = Literal["auto", "on", "off"]


class Limits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_steps: int = 20  # code blocks run per user turn
    max_turn_tokens: int = 250_000  # prompt + completion tokens spent per user turn
    max_turn_seconds: float = 900.0  # wall time of one user turn, model and code included
    block_seconds: float = 120.0  # wall time of one block
    block_memory_mb: int = 1024
    max_repeated_failures: int = 2  # the same block failing this many times ends the turn
    max_output_chars: int = 8000  # of one block's output, as the model sees it


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    model: str = ""
    base_url: str | None = None  # None: the client's default (OpenAI's API)
    api_key: str | None = None
    api_key_env: str | None = None  # read the key from this environment variable
    tools: ToolMode = "auto"  # auto: use tool calls, fall back to code blocks if refused
    context_window: int = 32_768
    max_output_tokens: int = 4096
    temperature: float | None = None
    request_timeout_s: float = 120.0
    retries: int = 2  # before the first token only: a broken stream is never replayed
    auto_run: bool = False
    network: bool = False
    workdir: str = "."
    languages: tuple[str, ...] = ("python", "shell", "javascript")
    custom_instructions: str = ""
    history: bool = False  # save every conversation as JSON in the data dir (the CLI does)
    limits: Limits = Limits()


_ENV = {
    "BASTION_MODEL": "model",
    "BASTION_BASE_URL": "base_url",
    "BASTION_API_KEY": "api_key",
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_profile(path: str | os.PathLike[str]) -> dict[str, Any]:
    text = os.fspath(path)
    if _URL.match(text):
        raise ProfileError(
            f"profile {text!r} is a URL; profiles are read from local files only "
            "(download it, read it, then pass its path)"
        )
    try:
        data = tomllib.loads(Path(text).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(
            f"profile {text!r} does not exist; pass the path of a TOML file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {text!r} is not valid TOML: {exc}") from None
    return data


def default_profile_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "bastion" / "interpreter.toml"


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    profile: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the layers; `overrides` (flags, keyword arguments) whose value is None are unset."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    if profile is not None:
        merged.update(read_profile(profile))
    elif default_profile_path(env).is_file():
        merged.update(read_profile(default_profile_path(env)))
    for var, name in _ENV.items():
        if env.get(var):
            merged[name] = env[var]
    limits = dict(merged.pop("limits", {}) or {})
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name in Limits.__struct_fields__:
            limits[name] = value
        else:
            merged[name] = value
    merged["limits"] = limits
    try:
        settings = msgspec.convert(merged, Settings)
    except msgspec.ValidationError as exc:
        raise ProfileError(f"invalid setting: {exc}") from None
    if settings.api_key is None:
        key_var = settings.api_key_env or "OPENAI_API_KEY"
        key = env.get(key_var)
        if settings.api_key_env and not key:
            raise ProfileError(f"api_key_env names {key_var}, which is not set in the environment")
        if key:
            settings = msgspec.structs.replace(settings, api_key=key)
    if settings.base_url is None and env.get("OPENAI_BASE_URL"):
        settings = msgspec.structs.replace(settings, base_url=env["OPENAI_BASE_URL"])
    return settings
