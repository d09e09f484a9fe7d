"""Errors that cross part boundaries.

A part raises these so its callers (the HTTP adapter, the interpreter) can answer a user without
importing the part. Every message says what was expected, what was given, and how to fix it.

    BastionError
    └── ExecError                 a job could not be accepted or run
        ├── InvalidJob            the job itself is wrong (HTTP 400); `.field` names the culprit
        │   └── UnknownRuntime    no installed runtime matches language + version
        ├── SessionNotFound       no such session, or it expired
        └── SandboxUnavailable    the host cannot isolate (no bwrap, no cgroups...); nothing runs
"""

from __future__ import annotations


class BastionError(Exception):
    """Base of every error Bastion raises on purpose."""


class ExecError(BastionError):
    pass


class InvalidJob(ExecError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownRuntime(InvalidJob):
    def __init__(self, language: str, version: str) -> None:
        # The exact text Piston answers, so clients matching on it keep working.
        super().__init__(f"{language}-{version} runtime is unknown", field="language")
        self.language = language
        self.version = version


class SessionNotFound(ExecError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id!r} does not exist or has expired; create a new one")
        self.session_id = session_id


class SandboxUnavailable(ExecError):
    """The host lacks a mechanism the policy requires; `.missing` says what and how to fix."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("sandbox unavailable: " + "; ".join(missing))
        self.missing = missing
