"""st.dataframe, st.table, st.data_editor and st.column_config through AppTest: every input type,
lazy chunks (the element carries the first rows only), server-side sorting, selections and edits,
and forged fetches, selections and edits that the server must refuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from bastion.app.testing.app_test import AppTest
from bastion.protocol.app import FetchRows, ProtocolError, decode_client

TIMEOUT = 60  # the first run imports pandas and pyarrow (slow on a busy machine)


def run(script: str) -> AppTest:
    return AppTest.from_string(script, default_timeout=TIMEOUT).run()


def fetch(at: AppTest, **fields: Any) -> Any:
    return at.session.data.answer(FetchRows(request=1, **fields))


# --- inputs -----------------------------------------------------------------------------------


def test_every_input_type_shows_its_rows() -> None:
    at = run(
        """
        import bastion as st, numpy as np, pandas as pd, pyarrow as pa
        st.dataframe(pd.DataFrame({"a": [1, 2], "b": ["x", None]}))
        st.dataframe(pa.table({"a": [1, 2], "b": ["x", None]}))
        st.dataframe(pa.record_batch({"a": [1, 2], "b": ["x", None]}))
        st.dataframe(np.array([[1, 2], [3, 4]]))
        st.dataframe(np.array([5, 6]))
        st.dataframe([{"a": 1, "b": "x"}, {"a": 2, "b": None}])
        st.dataframe({"a": [1, 2], "b": ["x", None]})
        st.dataframe(pd.Series([1, 2], name="s"))
        st.write(pd.DataFrame({"w": [True, False]}))
        st.write(np.array([[0.5]]))
        import polars as pl
        st.dataframe(pl.DataFrame({"a": [1, 2], "b": ["x", None]}))
        st.dataframe(pl.Series("p", [1, 2]))
        """
    )
    frames = list(at.dataframe)
    assert [f.columns for f in frames] == [
        ["a", "b"], ["a", "b"], ["a", "b"], ["0", "1"], ["0"], ["a", "b"], ["a", "b"], ["s"],
        ["w"], ["0"], ["a", "b"], ["p"],
    ]  # fmt: skip
    for f in frames[:3] + frames[5:7] + frames[10:11]:
        assert f.rows() == [(1, "x"), (2, None)]
    assert frames[3].rows() == [(1, 2), (3, 4)]
    assert frames[4].rows() == [(5,), (6,)]
    assert frames[7].rows() == [(1,), (2,)]
    assert frames[8].rows() == [(True,), (False,)]
    assert frames[9].rows() == [(0.5,)]
    assert frames[11].rows() == [(1,), (2,)]


def test_cells_are_normalized_for_the_browser() -> None:
    at = run(
        """
        import bastion as st, datetime as dt, decimal, pandas as pd
        st.dataframe(pd.DataFrame({
            "when": pd.to_datetime(["2024-01-02 03:04:05"]),
            "day": [dt.date(2024, 5, 6)],
            "cat": pd.Categorical(["k"]),
            "tags": [["a", "b"]],
            "big": pd.array([2**40], dtype="Int64"),
            "nan": [float("nan")],
        }))
        """
    )
    f = at.dataframe[0]
    assert [c.kind for c in f.proto.columns] == [
        "datetime", "date", "selectbox", "list", "number", "number"
    ]  # fmt: skip
    assert f.rows() == [("2024-01-02T03:04:05", "2024-05-06", "k", '["a", "b"]', 2**40, None)]


def test_non_range_index_is_shown_and_hide_index_hides_it() -> None:
    at = run(
        """
        import bastion as st, pandas as pd
        df = pd.DataFrame({"v": [1, 2]}, index=pd.Index(["x", "y"], name="key"))
        st.dataframe(df)
        st.dataframe(df, hide_index=True)
        st.dataframe(pd.DataFrame({"v": [1]}))  # a RangeIndex is hidden by default
        """
    )
    assert at.dataframe[0].columns == ["key", "v"]
    assert at.dataframe[0].rows() == [("x", 1), ("y", 2)]
    assert at.dataframe[1].columns == ["v"]
    assert at.dataframe[2].columns == ["v"]


def test_odd_shapes_show_every_column() -> None:
    at = run(
        """
        import bastion as st, pandas as pd
        st.dataframe(pd.DataFrame([[1, 2]], columns=["a", "a"]))
        two = pd.MultiIndex.from_tuples([("x", "y"), ("x", "z")])
        st.dataframe(pd.DataFrame([[1, 2]], columns=two))
        st.dataframe(pd.DataFrame({"m": [1, "x", None]}))  # mixed types: shown as text
        st.dataframe(pd.DataFrame())
        """
    )
    shapes = [(f.columns, f.rows()) for f in at.dataframe]
    assert shapes == [
        (["a", "a"], [(1, 2)]),
        (["x / y", "x / z"], [(1, 2)]),
        (["m"], [("1",), ("x",), (None,)]),
        ([], []),
    ]


def test_unsupported_data_is_a_clear_error() -> None:
    at = run("import bastion as st\nst.dataframe(object())")
    assert at.exception[0].value is not None
    assert "pandas DataFrame" in str(at.exception[0].proto.message)


# --- lazy chunks and sorting --------------------------------------------------------------------


def test_a_big_frame_sends_only_its_first_chunk() -> None:
    at = run(
        """
        import bastion as st, numpy as np, pandas as pd
        st.dataframe(pd.DataFrame(np.arange(1_000_000).reshape(100_000, 10)))
        """
    )
    f = at.dataframe[0]
    assert f.num_rows == 100_000
    assert f.proto.first_rows <= 400
    assert len(msgspec.json.encode(f.proto)) < 64_000
    assert f.first_chunk()[0] == tuple(range(10))
    assert f.rows(50_000, 50_002) == [
        tuple(range(500_000, 500_010)), tuple(range(500_010, 500_020))
    ]  # fmt: skip
    assert f.rows(99_999, 100_500) == [tuple(range(999_990, 1_000_000))]  # clipped at the end


def test_server_side_sort_with_nulls_last_and_original_positions() -> None:
    at = run(
        """
        import bastion as st, pandas as pd
        st.dataframe(pd.DataFrame({"v": [3.0, None, 1.0, 2.0], "t": ["c", "n", "a", "b"]}))
        """
    )
    f = at.dataframe[0]
    assert f.rows(sort="v") == [(1.0, "a"), (2.0, "b"), (3.0, "c"), (None, "n")]
    assert f.rows(sort="v", ascending=False) == [(3.0, "c"), (2.0, "b"), (1.0, "a"), (None, "n")]
    assert f.positions(0, 4, sort="v") == [2, 3, 0, 1]
    assert f.rows(1, 3, sort="t", ascending=False) == [(3.0, "c"), (2.0, "b")]
    # the permutation is computed once per column and direction
    source = at.session.data.source(f.proto.data_id)
    assert source is not None
    assert source.sort_order(0, True) is source.sort_order(0, True)


def test_forged_fetches_are_answered_with_an_error() -> None:
    at = run("import bastion as st\nst.dataframe({'a': list(range(10))})")
    data_id = at.dataframe[0].proto.data_id
    assert fetch(at, data_id="00ff", start=0, stop=5).error.startswith("unknown data_id")
    assert "past the last row" in fetch(at, data_id=data_id, start=11, stop=12).error
    assert "before start" in fetch(at, data_id=data_id, start=5, stop=2).error
    assert "at most" in fetch(at, data_id=data_id, start=0, stop=6000).error
    assert "not a column" in fetch(at, data_id=data_id, start=0, stop=5, sort_column=9).error
    ok = fetch(at, data_id=data_id, start=8, stop=10)
    assert ok.error is None
    assert (ok.start, ok.stop, ok.num_rows) == (8, 10, 10)


def test_fetch_fields_are_bounded_by_the_schema() -> None:
    base = '{"type":"fetch_rows","request":1,"data_id":"ab","start":0,"stop":1'
    assert isinstance(decode_client(base + "}"), FetchRows)
    for bad in (
        base.replace('"start":0', '"start":-1') + "}",
        base.replace('"ab"', '"../etc"') + "}",
        base.replace('"ab"', '"' + "a" * 65 + '"') + "}",
        base + ',"sort_column":-2}',
        base + ',"extra":1}',
    ):
        with pytest.raises(ProtocolError):
            decode_client(bad)


def test_data_ids_die_with_their_element_and_never_cross_sessions() -> None:
    script = """
        import bastion as st
        if st.checkbox("show", value=True):
            st.dataframe({"a": [1, 2]})
        """
    at = run(script)
    old = at.dataframe[0].proto.data_id
    at.run()
    new = at.dataframe[0].proto.data_id
    assert new != old  # a fresh id per run: a client never reads stale rows under an old id
    assert fetch(at, data_id=old, start=0, stop=1).error is not None
    at.checkbox[0].uncheck().run()
    assert len(at.dataframe) == 0
    assert fetch(at, data_id=new, start=0, stop=1).error is not None
    assert len(at.session.data) == 0

    other = run(script)
    theirs = other.dataframe[0].proto.data_id
    assert fetch(at, data_id=theirs, start=0, stop=1).error.startswith("unknown data_id")


# --- column config ------------------------------------------------------------------------------


def test_column_config_order_labels_and_hidden_columns() -> None:
    at = run(
        """
        import bastion as st
        st.dataframe(
            {"a": [1], "b": [0.5], "c": ["x"], "url": ["https://e.org"]},
            column_order=["url", "b", "a"],
            column_config={
                "a": "Alpha",
                "b": st.column_config.ProgressColumn("Share", min_value=0, max_value=1),
                "url": st.column_config.LinkColumn(display_text="open"),
                "c": None,
            },
        )
        """
    )
    f = at.dataframe[0]
    assert f.columns == ["url", "Share", "Alpha"]
    kinds = [(c.kind, c.min, c.max, c.display_text) for c in f.proto.columns]
    assert kinds == [
        ("link", None, None, "open"), ("progress", 0, 1, None), ("number", None, None, None)
    ]  # fmt: skip


# --- selection ----------------------------------------------------------------------------------


SELECT = """
import bastion as st
event = st.dataframe({"a": [1, 2, 3], "b": [4, 5, 6]}, key="df", on_select="rerun",
                     selection_mode=["multi-row", "single-column"])
