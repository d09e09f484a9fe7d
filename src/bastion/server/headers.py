"""Security headers for every HTTP response of the app server.

The Content-Security-Policy is strict from the start: scripts only from our own origin (no inline
script, no eval), styles only from our own files, no plugins, no base-URI tricks, and framing only
by ourselves unless the operator says otherwise. Everything the frontend needs is built to fit it:
the HTML loads one module script by URL, Vite's inline preload polyfill is off, and heavy parts
load as same-origin chunks.
"""

from __future__ import annotations

from collections.abc import Mapping


def content_security_policy(*, frame_ancestors: str = "'self'") -> str:
    directives = {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "font-src": "'self'",
        "media-src": "'self' blob:",
        # 'self' covers ws:/wss: to the same host in CSP level 3 browsers.
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "frame-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(*, frame_ancestors: str = "'self'", tls: bool = False) -> Mapping[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(frame_ancestors=frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": (
            "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()"
        ),
    }
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
