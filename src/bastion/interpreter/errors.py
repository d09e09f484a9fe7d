"""The interpreter's errors. Each says what went wrong and how to fix it.

BastionError
└── InterpreterError
    ├── NoModelConfigured     no model name: how to point Bastion at an endpoint
    ├── ProfileError          a profile file is missing, not TOML, or has a bad field
    └── ConversationError     a saved conversation cannot be read

An endpoint that fails (unreachable, refuses, breaks mid-reply) is not an exception: the turn ends
with a notice in the conversation saying what happened and how to fix it.
"""

from __future__ import annotations

from bastion.protocol.errors import BastionError

HOW_TO_CONFIGURE = """\
No model is configured. Point Bastion at any OpenAI-compatible endpoint, for example:

  Ollama (local):     bastion chat --base-url http://localhost:11434/v1 --model llama3.1
  llama.cpp server:   bastion chat --base-url http://localhost:8080/v1 --model local
  LM Studio (local):  bastion chat --base-url http://localhost:1234/v1 --model <loaded model>
  vLLM (local):       bastion chat --base-url http://localhost:8000/v1 --model <served model>
  OpenAI (hosted):    OPENAI_API_KEY=sk-... bastion chat --model gpt-4o-mini
  OpenRouter:         OPENROUTER_API_KEY=... bastion chat --api-key-env OPENROUTER_API_KEY \
                        --base-url https://openrouter.ai/api/v1 --model <id>

or set BASTION_MODEL, BASTION_BASE_URL and BASTION_API_KEY, or write them in a profile
(bastion chat --profile my.toml, with lines such as  model = "llama3.1").
From Python: Interpreter(model="llama3.1", base_url="http://localhost:11434/v1")."""


class InterpreterError(BastionError):
    pass


class NoModelConfigured(InterpreterError):
    def __init__(self) -> None:
        super().__init__(HOW_TO_CONFIGURE)


class ProfileError(InterpreterError):
    pass


class ConversationError(InterpreterError):
    pass
