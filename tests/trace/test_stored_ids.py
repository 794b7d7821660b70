"""Ids are stored as bytes, come back as recorded, and an older trace.db is brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sandbox.cli.parser import main
from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.stored_ids import SCHEMA, NewerTraceStore, from_db, prefix_range, to_db
from tests.trace import old_layouts


def _call(trace_id: str, span_id: str, parent_id: str | None = None) -> HttpCall:
    return HttpCall(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        caller="social",
        callee="marketplace",
        method="GET",
        path="/api/v2/products/100101",
        status=200,
        started_at=1000.0,
        duration_ms=1.5,
        request_headers=(("traceparent", f"00-{trace_id}-{span_id}-01"),),
        response_headers=(("x-request-id", span_id),),
        response_body='{"ok":true}',
    )


TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "4bf92f3577b34da6a3ce929d0e0e9999"
CALLS = [
    _call(TRACE_A, "00f067aa0ba902b7"),
    _call(TRACE_A, "b7ad6b7169203331", parent_id="00f067aa0ba902b7"),
    _call(TRACE_B, "1111111111111111"),
    _call("trace-from-a-test", "SPAN-UPPER"),  # not lowercase hex: kept as text
    _call("abc", "0"),  # odd length: text
]


def test_ids_round_trip_whatever_they_are() -> None:
    for value in ("", "0", "ab", "AB", "abc", "zz", TRACE_A, "00" * 16, "ab\u00e9", None):
        assert from_db(to_db(value)) == value
    assert to_db(TRACE_A) == bytes.fromhex(TRACE_A)
    assert to_db("AB") == "AB"


def test_prefix_ranges_hold_exactly_the_ids_that_start_with_the_prefix() -> None:
    ids = [bytes.fromhex(i) for i in (TRACE_A, TRACE_B, "4b" + "0" * 30, "4c" + "0" * 30)]
    for prefix in ("", "4", "4b", "4bf", "4bf92f3577b34da6a3ce929d0e0e4", TRACE_A):
        span = prefix_range(prefix)
        assert span is not None
        inside = [i for i in ids if span[0] <= i <= span[1]]
        assert inside == [i for i in ids if i.hex().startswith(prefix)], prefix
    assert prefix_range("4g") is None and prefix_range("0" * 33) is None


def test_the_store_finds_calls_by_their_ids_and_prefixes() -> None:
    store = TraceStore(None)
    store.add(CALLS)
    assert store.trace(TRACE_A) == CALLS[:2]
    assert store.trace("trace-from-a-test") == [CALLS[3]]
    assert store.resolve("4bf92f3577b34da6a3ce929d0e0e47") == TRACE_A
    assert store.resolve("4bf9") is None, "two traces start so"
    assert store.resolve("TRACE-from") == "trace-from-a-test"
    assert store.resolve("ab") == "abc"
    assert store.resolve("ffff") is None
    assert store.locate("b7ad6b7169203331") == (TRACE_A, "b7ad6b7169203331")
    assert store.locate(f"00-{TRACE_B}-1111111111111111-01") == (TRACE_B, "1111111111111111")
    assert store.count(trace_id=TRACE_B) == 1
    assert [t.trace_id for t in store.traces()] == ["abc", "trace-from-a-test", TRACE_B, TRACE_A]
    assert store.calls(limit=10) == CALLS


def test_a_trace_db_from_before_ids_were_bytes_opens_with_every_call(tmp_path: Path) -> None:
    path = tmp_path / "trace.db"
    old_layouts.write(path, CALLS, layout=0)  # as that version left it: every id as text
    with sqlite3.connect(path) as old:
        blobs = "SELECT count(*) FROM calls WHERE typeof(trace_id) = 'blob'"
        assert old.execute(blobs).fetchone()[0] == 0
        assert old.execute("SELECT trace_id FROM calls").fetchone()[0] == TRACE_A
    old.close()
    store = TraceStore(path)
    version = store.db.execute("PRAGMA user_version").fetchone()[0]
    kinds = store.db.execute("SELECT DISTINCT typeof(trace_id) FROM calls").fetchall()
    assert version == SCHEMA and sorted(k for (k,) in kinds) == ["blob", "text"]
    assert store.calls(limit=10) == CALLS
    assert store.resolve("4bf92f3577b34da6a3ce929d0e0e47") == TRACE_A
    store.close()


def test_a_checkout_trace_comes_back_from_the_store_as_recorded(checkout: list[HttpCall]) -> None:
    store = TraceStore(None)
    store.add(checkout)
    assert store.trace(checkout[0].trace_id[:6]) == checkout
    for call in checkout:
        assert store.locate(call.span_id) == (call.trace_id, call.span_id)


def test_a_prefix_with_like_wildcards_means_those_characters() -> None:
    """A trace id typed by a person is a prefix, not a pattern: `%` and `_` match themselves."""
    store = TraceStore(None)
    store.add([_call("trace_one", "s1"), _call("traceXone", "s2")])
    assert store.resolve("trace_") == "trace_one"
    assert store.resolve("%") is None
    assert store.resolve("trace%") is None
    assert store.resolve("traceX") == "traceXone"


def _from_a_newer_sandbox(tmp_path: Path) -> Path:
    path = tmp_path / "trace.db"
    store = TraceStore(path)
    store.add(CALLS)
    store.close()
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {SCHEMA + 1}")
    newer.close()
    return path


def test_a_trace_db_from_a_newer_sandbox_is_refused_untouched(tmp_path: Path) -> None:
    path = _from_a_newer_sandbox(tmp_path)
    before = path.read_bytes()
    with pytest.raises(NewerTraceStore, match="newer sandbox"):
        TraceStore(path)
    assert path.read_bytes() == before


def test_the_trace_command_says_why_it_refuses_a_newer_trace_db(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _from_a_newer_sandbox(tmp_path)
    code = main(["trace", "list", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0 and "newer sandbox" in err and "Traceback" not in err
