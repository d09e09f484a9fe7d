"""The service's settings: one frozen value passed to `create_app`, no globals."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from bastion.sandbox.service.piston import ConfiguredLimits


def is_loopback(host: str) -> bool:
    """True only for addresses that cannot be reached from another machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name or a wildcard we cannot vouch for: treat as public


def keys_required(host: str, *, force: bool = False) -> bool:
    """Keys are off only for loopback-only development; any other bind address needs them."""
    return force or not is_loopback(host)


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    limits: ConfiguredLimits = field(default_factory=ConfiguredLimits)
    require_keys: bool = False
    # Per-key rate limit (requests that run or manage code); a key may carry its own.
    rate_per_second: float = 10.0
    burst: int = 20
    # Clients without keys (loopback development) are limited per address; 0 turns that off.
    anonymous_rate_per_second: float = 0.0
    concurrency: int = field(default_factory=lambda: max(2, 2 * (os.cpu_count() or 1)))
    max_queued: int = 256
    max_body_bytes: int = 16 * 1024 * 1024
    ws_init_timeout_s: float = 1.0
    ws_output_max_size: int = 1024 * 1024  # per stream; Piston has no cap on its WebSocket
    health_ttl_s: float = 10.0
    canary_language: str = "python"
    canary_code: str = 'print("OK")'
    max_sessions: int = 64
    session_idle_timeout_s: float = 600.0
    session_max_lifetime_s: float = 3600.0
    session_file_max_bytes: int = 64 * 1024 * 1024
    # This replica's name (e.g. the pod name): prefixes session ids and tags responses with
    # `X-Bastion-Replica` so a load balancer can pin sessions. Empty for a single instance.
    replica: str = ""
