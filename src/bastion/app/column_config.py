"""`st.column_config`: how st.dataframe and st.data_editor show and edit each column.

Each function returns a plain dict (Streamlit's `ColumnConfig` shape), so configs can be built,
merged and stored like any data. `column_config={"price": st.column_config.NumberColumn(...)}`;
a string value is just a label, `None` hides the column.
"""

from __future__ import annotations

from typing import Any, Literal

Width = Literal["small", "medium", "large"] | int | None

__all__ = [
    "AreaChartColumn",
    "BarChartColumn",
    "CheckboxColumn",
    "Column",
    "DateColumn",
    "DatetimeColumn",
    "ImageColumn",
    "JsonColumn",
    "LineChartColumn",
    "LinkColumn",
    "ListColumn",
    "NumberColumn",
    "ProgressColumn",
    "SelectboxColumn",
    "TextColumn",
    "TimeColumn",
]


def _config(
    kind: str | None,
    label: str | None,
    width: Width,
    help: str | None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: Any = None,
    **type_config: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": label,
        "width": width,
        "help": help,
        "disabled": disabled,
        "required": required,
        "pinned": pinned,
        "default": default,
    }
    if kind is not None:
        out["type_config"] = {"type": kind, **type_config}
    return {k: v for k, v in out.items() if v is not None}


def Column(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
) -> dict[str, Any]:
    return _config(None, label, width, help, disabled, required, pinned)


def TextColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: str | None = None,
    max_chars: int | None = None,
    validate: str | None = None,
) -> dict[str, Any]:
    # `validate` (a regex) is accepted for compatibility and not applied: running a viewer-fed
    # string against an app-chosen regex on the server is a ReDoS risk we do not take.
    return _config(
        "text", label, width, help, disabled, required, pinned, default, max_chars=max_chars
    )


def NumberColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: float | None = None,
    format: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    step: float | None = None,
) -> dict[str, Any]:
    return _config(
        "number", label, width, help, disabled, required, pinned, default,
        format=format, min_value=min_value, max_value=max_value, step=step,
    )  # fmt: skip


def CheckboxColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: bool | None = None,
) -> dict[str, Any]:
    return _config("checkbox", label, width, help, disabled, required, pinned, default)


def SelectboxColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: Any = None,
    options: Any = None,
) -> dict[str, Any]:
    return _config(
        "selectbox", label, width, help, disabled, required, pinned, default,
        options=list(options) if options is not None else None,
    )  # fmt: skip


def DateColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: Any = None,
    format: str | None = None,
    min_value: Any = None,
    max_value: Any = None,
    step: int | None = None,
) -> dict[str, Any]:
    return _config(
        "date", label, width, help, disabled, required, pinned, default,
        format=format, min_value=min_value, max_value=max_value,
    )  # fmt: skip


def DatetimeColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: Any = None,
    format: str | None = None,
    min_value: Any = None,
    max_value: Any = None,
    step: Any = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    return _config(
        "datetime", label, width, help, disabled, required, pinned, default,
        format=format, min_value=min_value, max_value=max_value,
    )  # fmt: skip


def TimeColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: Any = None,
    format: str | None = None,
    min_value: Any = None,
    max_value: Any = None,
    step: Any = None,
) -> dict[str, Any]:
    return _config(
        "time", label, width, help, disabled, required, pinned, default,
        format=format, min_value=min_value, max_value=max_value,
    )  # fmt: skip


def LinkColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    disabled: bool | None = None,
    required: bool | None = None,
    pinned: bool | None = None,
    default: str | None = None,
    max_chars: int | None = None,
    validate: str | None = None,
    display_text: str | None = None,
) -> dict[str, Any]:
    return _config(
        "link", label, width, help, disabled, required, pinned, default,
        max_chars=max_chars, display_text=display_text,
    )  # fmt: skip


def ProgressColumn(
    label: str | None = None,
    *,
    width: Width = None,
    help: str | None = None,
    pinned: bool | None = None,
    format: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
) -> dict[str, Any]:
    return _config(
        "progress", label, width, help, None, None, pinned,
        format=format, min_value=0 if min_value is None else min_value,
        max_value=100 if max_value is None else max_value,
    )  # fmt: skip


def ImageColumn(
    label: str | None = None, *, width: Width = None, help: str | None = None,
    pinned: bool | None = None,
) -> dict[str, Any]:  # fmt: skip
    return _config("image", label, width, help, None, None, pinned)


def _chart(kind: str) -> Any:
    def column(
        label: str | None = None,
        *,
        width: Width = None,
        help: str | None = None,
        pinned: bool | None = None,
        y_min: float | None = None,
        y_max: float | None = None,
    ) -> dict[str, Any]:
        return _config(kind, label, width, help, None, None, pinned, y_min=y_min, y_max=y_max)

    return column


LineChartColumn = _chart("line_chart")
BarChartColumn = _chart("bar_chart")
AreaChartColumn = _chart("area_chart")


def ListColumn(
    label: str | None = None, *, width: Width = None, help: str | None = None,
    pinned: bool | None = None,
) -> dict[str, Any]:  # fmt: skip
    return _config("list", label, width, help, None, None, pinned)


def JsonColumn(
    label: str | None = None, *, width: Width = None, help: str | None = None,
    pinned: bool | None = None,
) -> dict[str, Any]:  # fmt: skip
    return _config("json", label, width, help, None, None, pinned)
