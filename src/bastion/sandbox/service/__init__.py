"""The exec HTTP service: Piston's v2 API and sandbox sessions over `protocol.exec.Sandbox`.

A thin adapter: parsing, validation and rendering live in `piston` (sans-I/O); the routes, the
WebSocket, keys, rate limits, the queue, health and metrics are the I/O shell around them.
"""

from bastion.sandbox.service.app import create_app as create_app
from bastion.sandbox.service.config import ServiceConfig as ServiceConfig
from bastion.sandbox.service.config import is_loopback as is_loopback
from bastion.sandbox.service.config import keys_required as keys_required
from bastion.sandbox.service.keys import KeyStore as KeyStore
from bastion.sandbox.service.packages import PackageEntry as PackageEntry
from bastion.sandbox.service.piston import ConfiguredLimits as ConfiguredLimits

__all__ = [
    "ConfiguredLimits",
    "KeyStore",
    "PackageEntry",
    "ServiceConfig",
    "create_app",
    "is_loopback",
    "keys_required",
]
