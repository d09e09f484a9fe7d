"""st.cache_data / st.cache_resource: every rule, through AppTest and a real Runtime."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bastion.app.caching.api import parse_ttl
from bastion.app.caching.hashing import Hasher
from bastion.app.config import AppConfig
from bastion.app.errors import InvalidArgument
from bastion.app.runner import Workers
from bastion.app.runtime import Runtime
from bastion.app.script import Script
from bastion.app.secrets import Secrets
from bastion.protocol.app import Rerun
from bastion.testing import AppTest


def at_with(src: str, **globals_: Any) -> AppTest:
    import textwrap

    name = f"<cache-test-{abs(hash(src)):x}>"
    return AppTest(
        Script(source=textwrap.dedent(src), name=name, extra_globals=globals_), default_timeout=60
    )


def test_cache_data_returns_a_copy_and_replays_elements() -> None:
    calls: list[int] = []
    at = at_with(
        """
        import bastion as st
        @st.cache_data
        def f(x):
            calls.append(x)
            st.write(f"computed {x}")
            return {"x": [x]}
        v = f(1)
        v["x"].append(99)          # mutating the result must not touch the cache
        st.write(f(1))
        """,
        calls=calls,
    ).run()
    assert calls == [1]
    assert at.json[0].value == '{"x": [1]}'
    at.run()
    assert calls == [1]
    # the element written on the miss is replayed at the caller's place on each hit
    assert [m.value for m in at.markdown] == ["computed 1", "computed 1"]
    assert at.json[0].value == '{"x": [1]}'


def test_dataframe_and_array_copies() -> None:
    at = at_with(
        """
        import bastion as st, numpy as np, pandas as pd
        @st.cache_data
        def frame():
            return pd.DataFrame({"a": [1, 2, 3]})
        @st.cache_data
        def arr():
            return np.arange(3)
        d = frame(); d.loc[0, "a"] = 100
        a = arr(); a[0] = 100
        st.write(f"{int(frame()['a'][0])} {int(arr()[0])}")
        """
    ).run()
    assert not at.exception
    assert at.markdown[0].value == "1 0"


def test_ttl_with_injected_clock_and_ttl_forms() -> None:
    calls: list[int] = []
    now = [1000.0]
    at = at_with(
        """
        import bastion as st
        @st.cache_data(ttl="1m")
        def f():
            calls.append(1)
            return len(calls)
        st.write(f())
        """,
        calls=calls,
    )
    at.session.runtime.caches.clock = lambda: now[0]
    at.run().run()
    assert len(calls) == 1
    now[0] += 59
    at.run()
    assert len(calls) == 1
    now[0] += 2
    at.run()
    assert len(calls) == 2
    assert parse_ttl("x", "1h") == 3600
    assert parse_ttl("x", "1d 12h") == 129600
    assert parse_ttl("x", "90 seconds") == 90
    assert parse_ttl("x", 5) == 5
    import datetime

    assert parse_ttl("x", datetime.timedelta(minutes=2)) == 120
    with pytest.raises(InvalidArgument, match="ttl"):
        parse_ttl("cache_data", "soon")


def test_max_entries_evicts_least_recently_used() -> None:
    calls: list[int] = []
    at_with(
        """
        import bastion as st
        @st.cache_data(max_entries=2)
        def f(x):
            calls.append(x)
            return x
        for x in st.session_state.get("xs", [1, 2, 1, 3, 1, 2]):
            f(x)
        """,
        calls=calls,
    ).run()
    # 1,2 miss; 1 hit; 3 evicts 2 (LRU); 1 hit; 2 miss again
    assert calls == [1, 2, 3, 2]


def test_underscore_args_skipped_and_hash_funcs() -> None:
    calls: list[Any] = []
    at = at_with(
        """
        import bastion as st, threading
        class Conn:
            def __init__(self, name): self.name = name
        @st.cache_data
        def f(x, _conn):
            calls.append(x)
            return x
        f(1, threading.Lock()); f(1, threading.Lock())
        @st.cache_data(hash_funcs={Conn: lambda c: c.name})
        def g(c):
            calls.append(c.name)
        g(Conn("a")); g(Conn("a")); g(Conn("b"))
        """,
        calls=calls,
    ).run()
    assert not at.exception
    assert calls == [1, "a", "b"]


def test_unhashable_argument_error_names_argument_and_fix() -> None:
    at = at_with(
        """
        import bastion as st, threading
        @st.cache_data
        def f(lock):
            return 1
        f(threading.Lock())
        """
    ).run()
    msg = at.exception[0].message
    assert "'lock'" in msg
    assert "'_lock'" in msg
    assert "hash_funcs" in msg


def test_hashing_is_full_not_sampled() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    a = np.zeros(2_000_000)
    b = a.copy()
    b[1_234_567] = 1.0

    def digest(x: object) -> bytes:
        h = Hasher()
        h.update(x)
        return h.h.digest()

    assert digest(a) != digest(b)
    df = pd.DataFrame({"a": np.arange(200_000), "s": ["x"] * 200_000})
    df2 = df.copy()
    df2.loc[150_001, "s"] = "y"
    assert digest(df) != digest(df2)
    assert digest(df) == digest(df.copy())
    assert digest(a) != digest(a.astype("float32"))
    pa = pytest.importorskip("pyarrow")
    d1 = pa.array(["a", "b", "a"]).dictionary_encode()
    d2 = pa.array(["x", "y", "x"]).dictionary_encode()
    assert digest(d1) != digest(d2)
    assert digest(pa.table({"c": d1})) != digest(pa.table({"c": d2}))
    assert digest(pd.DataFrame({"l": [[1], [2]]})) != digest(pd.DataFrame({"l": [[1], [3]]}))


def test_clear_one_function_one_entry_and_all() -> None:
    calls: list[Any] = []
    at = at_with(
        """
        import bastion as st
        @st.cache_data
        def f(x):
            calls.append(("f", x))
        @st.cache_resource
        def g():
            calls.append("g")
        f(1); f(2); g()
        action = st.session_state.get("action")
        if action == "one":
            f.clear(1)
        elif action == "f":
            f.clear()
        elif action == "all":
            st.cache_data.clear()
        st.session_state["action"] = None
        """,
        calls=calls,
    ).run()
    assert len(calls) == 3
    at.session_state["action"] = "one"
    at.run().run()
    assert calls[3:] == [("f", 1)]
    at.session_state["action"] = "f"
    at.run().run()
    assert calls[4:] == [("f", 1), ("f", 2)]
    at.session_state["action"] = "all"
    at.run().run()
    assert calls[6:] == [("f", 1), ("f", 2)]  # cache_resource untouched by cache_data.clear()


def test_edited_function_misses() -> None:
    calls: list[int] = []
    at = at_with(
        """
        import bastion as st
        if st.session_state.get("edited"):
            @st.cache_data
            def f():
                calls.append(2)
                return 2
        else:
            @st.cache_data
            def f():
                calls.append(1)
                return 1
        st.write(f())
        """,
        calls=calls,
    ).run()
    at.run()
    assert calls == [1]
    at.session_state["edited"] = True  # same name, new body: a new key
    at.run()
    assert at.markdown[0].value == "2"
    assert calls == [1, 2]


def _define(src: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(src, "a.py", "exec"), ns)  # noqa: S102 - versions of one function
    return ns["f"]


def test_function_key_ignores_line_moves() -> None:
    from bastion.app.caching.hashing import code_digest

    one = code_digest(_define("def f(x):\n    return x + 1\n"))
    assert one == code_digest(_define("\n\n\ndef f(x):\n    return x + 1\n"))
    assert one != code_digest(_define("def f(x):\n    return x + 2\n"))


def test_widget_inside_cached_function_is_a_clear_error() -> None:
    at = at_with(
        """
        import bastion as st
        @st.cache_data
        def f():
            return st.button("b")
        f()
        """
    ).run()
    assert "Widgets cannot be cached" in at.exception[0].message


def test_uncopyable_return_value_points_to_cache_resource() -> None:
    at = at_with(
        """
        import bastion as st
        @st.cache_data
        def f():
            return (x for x in range(3))
        f()
        """
    ).run()
    assert "cache_resource" in at.exception[0].message


def test_cache_resource_validate_and_on_release() -> None:
    released: list[Any] = []
    at = at_with(
        """
        import bastion as st
        @st.cache_resource(validate=lambda r: r["ok"], on_release=released.append)
        def res():
            return {"ok": True, "n": len(released)}
        r = res()
        if st.session_state.get("break"):
            r["ok"] = False
        st.write(r["n"])
        """,
        released=released,
    ).run()
    assert at.markdown[0].value == "0"
    at.session_state["break"] = True
    at.run()  # marks the shared object invalid
    at.session_state["break"] = False
    at.run()  # validate fails: released and recomputed
    assert len(released) == 1
    assert at.markdown[0].value == "1"


def _runtime(src: str, **globals_: Any) -> Runtime:
    import textwrap

    script = Script(source=textwrap.dedent(src), name="<shared>", extra_globals=globals_)
    return Runtime(script, AppConfig(), secrets=Secrets(values={}), workers=Workers())


class _Client:
    def send(self, frame: bytes) -> None:
        pass

    def request_flush(self) -> None:
        pass


def test_cache_resource_shared_across_sessions_and_computed_once_concurrently() -> None:
    calls: list[int] = []
    seen: list[int] = []
    gate = threading.Event()
    rt = _runtime(
        """
        import bastion as st, time
        @st.cache_resource
        def model():
            calls.append(1)
            gate.wait(2)
            return object()
        seen.append(id(model()))
        """,
        calls=calls,
        seen=seen,
        gate=gate,
    )
    sessions = [rt.new_session(_Client()) for _ in range(3)]
    for s in sessions:
        s.handle(Rerun())
    time.sleep(0.2)  # all three are inside the cached call now: one computes, two wait
    gate.set()
    for s in sessions:
        assert s.wait_idle(5)
    assert calls == [1]
    assert len(seen) == 3
    assert len(set(seen)) == 1
    rt.shutdown()


def test_cache_data_memory_bound_evicts() -> None:
    at = at_with(
        """
        import bastion as st
        @st.cache_data
        def blob(i):
            return b"x" * 600_000
        for i in range(5):
            blob(i)
        """
    )
    at._config = AppConfig()
    at.session.runtime.caches.max_bytes = 2_000_000
    at.run()
    caches = at.session.runtime.caches
    assert caches.data_bytes <= 2_000_000
    assert sum(len(fc.entries) for fc in caches.functions("data")) == 3


def test_persist_disk_roundtrip_and_tampering_refused(tmp_path: Path) -> None:
    calls: list[int] = []
    src = """
        import bastion as st, pandas as pd, numpy as np
        @st.cache_data(persist="disk")
        def load(n):
            calls.append(n)
            st.caption("loaded")
            return pd.DataFrame({"a": range(n)}), np.arange(n)
        @st.cache_data(persist="disk")
        def plain(n):
            calls.append(-n)
            return {"n": [n, "x", None, 1.5]}
        df = load(3)
        st.write(int(df[0]["a"].sum()), plain(2))
        """
    # tuples do not survive msgpack: the first stays in memory only; the dict persists
    at = at_with(src, calls=calls)
    at.session.runtime.caches.disk_dir = tmp_path
    at.run()
    files = sorted(tmp_path.glob("*.bcache"))
    assert len(files) == 1
    key = tmp_path / "signing.key"
    assert key.stat().st_mode & 0o777 == 0o600
    # a new app process (new runtime) reads the signed file instead of computing
    at2 = at_with(src, calls=calls)
    at2.session.runtime.caches.disk_dir = tmp_path
    at2.run()
    assert calls == [3, -2, 3]
    # tamper: flip one byte of the payload; the file is refused and recomputed
    raw = bytearray(files[0].read_bytes())
    raw[-3] ^= 0x01
    files[0].write_bytes(bytes(raw))
    at3 = at_with(src, calls=calls)
    at3.session.runtime.caches.disk_dir = tmp_path
    at3.run()
    assert calls == [3, -2, 3, 3, -2]
    assert not at3.exception


def test_persist_disk_frame_roundtrip(tmp_path: Path) -> None:
    calls: list[int] = []
    src = """
        import bastion as st, pandas as pd
        @st.cache_data(persist="disk")
        def load(n):
            calls.append(n)
            st.caption("loaded")
            return pd.DataFrame({"a": range(n), "b": ["x"] * n})
        st.write(int(load(4)["a"].sum()))
        """
    for _ in range(2):
        at = at_with(src, calls=calls)
        at.session.runtime.caches.disk_dir = tmp_path
        at.run()
        assert at.caption[0].value == "loaded"  # replayed from the file the second time
        assert at.markdown[0].value == "6"
    assert calls == [4]
    # a file copied under another key's name is refused
    (f,) = tmp_path.glob("*.bcache")
    other = tmp_path / (f.name.split("-")[0] + "-" + "0" * 32 + ".bcache")
    other.write_bytes(f.read_bytes())
    from bastion.app.caching.disk import DiskStore

    assert DiskStore(tmp_path).read(f.name.split("-")[0], "0" * 32) is None


def test_sql_connection_against_sqlite(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    db = tmp_path / "app.db"
    import sqlite3

    with sqlite3.connect(db) as c:
        c.execute("create table t (a integer, b text)")
        c.executemany("insert into t values (?, ?)", [(1, "x"), (2, "y"), (3, "z")])
    at = at_with(
        """
        import bastion as st
        from sqlalchemy import text
        conn = st.connection("sql")
        again = st.connection("mydb", type="sql")
        st.write(f"same={conn is st.connection('sql')}")
        df = conn.query("select * from t where a >= :lo order by a", params={"lo": 2}, ttl=60)
        st.write(",".join(df["b"]))
        if st.session_state.get("insert"):
            with conn.session as s:
                s.execute(text("insert into t values (4, 'w')"))
                s.commit()
            conn.reset()
        st.write(len(conn.query("select * from t")))
        """
    )
    at.secrets = {
        "connections": {
            "sql": {"url": f"sqlite:///{db}"},
            "mydb": {"dialect": "sqlite", "database": str(db)},
        }
    }
    at.run()
    assert not at.exception, at.exception
    assert [m.value for m in at.markdown] == ["same=True", "y,z", "3"]
    at.session_state["insert"] = True
    at.run()
    assert at.markdown[2].value == "3"  # the query result is cached
    at.session_state["insert"] = False
    at.run()
    assert at.markdown[2].value == "3"


def test_connection_errors_name_the_fix() -> None:
    at = at_with(
        """
        import bastion as st
        st.connection("nowhere")
        """
    ).run()
    assert "type='sql'" in at.exception[0].message


def test_operator_cli_clears_persisted_files(tmp_path: Path, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from bastion.app.caching.disk import DiskStore, default_directory
    from bastion.server.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    script = tmp_path / "app.py"
    script.write_text("import bastion as st\n")
    store = DiskStore(default_directory(str(script.resolve())))
    assert store.write("f" * 32, "v" * 32, {"a": 1}, [], 0.0)
    result = CliRunner().invoke(main, ["cache", "clear", str(script)])
    assert result.exit_code == 0, result.output
    assert "removed 2 file(s)" in result.output
    assert store.read("f" * 32, "v" * 32) is None


def test_no_client_message_clears_caches() -> None:
    from bastion.protocol.app import ProtocolError, decode_client

    for frame in (b'{"type":"clear_cache"}', b'{"type":"rerun","clear_cache":true}'):
        with pytest.raises(ProtocolError):
            decode_client(frame)


def test_persist_disk_refuses_a_key_others_can_read(tmp_path: Path) -> None:
    key = tmp_path / "signing.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    calls: list[int] = []
    src = """
        import bastion as st
        @st.cache_data(persist="disk")
        def f():
            calls.append(1)
            return [1]
        st.write(f())
        """
    at = at_with(src, calls=calls)
    at.session.runtime.caches.disk_dir = tmp_path
    at.run().run()
    assert not at.exception
    assert calls == [1]  # still cached in memory
    assert not list(tmp_path.glob("*.bcache"))  # nothing written under an untrusted key
