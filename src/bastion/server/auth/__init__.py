"""Login for apps (issue 6): OpenID Connect and a simple password mode, identity in a cookie.

cookie.py     the sealed identity cookie (encrypted and authenticated; expiry inside)
oidc.py       the OpenID Connect client: discovery, PKCE S256, state, nonce, id_token checks
passwords.py  argon2 password checks, a per-client attempt limiter, the login page
routes.py     the HTTP routes under /_bastion/auth/ and the WebSocket's identify hook
"""
