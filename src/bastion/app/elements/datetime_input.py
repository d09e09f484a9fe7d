"""st.datetime_input (Streamlit 1.67+): one naive local date and time, or None.

Checked like date_input and time_input: the browser's value must be exactly
``YYYY-MM-DDTHH:MM`` (or ``:SS``), inside [min_value, max_value]; anything else is ignored as an
invalid value. Time zones are dropped, as Streamlit does: the widget shows wall-clock time.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.elements.datetime_inputs import _shift_years, check_format, check_step
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import DateTimeInput

Visibility = Literal["visible", "hidden", "collapsed"]
Value = datetime.datetime | datetime.date | datetime.time | str | None
_WIRE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _to_datetime(kind: str, param: str, v: object) -> datetime.datetime:
    if isinstance(v, datetime.datetime):
        return v.replace(microsecond=0, tzinfo=None)
    if isinstance(v, datetime.date):
        return datetime.datetime.combine(v, datetime.time())
    if isinstance(v, datetime.time):
        return datetime.datetime.combine(
            datetime.date.today(), v.replace(microsecond=0, tzinfo=None)
        )
    if isinstance(v, str):
        if v == "now":
            return datetime.datetime.now().replace(second=0, microsecond=0)
        try:
            return datetime.datetime.fromisoformat(v).replace(microsecond=0, tzinfo=None)
        except ValueError:
            pass
    raise InvalidArgument(
        kind, param, 'a datetime, a date, a time, an ISO datetime str or "now"', v
    )


def _wire(d: datetime.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%S" if d.second else "%Y-%m-%dT%H:%M")


def parse_wire(
    raw: object, lo: datetime.datetime, hi: datetime.datetime
) -> datetime.datetime | None:
    if raw is None:
        return None
    m = _WIRE.match(raw) if isinstance(raw, str) else None
    if m is None:
        raise InvalidValue(f"expected YYYY-MM-DDTHH:MM[:SS] or null, got {raw!r}")
    try:
        y, mo, da, h, mi, se = (int(g or 0) for g in m.groups())
        d = datetime.datetime(y, mo, da, h, mi, se)
    except ValueError:
        raise InvalidValue(f"not a real date and time: {raw!r}") from None
    if not lo <= d <= hi:
        raise InvalidValue(f"{d} is outside [{lo}, {hi}]")
    return d


def datetime_input(
    label: str,
    value: Value = "now",
    min_value: Value = None,
    max_value: Value = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    format: str = "YYYY/MM/DD",
    step: int | datetime.timedelta = datetime.timedelta(minutes=15),
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> datetime.datetime | None:
    c = widgets.Common(
        "datetime_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    check_format(c.kind, format)
    seconds = check_step(c.kind, step)
    default = None if value is None else _to_datetime(c.kind, "value", value)
    base = default or datetime.datetime.now().replace(second=0, microsecond=0)
    lo = (
        _to_datetime(c.kind, "min_value", min_value)
        if min_value is not None
        else datetime.datetime.combine(_shift_years(base.date(), -10), datetime.time())
    )
    hi = (
        _to_datetime(c.kind, "max_value", max_value)
        if max_value is not None
        else datetime.datetime.combine(_shift_years(base.date(), 10), datetime.time(23, 59, 59))
    )
    if lo > hi:
        raise InvalidArgument(c.kind, "min_value", f"<= max_value ({hi})", lo)
    if default is not None and not lo <= default <= hi:
        raise InvalidArgument(
            c.kind, "value", f"within [{lo}, {hi}]", default, "Move the value or widen the bounds."
        )

    def parse(raw: object) -> datetime.datetime | None:
        return parse_wire(raw, lo, hi)

    def check(v: object) -> datetime.datetime | None:
        if v is None:
            return None
        if not isinstance(v, datetime.datetime):
            raise InvalidValue(f"expected a datetime.datetime or None, got {v!r}")
        return parse_wire(_wire(v.replace(microsecond=0, tzinfo=None)), lo, hi)

    identity = (
        "now" if value == "now" else str(default),
        str(lo) if min_value is not None else None,
        str(hi) if max_value is not None else None,
        int(seconds),
        format,
    )
    w, current, shown = c.register(identity, default, parse, check)
    element = DateTimeInput(
        **c.fields(w),
        value=None if shown is None else _wire(shown),
        min=_wire(lo),
        max=_wire(hi),
        step=int(seconds),
        format=format,
    )
    c.emit(w, element)
    return current  # type: ignore[no-any-return]
