"""Configuration precedence and errors, secrets files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.app.config import ConfigError, load_config
from bastion.app.secrets import Secrets, SecretsError


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_defaults_are_safe(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, home=tmp_path / "home", env={})
    assert config.server.address == "127.0.0.1"
    assert config.server.port == 8501
    assert config.server.enable_xsrf_protection


def test_precedence_home_cwd_env_overrides(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / ".bastion" / "config.toml", "[server]\nport = 1111\nbaseUrlPath = 'home'\n")
    write(tmp_path / ".bastion" / "config.toml", "[server]\nport = 2222\n[theme]\nbase = 'dark'\n")
    config = load_config(cwd=tmp_path, home=home, env={})
    assert (config.server.port, config.server.base_url_path) == (2222, "home")
    assert config.theme.base == "dark"
    config = load_config(
        cwd=tmp_path,
        home=home,
        env={"BASTION_SERVER_PORT": "3333", "BASTION_SERVER_BASE_URL_PATH": "/env"},
    )
    assert (config.server.port, config.server.base_url_path) == (3333, "/env")
    config = load_config(
        cwd=tmp_path,
        home=home,
        env={"BASTION_SERVER_PORT": "3333"},
        overrides={"server.port": 4444, "server.base_url_path": "/cli"},
    )
    assert (config.server.port, config.server.base_url_path) == (4444, "/cli")


def test_unknown_option_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path / ".bastion" / "config.toml", "[server]\nprot = 1\n")
    with pytest.raises(
        ConfigError, match=r"unknown config option server\.prot\. Did you mean server\.port\?"
    ):
        load_config(cwd=tmp_path, home=tmp_path, env={})
    with pytest.raises(ConfigError, match=r"unknown config section \[sever\]"):
        load_config(cwd=tmp_path / "x", home=tmp_path / "y", env={}, overrides={"sever.port": 1})


def test_bad_value_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"server\.port"):
        load_config(cwd=tmp_path, home=tmp_path, env={"BASTION_SERVER_PORT": "eighty"})
    with pytest.raises(ConfigError, match="theme"):
        load_config(cwd=tmp_path, home=tmp_path, env={}, overrides={"theme.base": "purple"})


def test_other_parts_env_vars_are_not_ours(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, home=tmp_path, env={"BASTION_SANDBOX_ROOT": "/x"})
    assert config.server.port == 8501


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    write(tmp_path / ".bastion" / "config.toml", "[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(cwd=tmp_path, home=tmp_path / "h", env={})


def test_secrets_files_later_wins_and_nested_attribute_access(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", "token = 'a'\n[db]\nuser = 'u'\n")
    write(tmp_path / "b.toml", "token = 'bee-secret'\n")
    secrets = Secrets([tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "missing.toml"])
    assert secrets["token"] == "bee-secret"
    assert secrets.db.user == "u"
    assert "token" in secrets
    assert "bee-secret" not in repr(secrets), "repr shows keys, not values"
    assert "token" in repr(secrets)
    with pytest.raises(SecretsError, match="has no key 'nope'"):
        secrets["nope"]
    with pytest.raises(AttributeError):
        _ = secrets.nope


def test_no_secrets_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SecretsError, match="No secrets found"):
        Secrets([tmp_path / "none.toml"])["x"]


def test_list_options_from_the_environment(tmp_path: Path) -> None:
    one = load_config(
        cwd=tmp_path, home=tmp_path, env={"BASTION_SERVER_ALLOWED_ORIGINS": "https://a.example"}
    )
    assert one.server.allowed_origins == ["https://a.example"]
    two = load_config(
        cwd=tmp_path, home=tmp_path, env={"BASTION_SERVER_ALLOWED_ORIGINS": "https://a, https://b"}
    )
    assert two.server.allowed_origins == ["https://a", "https://b"]


def test_option_spellings(tmp_path: Path) -> None:
    write(tmp_path / ".bastion" / "config.toml", "[server]\ndisconnectedSessionTTL = 30\n")
    config = load_config(
        cwd=tmp_path,
        home=tmp_path / "h",
        env={"BASTION_SERVER_MAX_SESSIONS": "7"},
        overrides={"server.base_url_path": "/a", "client.showErrorDetails": False},
    )
    assert config.server.disconnected_session_ttl == 30
    assert config.server.max_sessions == 7
    assert config.server.base_url_path == "/a"
    assert config.client.show_error_details is False
