"""App configuration: `.bastion/config.toml`, `BASTION_*` environment variables, CLI flags.

Precedence, lowest first: defaults < ``~/.bastion/config.toml`` < ``./.bastion/config.toml`` <
environment (``BASTION_SERVER_PORT=8502``, ``BASTION_SERVER_BASE_URL_PATH=/app``) < CLI overrides
(``--server.port 8502``, ``--server.baseUrlPath /app``). Keys are camelCase in files, as in
Streamlit's ``config.toml`` (so existing sections can be copied); snake_case is accepted too.
Every value is type-checked; an unknown key is an error that names the closest valid one.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from bastion.app.errors import AppError
from bastion.protocol.app import Theme


class ConfigError(AppError):
    pass


class _Section(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class ServerConfig(_Section):
    address: str = "127.0.0.1"  # loopback unless told otherwise
    port: int = 8501
    base_url_path: str = ""
    max_message_size: int = 16  # MB, largest inbound WebSocket frame
    max_upload_size: int = 200  # MB, largest uploaded file (enforced while streaming)
    max_upload_session_size: int = 1024  # MB, all uploads one session holds on disk
    max_media_session_size: int = 200  # MB, media bytes (images, downloads) held per session
    max_media_total_size: int = 1024  # MB, media bytes held by all sessions together
    media_grace_seconds: float = 30.0  # media no longer shown stays fetchable this long
    enable_static_serving: bool = False  # serve ./static beside the script at /app/static/
    disconnected_session_ttl: float = 120.0  # seconds a dropped session waits for a resume
    max_sessions: int = 2000
    allowed_origins: list[str] = []  # extra origins allowed besides the server's own
    enable_xsrf_protection: bool = True
    # --- issue 6: the guards (see SECURITY.md and bastion.server.guard) ---
    # development: full tracebacks in the browser (only allowed on a loopback address);
    # production: a short message and an error id. Unset: development on loopback, else production.
    mode: Literal["development", "production"] | None = None
    allowed_hosts: list[str] = []  # Host names accepted besides IP literals and localhost
    frame_ancestors: list[str] = []  # who may frame the app (CSP); empty: nobody ('none')
    trusted_proxies: list[str] = []  # addresses whose X-Forwarded-* headers are believed
    ssl_cert_file: str | None = None  # serve HTTPS (and send HSTS)
    ssl_key_file: str | None = None
    max_sessions_per_client: int = 32  # connected sessions from one client address; 0: no cap
    max_reruns_per_second: float = 20.0  # per session, sustained (token bucket refill); 0: off
    rerun_burst: int = 40  # per session, reruns allowed back to back before the limit bites
    idle_session_timeout: float = 3600.0  # seconds without a client message; 0: never
    headless: bool = True
    flush_interval_ms: float = 3.0  # how long output may wait to be batched during a run


LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1", "localhost"})


def effective_mode(server: ServerConfig) -> Literal["development", "production"]:
    """`server.mode`, or its default: development on a loopback address, production otherwise."""
    if server.mode is not None:
        return server.mode
    return "development" if server.address in LOOPBACK_ADDRESSES else "production"


class RunnerConfig(_Section):
    magic_enabled: bool = True
    # How long a script may take to reach its next st.* call after a rerun or stop request
    # before it is interrupted asynchronously (see bastion.app.runner.Interrupter).
    interrupt_grace_ms: float = 50.0
    max_cache_size: int = 1024  # MB of st.cache_data values per app; least recently used go first


class ClientConfig(_Section):
    show_error_details: bool = True  # tracebacks in the app; turn off in production
    toolbar_mode: Literal["auto", "developer", "viewer", "minimal"] = "auto"
    show_sidebar_navigation: bool = True  # the pages/ folder's menu in the sidebar


class ThemeConfig(_Section):
    base: Literal["light", "dark"] | None = None
    primary_color: str | None = None
    background_color: str | None = None
    secondary_background_color: str | None = None
    text_color: str | None = None
    font: Literal["sans serif", "serif", "monospace"] | None = None

    def to_protocol(self) -> Theme:
        return Theme(
            base=self.base,
            primary_color=self.primary_color,
            background_color=self.background_color,
            secondary_background_color=self.secondary_background_color,
            text_color=self.text_color,
            font=self.font,
        )


class AppConfig(_Section):
    server: ServerConfig = msgspec.field(default_factory=ServerConfig)
    runner: RunnerConfig = msgspec.field(default_factory=RunnerConfig)
    client: ClientConfig = msgspec.field(default_factory=ClientConfig)
    theme: ThemeConfig = msgspec.field(default_factory=ThemeConfig)


_SECTIONS: dict[str, type[_Section]] = {
    "server": ServerConfig,
    "runner": RunnerConfig,
    "client": ClientConfig,
    "theme": ThemeConfig,
}


def _camel(name: str) -> str:
    if "_" not in name:
        return name if not name.isupper() else name.lower()
    head, *rest = name.lower().split("_")
    return head + "".join(p.capitalize() for p in rest)


def _options(section: str) -> list[str]:
    return [f.encode_name for f in msgspec.structs.fields(_SECTIONS[section])]


def _check_key(section: str, option: str, origin: str) -> str:
    if section not in _SECTIONS:
        close = difflib.get_close_matches(section, _SECTIONS, n=1)
        hint = f" Did you mean [{close[0]}]?" if close else f" Sections: {', '.join(_SECTIONS)}."
        raise ConfigError(f"{origin}: unknown config section [{section}].{hint}")
    valid = _options(section)
    # camelCase, snake_case and SHOUTING all name the same option (baseUrlPath, base_url_path,
    # BASE_URL_PATH; Streamlit's disconnectedSessionTTL too).
    by_norm = {v.lower(): v for v in valid}
    name = by_norm.get(option.replace("_", "").lower(), "")
    if not name:
        close = difflib.get_close_matches(_camel(option), valid, n=1)
        hint = f" Did you mean {section}.{close[0]}?" if close else ""
        raise ConfigError(
            f"{origin}: unknown config option {section}.{option}.{hint} "
            f"Valid options of [{section}]: {', '.join(valid)}."
        )
    return name


def _merge(into: dict[str, dict[str, Any]], data: Mapping[str, Any], origin: str) -> None:
    for section, values in data.items():
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: [{section}] must be a table of options, got {values!r}")
        for option, value in values.items():
            name = _check_key(section, option, origin)
            into.setdefault(section, {})[name] = value


_ENV_RE = re.compile(r"^BASTION_([A-Z]+)_([A-Z0-9_]+)$")


def load_config(
    *,
    cwd: str | os.PathLike[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> AppConfig:
    """Read the configuration from files, environment and overrides (see the module docstring)."""
    merged: dict[str, dict[str, Any]] = {}
    home_dir = Path(home) if home is not None else Path.home()
    cwd_dir = Path(cwd) if cwd is not None else Path.cwd()
    seen: set[Path] = set()
    for path in (home_dir / ".bastion" / "config.toml", cwd_dir / ".bastion" / "config.toml"):
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        _merge(merged, data, str(path))
    for var, value in (os.environ if env is None else env).items():
        m = _ENV_RE.match(var)
        if m and m[1].lower() in _SECTIONS:
            section = m[1].lower()
            name = _check_key(section, m[2], var)
            merged.setdefault(section, {})[name] = _env_value(section, name, value)
    for dotted, value in (overrides or {}).items():
        section, _, option = dotted.partition(".")
        merged.setdefault(section, {})[_check_key(section, option, f"--{dotted}")] = value
    try:
        config = msgspec.convert(merged, AppConfig, strict=False)
    except msgspec.ValidationError as e:
        where = str(e).rsplit("at `$.", 1)[-1].rstrip("`") if "at `$." in str(e) else "config"
        raise ConfigError(f"invalid config value for {where}: {e}") from None
    check_config(config)
    return config


def check_config(config: AppConfig) -> None:
    """Rules across options, which the types alone cannot say."""
    server = config.server
    if server.mode == "development" and server.address not in LOOPBACK_ADDRESSES:
        raise ConfigError(
            f"server.mode = development is only allowed on a loopback address, not "
            f"{server.address!r}: development mode shows full tracebacks to every viewer. "
            "Use server.mode = production, or bind server.address to 127.0.0.1."
        )
    if (server.ssl_cert_file is None) != (server.ssl_key_file is None):
        raise ConfigError(
            "server.sslCertFile and server.sslKeyFile go together: set both to serve HTTPS, "
            "or neither"
        )


def _env_value(section: str, name: str, value: str) -> Any:
    # Lists come as comma-separated values (BASTION_SERVER_ALLOWED_ORIGINS=a,b).
    field = next(f for f in msgspec.structs.fields(_SECTIONS[section]) if f.encode_name == name)
    if getattr(field.type, "__origin__", None) is list:
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def option_value(config: AppConfig, key: str, origin: str) -> Any:
    """The value of ``section.optionName`` (any spelling `_check_key` accepts) in `config`."""
    section, dot, option = key.partition(".") if isinstance(key, str) else ("", "", "")
    if not dot or not option:
        raise ConfigError(f"{origin}: expected a key like 'server.port', got {key!r}")
    name = _check_key(section, option, origin)
    field = next(f for f in msgspec.structs.fields(_SECTIONS[section]) if f.encode_name == name)
    return getattr(getattr(config, section), field.name)