st.write(f"rows={event.selection.rows} cols={event['selection']['columns']}")
"""


def test_row_and_column_selection_is_returned_as_state() -> None:
    at = run(SELECT)
    assert at.markdown[0].value == "rows=[] cols=[]"
    at.dataframe(key="df").select_rows([2, 0]).run()
    assert at.markdown[0].value == "rows=[0, 2] cols=[]"
    at.dataframe(key="df").select_columns(["b"]).run()
    assert at.markdown[0].value == "rows=[0, 2] cols=['b']"
    assert at.session_state["df"] == {"rows": [0, 2], "columns": ["b"]}


@pytest.mark.parametrize(
    "forged",
    [
        {"rows": [3], "columns": []},  # past the end
        {"rows": [-1], "columns": []},
        {"rows": [True], "columns": []},
        {"rows": [1, 1], "columns": []},
        {"rows": [], "columns": ["a", "b"]},  # single-column mode
        {"rows": [], "columns": ["secret"]},
        {"rows": 1},
        {"cells": []},
        "rows",
    ],
)
def test_forged_selections_are_ignored(forged: Any) -> None:
    at = run(SELECT)
    at.dataframe(key="df").select_rows([1]).run()
    at.dataframe(key="df").set_value(forged).run()
    assert at.markdown[0].value == "rows=[1] cols=[]"


# --- data_editor --------------------------------------------------------------------------------


EDITOR = """
import bastion as st, datetime as dt, pandas as pd
df = pd.DataFrame({
    "name": ["a", "b"], "qty": [1, 2], "ok": [True, False], "kind": ["x", "y"],
    "day": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)], "locked": [7, 8],
    "url": ["https://a.org", "https://b.org"],
})
out = st.data_editor(
    df, key="ed", num_rows=NUM_ROWS, disabled=["locked"],
    column_config={
        "qty": st.column_config.NumberColumn(min_value=0, max_value=100),
        "kind": st.column_config.SelectboxColumn(options=["x", "y", "z"]),
        "name": st.column_config.TextColumn(max_chars=5),
        "url": st.column_config.LinkColumn(),
    },
)
st.write(f'{type(out).__name__} {len(out)} {int(out["qty"].sum())} {list(out["name"])}')
"""


def editor(num_rows: str = "fixed") -> AppTest:
    return run(EDITOR.replace("NUM_ROWS", repr(num_rows)))


def test_edits_come_back_in_streamlits_shape_and_as_the_edited_frame() -> None:
    at = editor()
    ed = at.data_editor(key="ed")
    ed.edit(0, "qty", 10).edit(1, "name", "bee").edit(1, "kind", "z").edit(0, "day", "2025-02-03")
    ed.run()
    assert at.markdown[0].value == "DataFrame 2 12 ['a', 'bee']"
    assert at.session_state["ed"] == {
        "edited_rows": {
            0: {"qty": 10, "day": dt.date(2025, 2, 3)},
            1: {"name": "bee", "kind": "z"},
        },
        "added_rows": [],
        "deleted_rows": [],
    }


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("qty", "10"),  # wrong type
        ("qty", 101),  # above max_value
        ("qty", 1.5),  # an integer column
        ("qty", True),
        ("ok", "yes"),
        ("kind", "w"),  # not an option
        ("name", "toolong"),  # max_chars
        ("locked", 0),  # disabled column
        ("day", "not a date"),
        ("url", "javascript:alert(1)"),  # unsafe link scheme
        ("nope", 1),  # no such column
        ("_index", 5),
    ],
)
def test_forged_cell_edits_are_dropped_and_the_rest_kept(column: str, value: Any) -> None:
    at = editor()
    ed = at.data_editor(key="ed")
    ed.set_value({"edited_rows": {"0": {"qty": 5}, "1": {column: value}}}).run()
    assert at.session_state["ed"]["edited_rows"] == {0: {"qty": 5}}
    assert at.markdown[0].value == "DataFrame 2 7 ['a', 'b']"


@pytest.mark.parametrize(
    "forged",
    [
        {"edited_rows": {"2": {"qty": 5}}},  # no such row
        {"edited_rows": {"-1": {"qty": 5}}},
        {"added_rows": [{"qty": 5}]},  # num_rows="fixed"
        {"deleted_rows": [0]},
        {"edited_rows": [], "added_rows": {}},
        {"unknown": {}},
        [1, 2],
    ],
)
def test_forged_edit_shapes_change_nothing(forged: Any) -> None:
    at = editor()
    at.data_editor(key="ed").set_value(forged).run()
    assert at.markdown[0].value == "DataFrame 2 3 ['a', 'b']"


def test_dynamic_rows_can_be_added_and_deleted() -> None:
    at = editor("dynamic")
    ed = at.data_editor(key="ed")
    ed.add_row({"name": "c", "qty": 30, "locked": 9}).add_row({"qty": -1}).delete_rows([0]).run()
    # the added row's invalid cell is dropped; a disabled column may be filled in a new row
    assert at.session_state["ed"]["added_rows"] == [{"name": "c", "qty": 30, "locked": 9}, {}]
    assert at.markdown[0].value.startswith("DataFrame 3 32")


def test_a_disabled_editor_ignores_every_edit() -> None:
    at = run(
        """
        import bastion as st
        out = st.data_editor({"a": [1]}, key="ed", disabled=True)
        st.write(out)
        """
    )
    at.data_editor(key="ed").edit(0, "a", 5).run()
    assert at.session_state["ed"]["edited_rows"] == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("pa.table({'a': [1, 2]})", "pyarrow.Table"),
        ("pa.record_batch({'a': [1, 2]})", "pyarrow.RecordBatch"),
        ("pl.DataFrame({'a': [1, 2]})", "polars.DataFrame"),
        ("pd.DataFrame({'a': [1, 2]})", "pandas.DataFrame"),
        ("np.array([[1, 2]]).T", "numpy.ndarray"),
        ("[{'a': 1}, {'a': 2}]", "builtins.list"),
        ("{'a': [1, 2]}", "builtins.dict"),
    ],
)
def test_the_edited_value_has_the_input_type(data: str, expected: str) -> None:
    at = run(
        f"""
        import bastion as st, numpy as np, pandas as pd, polars as pl, pyarrow as pa
        out = st.data_editor({data}, key="ed")
        st.write(type(out).__module__.split(".")[0] + "." + type(out).__name__)
        """
    )
    column = at.data_editor(key="ed").proto.columns[0].name
    at.data_editor(key="ed").edit(1, column, 9).run()
    assert at.markdown[0].value == expected
    assert at.data_editor(key="ed").edits["edited_rows"] == {1: {column: 9}}


def test_session_state_edits_reach_the_editor_and_are_validated() -> None:
    at = run(
        """
        import bastion as st
        if "ed" not in st.session_state:
            st.session_state.ed = {"edited_rows": {0: {"a": 5, "b": "not a number"}}}
        out = st.data_editor({"a": [1], "b": [2]}, key="ed")
        st.write(f'{out["a"][0]} {out["b"][0]}')
        """
    )
    assert at.markdown[0].value == "5 2"


# --- table and write ------------------------------------------------------------------------------


def test_table_sends_its_rows_at_once() -> None:
    at = run(
        """
        import bastion as st, pandas as pd
        st.table(pd.DataFrame({"a": range(5)}))
        """
    )
    t = at.table[0]
    assert t.proto.mode == "table"
    assert t.proto.first_rows == 5
    assert t.first_chunk() == [(i,) for i in range(5)]


def test_the_gallery_page_runs_and_edits() -> None:
    from pathlib import Path

    import bastion.server

    page = Path(bastion.server.__file__).parent / "hello" / "pages" / "data.py"
    at = AppTest.from_file(page, default_timeout=TIMEOUT).run()
    assert at.run_status == "ok"
    assert at.dataframe(key="explorer").num_rows == 100_000
    assert at.metric[0].value == "6"
    at.data_editor(key="plan").edit(0, "hours", 10).run()
    assert at.metric[0].value == "13"
    at.dataframe(key="explorer").select_rows([0, 5]).run()
    assert at.table[0].num_rows == 2
