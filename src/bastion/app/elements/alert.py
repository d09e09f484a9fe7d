"""Alerts (success, info, warning, error) and st.exception."""

from __future__ import annotations

from typing import Literal

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.session import exception_element
from bastion.protocol.app import Alert


def _alert(
    kind: Literal["success", "info", "warning", "error"], body: object, icon: object
) -> DeltaGenerator:
    if not isinstance(body, str):
        body = str(body)
    if icon is not None and (not isinstance(icon, str) or len(icon) > 64):
        raise InvalidArgument(kind, "icon", "a short str (an emoji) or None", icon)
    return emit(kind, Alert(kind=kind, body_html=markup.markdown(body), icon=icon), body)


def success(body: object, *, icon: str | None = None) -> DeltaGenerator:
    return _alert("success", body, icon)


def info(body: object, *, icon: str | None = None) -> DeltaGenerator:
    return _alert("info", body, icon)


def warning(body: object, *, icon: str | None = None) -> DeltaGenerator:
    return _alert("warning", body, icon)


def error(body: object, *, icon: str | None = None) -> DeltaGenerator:
    return _alert("error", body, icon)


def exception(exception: BaseException) -> DeltaGenerator:
    if not isinstance(exception, BaseException):
        raise InvalidArgument("exception", "exception", "an exception instance", exception)
    ctx = context.get("exception")
    session = ctx.session
    element = exception_element(exception, session.runtime.show_tracebacks, session.redactor())
    return emit("exception", element, exception)
