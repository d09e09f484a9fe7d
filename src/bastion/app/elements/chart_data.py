"""Chart data: anything a chart accepts -> a pandas DataFrame -> compact columns for the wire.

Built-in charts take a DataFrame, a dict of columns, a list of rows or values, a numpy array (or
anything pandas can frame). Their data goes to the browser by columns (`ChartDataset`): numbers as
one JSON list, datetimes as epoch milliseconds, repeated text as codes into a list of levels.
That is several times smaller than Vega-Lite's rows of objects, and the client rebuilds the rows.

pandas is imported lazily: a script that never draws a chart never loads it.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from bastion.app.errors import InvalidArgument
from bastion.protocol.app import ChartColumn, ChartDataset

if TYPE_CHECKING:
    import pandas as pd

VegaType = Literal["quantitative", "temporal", "nominal", "ordinal"]
_encode = msgspec.json.encode


def require(kind: str, package: str) -> None:
    """Raise a clear error when an optional charting library is missing."""
    import importlib.util

    if importlib.util.find_spec(package) is None:
        raise ModuleNotFoundError(
            f"st.{kind}() needs the `{package}` package, which is not installed. "
            f"Install Bastion's charts extra: pip install 'bastion[charts]'."
        )


def to_frame(kind: str, data: object) -> pd.DataFrame:
    """Frame the chart's `data`, or raise InvalidArgument naming `data` and what it accepts."""
    require(kind, "pandas")
    import pandas as pd

    if data is None:
        return pd.DataFrame()
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "value")
    if hasattr(data, "to_pandas"):  # polars, pyarrow
        framed = data.to_pandas()
        if isinstance(framed, pd.Series):
            return framed.to_frame()
        if isinstance(framed, pd.DataFrame):
            return framed
    if isinstance(data, str | bytes):
        raise InvalidArgument(
            kind, "data", "a DataFrame, dict of columns, list or array", data, _FIX_DATA
        )
    try:
        if isinstance(data, dict) and data and not any(_is_listlike(v) for v in data.values()):
            return pd.DataFrame([data])  # one row of scalars
        return pd.DataFrame(data)
    except (ValueError, TypeError) as e:
        raise InvalidArgument(
            kind, "data", "a DataFrame, dict of columns, list or array", data, f"{_FIX_DATA} ({e})"
        ) from None


_FIX_DATA = "Pass a pandas DataFrame, a dict of equal-length columns, a list or a numpy array."


def _is_listlike(value: object) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str | bytes | dict)


def vega_type(series: pd.Series) -> VegaType:
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "nominal"
    if pd.api.types.is_numeric_dtype(dtype):
        return "quantitative"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "temporal"
    if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        return "ordinal"
    if pd.api.types.is_object_dtype(dtype) and len(series) and _all_dates(series):
        return "temporal"
    return "nominal"


def _all_dates(series: pd.Series) -> bool:
    import datetime

    head = series.dropna().head(20)
    return bool(len(head)) and all(isinstance(v, datetime.date) for v in head)


def column(name: str, series: pd.Series) -> ChartColumn:
    """One column, compactly: numbers as numbers, dates as epoch ms, repeated text as codes."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ChartColumn(name=name, values=msgspec.Raw(_encode(series.tolist())))
    if pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
            ints = series.to_numpy()
            progression = _progression(ints)
            if progression is not None:
                return ChartColumn(
                    name=name, values=msgspec.Raw(_encode(progression)), format="range"
                )
            return ChartColumn(name=name, values=msgspec.Raw(_encode(ints.tolist())))
        values = series.to_numpy(dtype="float64", na_value=float("nan"))
        if len(values) >= _BINARY_FROM:
            packed = base64.b64encode(values.astype("<f8").tobytes()).decode("ascii")
            return ChartColumn(name=name, values=msgspec.Raw(_encode(packed)), format="f64")
        # msgspec writes NaN and infinities as null, which Vega treats as missing.
        return ChartColumn(name=name, values=msgspec.Raw(_encode(values.tolist())))
    if isinstance(dtype, pd.PeriodDtype):
        series = series.dt.to_timestamp()
        dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or (
        pd.api.types.is_object_dtype(dtype) and _all_dates(series)
    ):
        stamps = pd.to_datetime(series, utc=getattr(dtype, "tz", None) is not None)
        if getattr(stamps.dtype, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        ms = stamps.astype("datetime64[ms]").astype("int64")
        out = [None if missing else int(v) for v, missing in zip(ms, stamps.isna(), strict=True)]
        return ChartColumn(name=name, values=msgspec.Raw(_encode(out)))
    codes, levels = pd.factorize(series.astype("object").where(series.notna(), None))
    if len(levels) * 2 <= len(series):
        # -1 (missing) becomes null on the client.
        return ChartColumn(
            name=name,
            values=msgspec.Raw(_encode(codes.tolist())),
            levels=tuple(str(v) for v in levels),
        )
    text = [None if v is None else str(v) for v in series.astype("object").where(series.notna())]
    return ChartColumn(name=name, values=msgspec.Raw(_encode(text)))


_BINARY_FROM = 64  # below this many rows, JSON text is as small and easier to read


def _progression(ints: Any) -> list[int] | None:
    """[start, step] when the integers are an arithmetic progression (an index, a range)."""
    import numpy as np

    if len(ints) < 3:
        return None
    steps = np.diff(ints)
    if not (steps == steps[0]).all():
        return None
    return [int(ints[0]), int(steps[0])]


def dataset(name: str, df: pd.DataFrame) -> ChartDataset:
    return ChartDataset(
        name=name,
        rows=len(df),
        columns=tuple(column(str(c), df[c]) for c in df.columns),
    )


def escape_field(name: str) -> str:
    """A column name as a Vega-Lite field: dots and brackets would mean nesting unless escaped."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")
