"""Bastion: data apps, a code execution service and an LLM interpreter over one sandbox."""

from bastion._version import __version__ as __version__
