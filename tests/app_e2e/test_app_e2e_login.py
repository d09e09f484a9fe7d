"""Login in Chromium: st.login() sends the browser to the password page (served by the server,
no script, under the CSP), the form logs in, the app comes back with st.user; st.logout() ends
it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from e2e_support import AppServer, start_app, stop_app
from playwright.sync_api import expect

from bastion.server.listen import Server, bind, uvicorn_config
from oidc_provider import Provider

pytestmark = pytest.mark.e2e

APP = """
import bastion as st
if st.user.is_logged_in:
    st.write(f"Welcome, {st.user.name}")
    if st.button("Log out"):
        st.logout()
else:
    st.write("Nobody here")
    if st.button("Log in"):
        st.login()
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    root = tmp_path_factory.mktemp("login")
    (root / "app.py").write_text(APP)
    (root / ".bastion").mkdir()
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("open sesame")
    (root / ".bastion" / "secrets.toml").write_text(
        f'[auth]\ncookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
        f'[auth.passwords]\ngrace = "{hashed}"\n'
    )
    server = start_app(["run", str(root / "app.py")], root)
    yield server
    stop_app(server)


def test_password_login_and_logout_in_the_browser(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_text("Nobody here")).to_be_visible()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("User name").fill("grace")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password", timeout=30_000)
    page.get_by_label("User name").fill("grace")
    page.get_by_label("Password").fill("open sesame")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome, grace")).to_be_visible(timeout=30_000)
    assert page.url == app.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["_bastion_user"]["httpOnly"] is True
    assert cookies["_bastion_user"]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("_bastion_user") == -1, "HttpOnly"
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("Nobody here")).to_be_visible()
    assert "_bastion_user" not in {c["name"] for c in page.context.cookies()}


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    """The test OpenID Connect provider on a real loopback socket, in this process."""
    idp = Provider("e2e-client", "e2e-client-secret")
    sock = bind("127.0.0.1", 0)
    server = Server(uvicorn_config(idp.app(), loop="asyncio"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    idp.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield idp, idp.issuer
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_oidc_login_in_the_browser(
    page: Any, tmp_path: Path, provider: tuple[Provider, str]
) -> None:
    idp, issuer = provider
    (tmp_path / "app.py").write_text(APP)
    server = start_app(["run", str(tmp_path / "app.py")], tmp_path)
    try:
        redirect_uri = f"{server.url}oauth2callback"
        idp.redirect_uris.add(redirect_uri)
        # Secrets are read when first needed: the app's port is known by now.
        (tmp_path / ".bastion").mkdir()
        (tmp_path / ".bastion" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect_uri}"\n'
            'cookie_secret = "e2e-oidc-cookie-secret-0123456789"\n'
            'client_id = "e2e-client"\n'
            'client_secret = "e2e-client-secret"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        )
        page.goto(server.url)
        page.get_by_role("button", name="Log in").click()
        # Generous: the first login imports Authlib, joserfc and cryptography in the server, and
        # CI machines are busy.
        expect(page.get_by_text("Welcome, Ada Lovelace")).to_be_visible(timeout=30_000)
        assert page.url == server.url
        assert idp.token_requests == 1
        assert "e2e-client-secret" not in page.content()
    finally:
        stop_app(server)
