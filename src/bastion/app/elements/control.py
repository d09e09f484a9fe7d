"""st.rerun and st.stop: BaseException control flow, so `except Exception` cannot swallow them."""

from __future__ import annotations

import warnings
from typing import Literal, NoReturn

from bastion.app import context
from bastion.app.errors import (
    FragmentRerunRequested,
    InvalidArgument,
    RerunRequested,
    StopRequested,
)


def rerun(*, scope: Literal["app", "fragment"] = "app") -> None:
    ctx = context.get("rerun")
    if scope not in ("app", "fragment"):
        raise InvalidArgument("rerun", "scope", "'app' or 'fragment'", scope)
    if ctx.in_callback:
        # As in Streamlit: a callback already runs before a rerun, so this is a no-op.
        warnings.warn("st.rerun() in a callback is a no-op", stacklevel=2)
        return
    if scope == "fragment":
        from bastion.app.fragment import rerun_scope_fragment

        raise FragmentRerunRequested(rerun_scope_fragment(ctx))
    raise RerunRequested


def stop() -> NoReturn:
    context.get("stop")
    raise StopRequested
