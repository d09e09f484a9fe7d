"""bastion.app: the reactive app framework. See ARCHITECTURE.md ("Life of one rerun").

What a server adapter needs is re-exported here; scripts use `import bastion as st`, tests use
`bastion.testing.AppTest`.
"""

from bastion.app.config import AppConfig as AppConfig
from bastion.app.config import ConfigError as ConfigError
from bastion.app.config import load_config as load_config
from bastion.app.runtime import Runtime as Runtime
from bastion.app.script import Script as Script
from bastion.app.session import AppSession as AppSession
from bastion.app.session import SessionClient as SessionClient

__all__ = [
    "AppConfig",
    "AppSession",
    "ConfigError",
    "Runtime",
    "Script",
    "SessionClient",
    "load_config",
]
