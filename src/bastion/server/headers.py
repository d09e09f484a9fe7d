"""Security headers for every HTTP response of the app server.

The Content-Security-Policy is strict from the start: scripts only from our own origin (no inline
script, no eval), styles only from our own files, no plugins, no base-URI tricks, and no framing
unless the operator allows it (`server.frameAncestors`). Everything the frontend needs fits it:
the HTML loads one module script by URL, Vite's inline preload polyfill is off, and heavy parts
load as same-origin chunks.
"""

from __future__ import annotations

from collections.abc import Mapping


def content_security_policy(*, frame_ancestors: str = "'none'", report_uri: str = "") -> str:
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
    if report_uri:
        # report-uri, not report-to: Chromium posts report-uri reports at once, while the
        # Reporting API batches them for up to a minute.
        directives["report-uri"] = report_uri
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def frame_ancestors_value(sources: list[str] | tuple[str, ...]) -> str:
    """`server.frameAncestors` as a CSP source list: empty means nobody ('none')."""
    cleaned = [s.strip() for s in sources if s.strip()]
    for s in cleaned:
        if any(c in s for c in ";,\r\n"):
            raise ValueError(f"server.frameAncestors: {s!r} is not a CSP source expression")
    if not cleaned:
        return "'none'"
    quoted = {"self": "'self'", "none": "'none'"}
    return " ".join(quoted.get(s.strip("'").lower(), s) for s in cleaned)


def x_frame_options(frame_ancestors: str) -> str | None:
    """The legacy header, consistent with the CSP (None when it cannot express the list:
    browsers that know frame-ancestors ignore X-Frame-Options anyway)."""
    if frame_ancestors == "'none'":
        return "DENY"
    if frame_ancestors == "'self'":
        return "SAMEORIGIN"
    return None


def security_headers(
    *, frame_ancestors: str = "'none'", tls: bool = False, report_uri: str = ""
) -> Mapping[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(
            frame_ancestors=frame_ancestors, report_uri=report_uri
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": (
            # camera and microphone for camera_input/audio_input on our own origin only
            "camera=(self), microphone=(self), geolocation=(), payment=(), usb=(), "
            "serial=(), hid=(), bluetooth=(), midi=(), display-capture=()"
        ),
    }
    xfo = x_frame_options(frame_ancestors)
    if xfo is not None:
        headers["X-Frame-Options"] = xfo
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
