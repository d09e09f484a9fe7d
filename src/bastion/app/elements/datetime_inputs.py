"""st.date_input (one date or a range) and st.time_input."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import DateInput, TimeInput

Visibility = Literal["visible", "hidden", "collapsed"]
DateValue = datetime.date | datetime.datetime | str | None
_FORMAT = re.compile(r"^(YYYY([/.-])MM\2DD|DD([/.-])MM\3YYYY|MM([/.-])DD\4YYYY)$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def check_format(kind: str, format: object) -> None:
    if not isinstance(format, str) or not _FORMAT.match(format):
        raise InvalidArgument(
            kind,
            "format",
            '"YYYY/MM/DD", "DD/MM/YYYY" or "MM/DD/YYYY" (separator / - or .)',
            format,
        )


def check_step(kind: str, step: object) -> int:
    """A time step in whole seconds, 60 s to 23 h (int seconds or a timedelta)."""
    seconds = step.total_seconds() if isinstance(step, datetime.timedelta) else step
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 60 <= seconds <= 82800
        or seconds != int(seconds)
    ):
        raise InvalidArgument(
            kind, "step", "whole seconds between 60 and 82800 (23 hours), or a timedelta", step
        )
    return int(seconds)


def _to_date(kind: str, param: str, v: object) -> datetime.date:
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, str):
        if v == "today":
            return datetime.date.today()
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            pass
    raise InvalidArgument(kind, param, 'a date, a datetime, an ISO date str or "today"', v)


def _shift_years(d: datetime.date, years: int) -> datetime.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _parse_iso(raw: object, lo: datetime.date, hi: datetime.date) -> datetime.date:
    if not isinstance(raw, str) or len(raw) != 10:
        raise InvalidValue(f"expected a YYYY-MM-DD date, got {raw!r}")
    try:
        d = datetime.date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"expected a YYYY-MM-DD date, got {raw!r}") from None
    if not lo <= d <= hi:
        raise InvalidValue(f"{d} is outside [{lo}, {hi}]")
    return d


def date_input(
    label: str,
    value: DateValue | Sequence[DateValue] = "today",
    min_value: DateValue = None,
    max_value: DateValue = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    format: str = "YYYY/MM/DD",
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    c = widgets.Common(
        "date_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    check_format(c.kind, format)
    is_range = isinstance(value, list | tuple)
    items: list[Any] = list(value) if is_range else [value]  # type: ignore[arg-type]
    if is_range and len(items) > 2:
        raise InvalidArgument(c.kind, "value", "at most two dates for a range", value)
    dates = [_to_date(c.kind, "value", v) for v in items if v is not None]
    base = dates or [datetime.date.today()]
    lo = (
        _to_date(c.kind, "min_value", min_value)
        if min_value is not None
        else _shift_years(min(base), -10)
    )
    hi = (
        _to_date(c.kind, "max_value", max_value)
        if max_value is not None
        else _shift_years(max(base), 10)
    )
    if lo > hi:
        raise InvalidArgument(c.kind, "min_value", f"<= max_value ({hi})", lo)
    for d in dates:
        if not lo <= d <= hi:
            raise InvalidArgument(
                c.kind, "value", f"within [{lo}, {hi}]", d, "Move the value or widen the bounds."
            )
    if is_range and len(dates) == 2 and dates[0] > dates[1]:
        raise InvalidArgument(c.kind, "value", "a (start, end) pair with start <= end", value)

    def convert(ds: list[datetime.date]) -> Any:
        if is_range:
            return tuple(ds)
        return ds[0] if ds else None

    def parse(raw: object) -> Any:
        if not isinstance(raw, list) or len(raw) > (2 if is_range else 1):
            raise InvalidValue(f"expected a list of at most {2 if is_range else 1} date(s)")
        ds = [_parse_iso(x, lo, hi) for x in raw]
        if len(ds) == 2 and ds[0] > ds[1]:
            raise InvalidValue("range start after its end")
        return convert(ds)

    def check(v: object) -> Any:
        vs = list(v) if isinstance(v, list | tuple) else ([] if v is None else [v])
        return parse([_to_date(c.kind, "value", x).isoformat() for x in vs])

    default = convert(dates)
    w, current, shown = c.register(
        (is_range, tuple(map(str, dates)), str(lo), str(hi), format), default, parse, check
    )
    shown_list = list(shown) if is_range else ([] if shown is None else [shown])
    element = DateInput(
        **c.fields(w),
        value=tuple(d.isoformat() for d in shown_list),
        min=lo.isoformat(),
        max=hi.isoformat(),
        is_range=is_range,
        format=format,
    )
    c.emit(w, element)
    return current


def _to_time(kind: str, v: object) -> datetime.time | None:
    if v is None:
        return None
    if isinstance(v, datetime.datetime):
        return v.time().replace(microsecond=0, tzinfo=None)
    if isinstance(v, datetime.time):
        return v.replace(microsecond=0, tzinfo=None)
    if isinstance(v, str):
        if v == "now":
            return datetime.datetime.now().time().replace(second=0, microsecond=0)
        m = _TIME.match(v)
        if m:
            return datetime.time(int(m[1]), int(m[2]), int(m[3] or 0))
    raise InvalidArgument(kind, "value", 'a time, a datetime, "HH:MM", "now" or None', v)


def _parse_time(raw: object) -> datetime.time | None:
    if raw is None:
        return None
    m = _TIME.match(raw) if isinstance(raw, str) else None
    if m is None:
        raise InvalidValue(f"expected HH:MM or HH:MM:SS, got {raw!r}")
    return datetime.time(int(m[1]), int(m[2]), int(m[3] or 0))


def time_input(
    label: str,
    value: datetime.time | datetime.datetime | str | None = "now",
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
    step: int | datetime.timedelta = datetime.timedelta(minutes=15),
) -> datetime.time | None:
    c = widgets.Common(
        "time_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    seconds = check_step(c.kind, step)
    default = _to_time(c.kind, value)

    def check(v: object) -> datetime.time | None:
        if v is None or isinstance(v, datetime.time):
            return _to_time(c.kind, v)
        raise InvalidValue(f"expected a datetime.time or None, got {v!r}")

    w, current, shown = c.register(
        (str(default) if value != "now" else "now", int(seconds)), default, _parse_time, check
    )
    element = TimeInput(
        **c.fields(w),
        value=None if shown is None else shown.strftime("%H:%M:%S" if shown.second else "%H:%M"),
        step=int(seconds),
    )
    c.emit(w, element)
    return current  # type: ignore[no-any-return]
