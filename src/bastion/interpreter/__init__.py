"""bastion.interpreter: a language model writes code, the user approves it, the sandbox runs it.

The public API. `Interpreter` needs a `bastion.protocol.exec.Sandbox`; `bastion chat` and
`bastion.server.compose.local_sandbox()` provide the real one.
"""

from bastion.interpreter.errors import ConversationError as ConversationError
from bastion.interpreter.errors import InterpreterError as InterpreterError
from bastion.interpreter.errors import NoModelConfigured as NoModelConfigured
from bastion.interpreter.errors import ProfileError as ProfileError
from bastion.interpreter.interpreter import Approver as Approver
from bastion.interpreter.interpreter import Interpreter as Interpreter
from bastion.interpreter.settings import Limits as Limits
from bastion.interpreter.settings import Settings as Settings
from bastion.interpreter.settings import load_settings as load_settings
from bastion.protocol.chat import Approval as Approval
from bastion.protocol.chat import Chunk as Chunk
from bastion.protocol.chat import CodeRequest as CodeRequest
from bastion.protocol.chat import Message as Message

__all__ = [
    "Approval",
    "Approver",
    "Chunk",
    "CodeRequest",
    "ConversationError",
    "Interpreter",
    "InterpreterError",
    "Limits",
    "Message",
    "NoModelConfigured",
    "ProfileError",
    "Settings",
    "load_settings",
]
