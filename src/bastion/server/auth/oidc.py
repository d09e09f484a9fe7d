"""The OpenID Connect client: authorization code flow with state, nonce and PKCE (S256).

Authlib builds the authorization URL (with the S256 code challenge) and exchanges the code
(with the verifier); joserfc checks the id_token: signature against the provider's JWKS (only
asymmetric algorithms: never `none`, never an HMAC keyed with a public key), issuer, audience,
expiry and the nonce of this login. Discovery documents and key sets are cached; an unknown key
id refetches the key set once (key rotation).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bastion.app.auth_config import OidcProvider

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
METADATA_TTL = 3600.0
HTTP_TIMEOUT = 10.0
LEEWAY = 60


class LoginError(Exception):
    """A login that must not succeed; the message is safe to show (it names no secret)."""


class OidcClient:
    def __init__(self, provider: OidcProvider, redirect_uri: str) -> None:
        self.provider = provider
        self.redirect_uri = redirect_uri
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    def _client(self) -> Any:
        from authlib.integrations.httpx_client import AsyncOAuth2Client  # type: ignore[import-untyped]

        p = self.provider
        return AsyncOAuth2Client(
            p.client_id,
            p.client_secret,
            scope=p.scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        import httpx

        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
            response = await http.get(url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise LoginError(f"the login provider answered {response.status_code} for {url}")
        data = response.json()
        if not isinstance(data, dict):
            raise LoginError(f"the login provider sent no JSON object at {url}")
        return data

    async def metadata(self) -> dict[str, Any]:
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL:
                data = await self._get_json(self.provider.server_metadata_url)
                for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(data.get(key), str):
                        raise LoginError(f"the provider's discovery document lacks {key!r}")
                self._metadata, self._metadata_at, self._jwks = data, time.monotonic(), None
            return self._metadata

    async def authorization_url(self, state: str, nonce: str, verifier: str) -> str:
        meta = await self.metadata()
        client = self._client()
        try:
            url, _ = client.create_authorization_url(
                meta["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=verifier,
                **self.provider.extra_params,
            )
        finally:
            await client.aclose()
        return str(url)

    async def exchange(self, code: str, verifier: str) -> dict[str, Any]:
        """Trade the code for tokens (the verifier proves this server started the login)."""
        meta = await self.metadata()
        client = self._client()
        try:
            token = await client.fetch_token(
                meta["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
                redirect_uri=self.redirect_uri,
            )
        except Exception as exc:  # OAuthError, HTTP errors: the provider said no
            raise LoginError("the login provider refused the authorization code") from exc
        finally:
            await client.aclose()
        if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
            raise LoginError("the login provider sent no id_token (is 'openid' in the scope?)")
        return dict(token)

    async def _keys(self, refresh: bool) -> Any:
        from joserfc.jwk import KeySet

        meta = await self.metadata()
        if self._jwks is None or refresh:
            self._jwks = await self._get_json(meta["jwks_uri"])
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    async def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import JoseError

        meta = await self.metadata()
        token = None
        for refresh in (False, True):
            try:
                token = jwt.decode(id_token, await self._keys(refresh), algorithms=list(ALGORITHMS))
                break
            except JoseError as exc:
                if refresh:
                    raise LoginError("the id_token's signature does not verify") from exc
            except ValueError as exc:
                raise LoginError("the id_token is malformed") from exc
        if token is None:
            raise LoginError("the id_token cannot be checked")
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": self.provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as exc:
            raise LoginError(f"the id_token is not valid for this login: {exc}") from exc
        claims = dict(token.claims)
        azp = claims.get("azp")
        if (
            isinstance(claims.get("aud"), list)
            and len(claims["aud"]) > 1
            and azp != self.provider.client_id
        ):
            raise LoginError("the id_token was issued to another client (azp)")
        return claims
