"""Login through the real app server against a real (small) OpenID Connect provider on loopback,
and the password mode; then the attacks that must fail."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from guard_client import csrf_cookie
from joserfc.jwk import RSAKey
from test_app_server_socket import _BROWSER, _CSRF, events, hello
from test_app_server_socket import run as run_frames
from websockets.sync.client import ClientConnection, connect

from bastion.app import Runtime, Script, load_config
from bastion.app.secrets import Secrets
from bastion.server.app_service import create_app
from bastion.server.auth.cookie import FLOW_COOKIE, IDENTITY_COOKIE, IdentityCookie
from oidc_provider import Provider

SCRIPT = """
import bastion as st
if st.user.is_logged_in:
    st.write(f"hello {st.user.get('email')} as {st.user.sub}")
    if st.button("Log out"):
        st.logout()
else:
    st.write("anonymous")
    if st.button("Log in"):
        st.login()
"""
CLIENT_SECRET = "client-secret-never-shown"
COOKIE_SECRET = "cookie-secret-0123456789-abcdefghij"
# Cheap parameters keep the test fast; verification reads them from the hash itself.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("correct horse")


@dataclass
class Stack:
    app: str
    provider: Provider
    runtime: Runtime

    @property
    def ws(self) -> str:
        return self.app.replace("http://", "ws://") + "/_bastion/stream"


@pytest.fixture
def stack(serve: Any, tmp_path: Path) -> Iterator[Stack]:
    provider = Provider("app-client", CLIENT_SECRET)
    config = load_config(cwd=tmp_path, home=tmp_path, env={}, overrides={})
    runtime = Runtime(Script(source=SCRIPT, name="auth_app.py"), config, secrets=Secrets(values={}))
    with serve(provider.app()) as issuer, serve(create_app(runtime, static_root=tmp_path)) as app:
        provider.issuer = issuer
        provider.redirect_uris.add(f"{app}/oauth2callback")
        # Secrets are read at the first auth request, so the URLs can go in now.
        runtime.secrets = Secrets(
            values={
                "auth": {
                    "redirect_uri": f"{app}/oauth2callback",
                    "cookie_secret": COOKIE_SECRET,
                    "client_id": "app-client",
                    "client_secret": CLIENT_SECRET,
                    "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
                    "passwords": {"grace": PASSWORD_HASH},
                }
            }
        )
        yield Stack(app, provider, runtime)
    runtime.shutdown()


def start_login(stack: Stack, http: httpx.Client, next_path: str = "/") -> str:
    """Begin a login; return the callback URL the provider sends the browser to."""
    r = http.get(f"{stack.app}/_bastion/auth/login", params={"next": next_path})
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(stack.provider.issuer + "/authorize?")
    r = http.get(r.headers["location"])
    assert r.status_code == 302, r.text
    return str(r.headers["location"])


def log_in(stack: Stack, http: httpx.Client, next_path: str = "/") -> httpx.Response:
    return http.get(start_login(stack, http, next_path))


@contextmanager
def socket(stack: Stack, cookie: str | None = None) -> Iterator[ClientConnection]:
    """A tab of one browser: the server's CSRF cookie (sent back in hello), plus the identity
    cookie when given."""
    token = _BROWSER.get(stack.ws) or _BROWSER.setdefault(stack.ws, csrf_cookie(stack.ws))
    cookies = [f"_bastion_csrf={token}"] + ([f"{IDENTITY_COOKIE}={cookie}"] if cookie else [])
    with connect(stack.ws, additional_headers={"Cookie": "; ".join(cookies)}, max_size=None) as ws:
        _CSRF[id(ws)] = token
        yield ws
    _CSRF.pop(id(ws), None)


def run(ws: ClientConnection, widgets: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return events(run_frames(ws, widgets))


def shown(events: list[dict[str, Any]]) -> str:
    return " ".join(
        e["element"].get("body_html", "") for e in events if e["type"] == "element"
    ).strip()


def button_id(events: list[dict[str, Any]]) -> str:
    return str(
        next(
            e["element"]["id"]
            for e in events
            if e["type"] == "element" and e["element"]["type"] == "button"
        )
    )


def who(stack: Stack, cookie: str | None) -> str:
    with socket(stack, cookie) as ws:
        hello(ws)
        return shown(run(ws))


def test_full_oidc_login_then_st_user_then_logout(stack: Stack, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    with socket(stack) as ws:
        hello(ws)
        events = run(ws)
        assert "anonymous" in shown(events)
        button = next(
            e["element"]["id"]
            for e in events
            if e["type"] == "element" and e["element"]["type"] == "button"
        )
        events = run(ws, {button: True})
        redirect = next(e for e in events if e["type"] == "auth_redirect")
    assert redirect["path"].startswith("/_bastion/auth/login?provider=default&next=%2F")
    with httpx.Client() as http:
        r = http.get(stack.app + redirect["path"])
        assert r.status_code == 303
        r = http.get(http.get(r.headers["location"]).headers["location"])  # provider, callback
        assert r.status_code == 303
        assert r.headers["location"] == "/"
        set_cookie = r.headers.get_list("set-cookie")
        identity = next(c for c in set_cookie if c.startswith(IDENTITY_COOKIE + "="))
        lowered = identity.lower()
        assert "httponly" in lowered
        assert "samesite=lax" in lowered
        assert "max-age=" in lowered
        assert "secure" not in lowered, "plain http on loopback: no Secure flag"
        assert any(
            c.startswith(FLOW_COOKIE + '=""') or "max-age=0" in c.lower()
            for c in set_cookie
            if c.startswith(FLOW_COOKIE)
        )
        cookie = http.cookies[IDENTITY_COOKIE]
    with socket(stack, cookie) as ws:
        hello(ws)
        events = run(ws)
        assert "hello ada@example.org as user-1" in shown(events)
        frames_text = json.dumps(events)
        button = next(
            e["element"]["id"]
            for e in events
            if e["type"] == "element" and e["element"]["type"] == "button"
        )
        events = run(ws, {button: True})
        assert any(e == {"type": "auth_redirect", "path": "/_bastion/auth/logout"} for e in events)
    with httpx.Client(cookies={IDENTITY_COOKIE: cookie}) as http:
        r = http.get(f"{stack.app}/_bastion/auth/logout")
        assert r.status_code == 303
        assert f'{IDENTITY_COOKIE}=""' in r.headers["set-cookie"]
    for secret in (CLIENT_SECRET, COOKIE_SECRET):
        assert secret not in frames_text
        assert secret not in caplog.text
        assert secret not in cookie


def test_the_cookie_is_sealed_not_just_signed(stack: Stack) -> None:
    with httpx.Client() as http:
        log_in(stack, http)
        cookie = http.cookies[IDENTITY_COOKIE]
    assert "ada" not in cookie
    assert "user-1" not in cookie


def test_wrong_or_missing_state_is_refused(stack: Stack) -> None:
    with httpx.Client() as http:
        callback = start_login(stack, http)
        forged = httpx.URL(callback).copy_set_param("state", "attacker-state")
        r = http.get(forged)
        assert r.status_code == 400
        assert "state does not match" in r.text
        r = http.get(httpx.URL(callback).copy_remove_param("state"))
        assert r.status_code == 400
    with httpx.Client() as other_browser:  # no login started in this browser: no flow cookie
        r = other_browser.get(callback)
        assert r.status_code == 400
        assert "no login in progress" in r.text
        assert IDENTITY_COOKIE not in other_browser.cookies


def test_a_replayed_callback_or_code_is_refused(stack: Stack) -> None:
    with httpx.Client() as http:
        callback = start_login(stack, http)
        flow = http.cookies[FLOW_COOKIE]
        assert http.get(callback).status_code == 303
        http.cookies.set(FLOW_COOKIE, flow)  # the attacker keeps the flow cookie too
        r = http.get(callback)
        assert r.status_code == 400
        assert "replayed" in r.text
    with httpx.Client() as http:
        # The same code with a fresh login's state: the provider refuses the used code.
        new_callback = start_login(stack, http)
        old_code = httpx.URL(callback).params["code"]
        r = http.get(httpx.URL(new_callback).copy_set_param("code", old_code))
        assert r.status_code == 400
        assert "refused the authorization code" in r.text
        assert IDENTITY_COOKIE not in http.cookies


def test_an_injected_code_fails_pkce(stack: Stack) -> None:
    # The attacker's code (bound to the attacker's PKCE challenge) injected into the victim's
    # login: the victim's verifier does not match, so the provider refuses.
    with httpx.Client() as attacker:
        attacker_code = httpx.URL(start_login(stack, attacker)).params["code"]
    with httpx.Client() as victim:
        victim_callback = start_login(stack, victim)
        r = victim.get(httpx.URL(victim_callback).copy_set_param("code", attacker_code))
        assert r.status_code == 400
        assert IDENTITY_COOKIE not in victim.cookies


def test_a_wrong_nonce_or_signature_is_refused(stack: Stack) -> None:
    stack.provider.nonce_override = "not-this-login"
    with httpx.Client() as http:
        r = log_in(stack, http)
        assert r.status_code == 400
        assert "nonce" in r.text
        assert IDENTITY_COOKIE not in http.cookies
    stack.provider.nonce_override = None
    stack.provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with httpx.Client() as http:
        r = log_in(stack, http)
        assert r.status_code == 400
        assert "signature" in r.text
        assert IDENTITY_COOKIE not in http.cookies


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil"],
)
def test_no_open_redirect_through_next(stack: Stack, next_path: str) -> None:
    with httpx.Client() as http:
        r = log_in(stack, http, next_path)
        assert r.status_code == 303
        assert r.headers["location"] == "/"


def test_next_inside_the_app_is_kept(stack: Stack) -> None:
    with httpx.Client() as http:
        r = log_in(stack, http, "/reports?x=1")
        assert r.headers["location"] == "/reports?x=1"


def test_tampered_foreign_and_expired_cookies_are_anonymous(stack: Stack) -> None:
    good = IdentityCookie(COOKIE_SECRET, 3600)
    assert "hello" in who(stack, good.seal("default:user-1", {"email": "a@b", "sub": "user-1"}))
    value = good.seal("default:user-1", {"email": "a@b", "sub": "user-1"})
    tampered = value[:20] + ("A" if value[20] != "A" else "B") + value[21:]
    assert "anonymous" in who(stack, tampered)
    foreign = IdentityCookie("another-cookie-secret-0123456789", 3600).seal("default:admin", {})
    assert "anonymous" in who(stack, foreign)
    expired = good.seal("default:user-1", {"sub": "user-1"}, now=time.time() - 7200)
    assert "anonymous" in who(stack, expired)


def test_a_resume_token_only_reattaches_for_the_same_user(stack: Stack) -> None:
    sealer = IdentityCookie(COOKIE_SECRET, 3600)
    alice = sealer.seal("default:alice", {"sub": "alice", "email": "alice@x"})
    mallory = sealer.seal("default:mallory", {"sub": "mallory", "email": "mallory@x"})
    with socket(stack, alice) as ws:
        token = hello(ws)["resume_token"]
        run(ws)
    with socket(stack, mallory) as ws:  # a stolen token, another user's cookie
        welcome = hello(ws, resume_token=token)
        assert welcome["resumed"] is False
        assert "mallory@x" in shown(run(ws))
    with socket(stack, alice) as ws:  # the token was single use: burnt by the attempt
        assert hello(ws, resume_token=token)["resumed"] is False
    with socket(stack, alice) as ws:
        token = hello(ws)["resume_token"]
        run(ws)
    with socket(stack) as ws:  # anonymous with alice's token
        assert hello(ws, resume_token=token)["resumed"] is False
    with socket(stack, alice) as ws:
        token = hello(ws)["resume_token"]
        run(ws)
    with socket(stack, alice) as ws:
        assert hello(ws, resume_token=token)["resumed"] is True


def password_form(stack: Stack, http: httpx.Client) -> str:
    r = http.get(f"{stack.app}/_bastion/auth/login", params={"provider": "passwords"})
    assert r.status_code == 303
    r = http.get(stack.app + r.headers["location"])
    assert r.status_code == 200
    assert "<script" not in r.text
    assert "style=" not in r.text
    return str(http.cookies["_bastion_auth_csrf"])


def post_password(stack: Stack, http: httpx.Client, password: str, csrf: str) -> httpx.Response:
    return http.post(
        f"{stack.app}/_bastion/auth/password",
        data={"username": "grace", "password": password, "csrf": csrf, "next": "/"},
    )


def test_password_mode_right_and_wrong(stack: Stack) -> None:
    with httpx.Client() as http:
        csrf = password_form(stack, http)
        r = post_password(stack, http, "wrong", csrf)
        assert r.status_code == 401
        assert "Wrong user name or password" in r.text
        assert IDENTITY_COOKIE not in http.cookies
        r = post_password(stack, http, "correct horse", csrf)
        assert r.status_code == 303
        assert r.headers["location"] == "/"
        cookie = http.cookies[IDENTITY_COOKIE]
    with socket(stack, cookie) as ws:
        hello(ws)
        assert "as grace" in shown(run(ws))


def test_password_form_needs_its_csrf_token(stack: Stack) -> None:
    with httpx.Client() as http:
        password_form(stack, http)
        r = post_password(stack, http, "correct horse", "forged-token")
        assert r.status_code == 403
        assert IDENTITY_COOKIE not in http.cookies
    with httpx.Client() as http:
        csrf = password_form(stack, http)
        r = http.post(
            f"{stack.app}/_bastion/auth/password",
            data={"username": "grace", "password": "correct horse", "csrf": csrf},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403


def test_password_brute_force_is_limited(stack: Stack) -> None:
    with httpx.Client() as http:
        csrf = password_form(stack, http)
        for _ in range(5):
            assert post_password(stack, http, "guess", csrf).status_code == 401
        r = post_password(stack, http, "correct horse", csrf)
        assert r.status_code == 429, "even the right password waits once the limit is hit"
        assert int(r.headers["retry-after"]) > 0
        assert IDENTITY_COOKIE not in http.cookies
