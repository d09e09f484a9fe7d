"""Stateful sandbox sessions: REPL kernels (Python, JavaScript, Bash) in boxes over one work dir.

`SessionManager.open(spec)` returns a `LocalSession` (a `bastion.protocol.exec.SandboxSession`).
"""

from bastion.sandbox.sessions.manager import SessionManager as SessionManager
from bastion.sandbox.sessions.manager import TooManySessions as TooManySessions
from bastion.sandbox.sessions.session import LocalSession as LocalSession
from bastion.sandbox.sessions.session import SessionPolicy as SessionPolicy

__all__ = ["LocalSession", "SessionManager", "SessionPolicy", "TooManySessions"]
