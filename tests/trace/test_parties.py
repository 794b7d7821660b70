"""Parties are stored as numbers, read back as names, and an older trace.db is converted once."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from sandbox.trace import schema
from sandbox.trace.events import HttpCall
from sandbox.trace.store import ROW_OVERHEAD, TraceStore
from sandbox.trace.stored_ids import SCHEMA
from tests.trace import old_layouts

TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "0af7651916cd43dd8448eb211c80319c"


def _call(trace_id: str, span_id: str, caller: str, callee: str, **fields: object) -> HttpCall:
    call = HttpCall(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=None,
        caller=caller,
        callee=callee,
        method="POST",
        path="/api/v2/fs/7001/orders",
        status=200,
        started_at=1000.0 + len(span_id),
        duration_ms=2.5,
        request_headers=(("traceparent", f"00-{trace_id}-{span_id}-01"),),
        response_body='{"order_id":"MKT-1"}',
    )
    return replace(call, **fields)  # type: ignore[arg-type]


CALLS = [
    _call(TRACE_A, "00f067aa0ba902b7", "social", "marketplace"),
    _call(TRACE_A, "b7ad6b7169203331", "marketplace", "bank", parent_id="00f067aa0ba902b7"),
    _call(TRACE_B, "1111111111111111", "external", "bank", claimed_caller="social", status=401),
    _call(TRACE_B, "2222222222222222", "my-script", "Bank", error="refused", status=None),
]


def _read_everything(store: TraceStore) -> None:
    assert store.calls(limit=10) == CALLS
    assert store.count(service="bank") == 2 and store.count(service="Bank") == 1
    assert store.count(service="nobody") == 0
    assert [c.span_id for c in store.calls(service="marketplace")] == [
        "00f067aa0ba902b7",
        "b7ad6b7169203331",
    ]
    assert store.count(text="SCRIPT") == 1, "a party's name is matched like the path"
    assert store.count(text="orders") == 4 and store.count(text="%") == 0
    assert store.party_counts() == {
        "social": (0, 1),
        "marketplace": (1, 1),
        "bank": (2, 0),
        "external": (0, 1),
        "my-script": (0, 1),
        "Bank": (1, 0),
    }
    summaries = {t.trace_id: t for t in store.traces()}
    assert summaries[TRACE_A].root.startswith("social -> marketplace POST ")
    assert set(summaries[TRACE_A].services) == {"social", "marketplace", "bank"}
    assert store.trace(TRACE_B) == CALLS[2:]


def test_parties_are_kept_as_numbers_and_read_as_names(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    store.add(CALLS[:2])
    store.add(CALLS[2:])
    kinds = store.db.execute("SELECT DISTINCT typeof(caller), typeof(callee) FROM calls")
    assert kinds.fetchall() == [("integer", "integer")]
    named = store.db.execute("SELECT count(*) FROM parties").fetchone()[0]
    assert named == 6, "each name once"
    _read_everything(store)
    store.close()
    reopened = TraceStore(tmp_path / "trace.db")  # a new process learns the numbers anew
    _read_everything(reopened)
    reopened.close()


def test_a_reader_learns_the_parties_another_writer_named_since(tmp_path: Path) -> None:
    reader = TraceStore(tmp_path / "trace.db")
    writer = TraceStore(tmp_path / "trace.db")
    writer.add(CALLS[:1])
    assert reader.calls() == CALLS[:1]
    writer.add(CALLS[1:])
    _read_everything(reader)
    reader.close()
    writer.close()


@pytest.mark.parametrize("layout", [0, 1])
def test_an_older_trace_db_is_converted_once_with_every_call(tmp_path: Path, layout: int) -> None:
    path = tmp_path / "trace.db"
    old_layouts.write(path, CALLS, layout)
    store = TraceStore(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA
    kinds = store.db.execute("SELECT DISTINCT typeof(caller), typeof(trace_id) FROM calls")
    assert kinds.fetchall() == [("integer", "blob")]
    indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"calls_trace", "calls_caller", "calls_callee", "calls_started"} <= indexes
    _read_everything(store)
    store.add([_call(TRACE_A, "3333333333333333", "bank", "marketplace")])  # and it goes on
    assert store.count(trace_id=TRACE_A) == 3 and store.count(service="bank") == 3
    store.close()


def test_a_conversion_that_fails_leaves_the_older_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "trace.db"
    old_layouts.write(path, CALLS, layout=1)
    seen = []

    def failing(value: bytes | str | None) -> bytes | str | None:
        seen.append(value)
        if len(seen) > 5:  # part way through the copy
            raise RuntimeError("killed")
        return value

    monkeypatch.setattr(schema, "converted", failing)
    with pytest.raises(sqlite3.OperationalError):
        TraceStore(path)
    with sqlite3.connect(path) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert old.execute("SELECT count(*), typeof(caller) FROM calls").fetchone() == (4, "text")
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"calls"}
    old.close()
    monkeypatch.undo()
    store = TraceStore(path)
    _read_everything(store)
    store.close()


@pytest.mark.parametrize("layout", [1, "before sizes"])
def test_three_stores_opening_an_older_file_at_once_convert_it_once(
    tmp_path: Path, layout: int | str
) -> None:
    path = tmp_path / "trace.db"
    old_layouts.write(path, CALLS * 50, layout=1 if layout == 1 else 0)
    if layout == "before sizes":  # a file from before the columns were added
        with sqlite3.connect(path) as old:
            old.execute("ALTER TABLE calls DROP COLUMN size")
            old.execute("ALTER TABLE calls DROP COLUMN claimed_caller")
        old.close()
    opened: list[TraceStore] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(TraceStore(path))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures and len(opened) == 3
    for store in opened:
        assert store.count() == 200 and store.count(service="bank") == 100
        store.close()


def test_retention_counts_ids_and_parties_as_they_are_stored() -> None:
    store = TraceStore(None)
    call = CALLS[1]
    store.add([call])
    row = store.db.execute(
        "SELECT length(detail) + length(path) + length(trace_id) + length(span_id)"
        " + length(parent_id) + 2, size FROM calls"
    ).fetchone()
    assert row[1] == row[0] + ROW_OVERHEAD
    assert store.stored_bytes() == row[1]
