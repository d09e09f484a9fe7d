"""Login pieces without a server: the [auth] config, st.user / st.login / st.logout, the sealed
cookie, `next` checking, the attempt limiter and `bastion auth hash-password`."""

from __future__ import annotations

import time
from typing import Any

import pytest
from click.testing import CliRunner

from bastion.app.auth_config import AuthConfigError, parse
from bastion.app.secrets import Secrets
from bastion.server.auth.cookie import IdentityCookie, read_cookie
from bastion.server.auth.passwords import AttemptLimiter, check_password
from bastion.server.auth.routes import safe_next
from bastion.server.cli import main
from bastion.testing import AppTest

OIDC = {
    "redirect_uri": "https://app.example/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "cid",
    "client_secret": "csecret",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def test_config_default_named_and_password_providers() -> None:
    config = parse({"auth": {**OIDC, "google": {**OIDC}, "passwords": {"a": "$argon2id$x"}}})
    assert config is not None
    assert set(config.providers) == {"default", "google"}
    assert config.default_provider() == "default"
    assert config.has("passwords")
    assert "csecret" not in repr(config), "secrets stay out of reprs (and so out of logs)"
    assert parse({}) is None


@pytest.mark.parametrize(
    ("auth", "needle"),
    [
        ({**OIDC, "cookie_secret": "short"}, "at least 16"),
        ({**OIDC, "redirect_uri": "https://app.example/elsewhere"}, "must end with"),
        ({**OIDC, "server_metadata_url": "http://idp.example/x"}, "https URL"),
        ({k: v for k, v in OIDC.items() if k != "client_secret"}, "auth.client_secret"),
        ({"cookie_secret": "x" * 32, "passwords": {"a": "plain"}}, "argon2 hash"),
        ({"cookie_secret": "x" * 32}, "names no provider"),
    ],
)
def test_config_errors_name_the_field(auth: dict[str, Any], needle: str) -> None:
    with pytest.raises(AuthConfigError, match=needle):
        parse({"auth": auth})


USER_APP = """
import bastion as st
st.write(f"in: {st.user.is_logged_in}")
st.write(sorted(st.user.to_dict()))
if st.user.is_logged_in:
    st.write(f"mail: {st.user.email} / {st.user['name']}")
if st.button("login"):
    st.login("google")
if st.button("logout"):
    st.logout()
"""


def test_st_user_anonymous_and_logged_in() -> None:
    at = AppTest.from_string(USER_APP)
    at.secrets = {"auth": {**OIDC, "google": {**OIDC}}}
    at.run()
    assert at.markdown[0].value == "in: False"
    at.session.user = "google:42"
    at.session.user_info = {"email": "a@b.c", "name": "Ada", "sub": "42"}
    at.run()
    assert at.markdown[0].value == "in: True"
    assert at.markdown[1].value == "mail: a@b.c / Ada"


def test_st_login_and_logout_redirect_the_browser() -> None:
    at = AppTest.from_string(USER_APP)
    at.secrets = {"auth": {**OIDC, "google": {**OIDC}}}
    at.run()
    at.button[0].click().run()
    assert at._tree.auth_redirect == "/_bastion/auth/login?provider=google&next=%2F"
    at.button[1].click().run()
    assert at._tree.auth_redirect == "/_bastion/auth/logout"


def test_st_login_without_config_or_with_an_unknown_provider() -> None:
    at = AppTest.from_string("import bastion as st\nst.login()")
    at.secrets = {"other": 1}
    at.run()
    assert "needs an [auth] table" in at.exception[0].value
    at = AppTest.from_string("import bastion as st\nst.login('github')")
    at.secrets = {"auth": OIDC}
    at.run()
    assert "no provider 'github'" in at.exception[0].value


def test_identity_cookie_round_trip_and_rejections() -> None:
    sealer = IdentityCookie("s" * 32, 60)
    value = sealer.seal("p:1", {"email": "e", "nonce": "n"})
    identity = sealer.open(value)
    assert identity is not None
    assert identity.user == "p:1"
    assert dict(identity.claims) == {"email": "e"}, "token-only claims are not kept"
    assert sealer.open(value, now=time.time() + 61) is None
    assert IdentityCookie("t" * 32, 60).open(value) is None
    assert sealer.open(value[::-1]) is None
    assert sealer.open("") is None
    big = sealer.seal("p:1", {"email": "e", "junk": "x" * 5000})
    assert len(big) < 3800
    assert read_cookie(f"a=1; _bastion_user={value}", "_bastion_user") == value
    assert read_cookie(None, "_bastion_user") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("/page?x=1", "/page?x=1"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/a\nb", "/"),
        (None, "/"),
    ],
)
def test_safe_next(value: object, expected: str) -> None:
    assert safe_next(value, "") == expected


def test_safe_next_under_a_base_path() -> None:
    assert safe_next("/apps/x/page", "/apps/x") == "/apps/x/page"
    assert safe_next("/other", "/apps/x") == "/apps/x/"


def test_attempt_limiter_window() -> None:
    limiter = AttemptLimiter(max_failures=3, window=10)
    for _ in range(3):
        assert limiter.retry_after("c", now=100) == 0
        limiter.failed("c", now=100)
    assert limiter.retry_after("c", now=101) == pytest.approx(9)
    assert limiter.retry_after("other", now=101) == 0, "per client"
    assert limiter.retry_after("c", now=110) == 0, "the window slides"
    limiter.failed("c", now=111)
    limiter.succeeded("c")
    assert limiter.retry_after("c", now=111) == 0


def test_hash_password_cli() -> None:
    result = CliRunner().invoke(
        main, ["auth", "hash-password", "--user", "bob", "--stdin"], input="pw\n"
    )
    assert result.exit_code == 0, result.output
    name, _, quoted = result.output.strip().partition(" = ")
    assert name == "bob"
    hashed = quoted.strip('"')
    assert check_password({"bob": hashed}, "bob", "pw")
    assert not check_password({"bob": hashed}, "bob", "pw2")
    assert "pw\n" not in result.output


def test_login_config_written_after_the_server_started_is_picked_up(tmp_path: Any) -> None:
    from bastion.app import Runtime, Script, load_config
    from bastion.server.auth.routes import AuthRoutes

    (tmp_path / "app.py").write_text("import bastion as st\n")
    runtime = Runtime(
        Script(path=tmp_path / "app.py"), load_config(cwd=tmp_path, home=tmp_path, env={})
    )
    runtime.secrets = Secrets([tmp_path / ".bastion" / "secrets.toml"])
    routes = AuthRoutes(runtime, "")
    assert routes.identify({"headers": []}) is None
    assert routes.config() is None
    (tmp_path / ".bastion").mkdir()
    (tmp_path / ".bastion" / "secrets.toml").write_text(
        '[auth]\ncookie_secret = "0123456789abcdef0123"\n[auth.passwords]\na = "$argon2id$x"\n'
    )
    config = routes.config()
    assert config is not None
    assert config.has("passwords")
