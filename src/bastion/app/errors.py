"""Errors of the app part. One class per user mistake; each message says what was expected, what
was given, and how to fix it. The script runner renders them in the app like any exception.

    BastionError
    └── AppError                        an `st.*` call was used wrongly
        ├── InvalidArgument             a bad argument value or type (`.param` names it)
        ├── DuplicateWidgetID           two widgets share an identity
        │   └── DuplicateWidgetKey      two widgets share a `key=`
        ├── WidgetStateError            a `st.session_state` write that the rules forbid
        ├── FormError                   forms nested, misused, or a callback where none is allowed
        ├── FragmentError               fragments and dialogs misused (rerun scope, one dialog)
        └── NoScriptContext             an `st.*` call outside a running script

Control flow (`BaseException`, so a user's ``except Exception`` cannot swallow it):

    ScriptControl
    ├── RerunRequested    `st.rerun()`, or a newer rerun interrupted this one
    │   └── FragmentRerunRequested   `st.rerun(scope="fragment")`
    └── StopRequested     `st.stop()`, or the client asked to stop
"""

from __future__ import annotations

from bastion.protocol.errors import BastionError


class AppError(BastionError):
    """Base of the errors an app script gets for using the `st.*` API wrongly."""


class InvalidArgument(AppError, TypeError):
    def __init__(self, func: str, param: str, expected: str, got: object, fix: str = "") -> None:
        shown = repr(got)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        message = f"st.{func}(): `{param}` must be {expected}, got {shown} ({type(got).__name__})."
        if fix:
            message += f" {fix}"
        super().__init__(message)
        self.func = func
        self.param = param


class DuplicateWidgetID(AppError):
    pass


class DuplicateWidgetKey(DuplicateWidgetID):
    pass


class WidgetStateError(AppError):
    pass


class FormError(AppError):
    pass


class FragmentError(AppError):
    pass


class NoScriptContext(AppError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"st.{what}() was called outside a running app script. Start the app with "
            "`bastion run app.py` (or test it with bastion.testing.AppTest); in a thread you "
            "started yourself, call the st.* function from the script's thread instead."
        )


class ScriptControl(BaseException):
    """Unwinds the script; the runner decides what happens next."""


class RerunRequested(ScriptControl):
    pass


class FragmentRerunRequested(RerunRequested):
    def __init__(self, fragment_id: str) -> None:
        super().__init__(fragment_id)
        self.fragment_id = fragment_id


class StopRequested(ScriptControl):
    pass
