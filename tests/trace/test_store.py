"""The trace store: batched writes, whole-trace retention, compact rows, live fan-out."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from pathlib import Path

from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore, iter_tree
from sandbox.trace.stored_ids import from_db_str
from sandbox.trace.stream import EventStream
from sandbox.trace.waterfall import waterfall
from sandbox.trace.writer import TraceWriter


def _call(i: int, trace: int, parent: int | None = None, status: int | None = 200) -> HttpCall:
    return HttpCall(
        trace_id=f"{trace:032x}",
        span_id=f"{i:016x}",
        parent_id=None if parent is None else f"{parent:016x}",
        caller="a",
        callee="b",
        method="POST",
        path=f"/x/{i}",
        status=status,
        started_at=1000.0 + i,
        duration_ms=2.5,
        request_headers=(("content-type", "application/json"),),
        request_body='{"amount":150000,"note":"a typical small request"}',
        response_body='{"ok":true}',
    )


def test_store_round_trips_calls_exactly(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    calls = [_call(1, 1), _call(2, 1, parent=1, status=None)]
    store.add(calls)
    assert store.trace(f"{1:032x}") == calls
    assert store.resolve("0000") is not None
    summary = store.traces()[0]
    assert (summary.calls, summary.outcome, summary.root) == (2, "failed", "a -> b POST /x/1")


def test_retention_drops_oldest_traces_whole() -> None:
    store = TraceStore(None, max_calls=10)
    for trace in range(6):  # 6 traces of 3 calls
        store.add([_call(trace * 3 + k, trace) for k in range(3)])
    assert store.count() <= 10
    kept = {c.trace_id for _, c in store.recent(100)}
    for trace_id in kept:
        assert len(store.trace(trace_id)) == 3, "no trace is cut in half"
    assert f"{5:032x}" in kept and f"{0:032x}" not in kept


def test_writer_batches_and_flushes(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    writer = TraceWriter(store)
    for i in range(2000):
        writer(_call(i, i // 4))
    assert writer.flush()
    assert store.count() == 2000
    writer.close()


def test_stored_call_is_compact(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    store.add([_call(i, i // 8) for i in range(5000)])
    store.db.execute("VACUUM")
    size = (tmp_path / "trace.db").stat().st_size
    assert size / 5000 < 512, f"{size / 5000:.0f} bytes per call"


def test_stream_delivers_in_order_to_two_subscribers() -> None:
    stream = EventStream()
    first: list[HttpCall] = []
    second: list[HttpCall] = []
    stream.subscribe(first.append)
    unsubscribe = stream.subscribe(second.append)

    def failing(call: HttpCall) -> None:
        raise ZeroDivisionError

    stream.subscribe(failing)  # a failing subscriber harms nobody

    def publish(start: int) -> None:
        for i in range(start, start + 100):
            stream.publish(_call(i, 0))

    worker = threading.Thread(target=publish, args=(0,))
    worker.start()
    worker.join()
    unsubscribe()
    stream.publish(_call(999, 0))
    assert [c.span_id for c in first][:100] == [f"{i:016x}" for i in range(100)]
    assert len(first) == 101 and len(second) == 100


def test_tree_order_puts_children_under_parents() -> None:
    calls = [_call(1, 0), _call(2, 0, parent=1), _call(3, 0, parent=2), _call(4, 0)]
    assert [(d, c.span_id[-1]) for d, c in iter_tree(calls)] == [
        (0, "1"),
        (1, "2"),
        (2, "3"),
        (0, "4"),
    ]


def test_the_newest_traces_are_those_whose_last_call_was_stored_last() -> None:
    """Read backwards from the newest call, the summaries match grouping the whole store: a
    late call (a webhook retried) makes its older trace the newest again."""
    rng = random.Random(7)
    store = TraceStore(None)
    statuses = [200, 404, None]
    calls = [_call(i, rng.randrange(40), status=rng.choice(statuses)) for i in range(1, 600)]
    store.add(calls)
    whole = store.db.query(
        "SELECT trace_id, max(seq) AS last, count(*) AS calls FROM calls "
        "GROUP BY trace_id ORDER BY last DESC"
    )
    expected = [(from_db_str(r["trace_id"]), r["calls"]) for r in whole]
    for limit in (0, 1, 5, 40, 100):
        got = [(t.trace_id, t.calls) for t in store.traces(limit)]
        assert got == expected[:limit]
    late = _call(1000, int(expected[-1][0], 16))
    store.add([late])
    assert store.traces(1)[0].trace_id == late.trace_id


def test_locate_finds_a_trace_or_the_call_a_response_named() -> None:
    store = TraceStore(None)
    store.add([_call(1, 7), _call(2, 7, parent=1), _call(3, 8)])
    trace, other = f"{7:032x}", f"{8:032x}"
    span = f"{2:016x}"
    assert store.locate(trace) == (trace, None)
    assert store.locate(span) == (trace, span), "an X-Request-Id is a span id"
    assert store.locate(f"00-{trace}-{span}-01") == (trace, span), "a traceresponse"
    assert store.locate(f" {trace}-{span.upper()} ") == (trace, span)
    assert store.locate(f"00-{other}-{span}-01") == (other, None), "not a call of that trace"
    for nothing in ("", "f" * 16, f"00-{'f' * 32}-{span}-01", "zz"):
        assert store.locate(nothing) is None, nothing


def test_waterfall_marks_the_call_asked_for() -> None:
    calls = [_call(1, 7), _call(2, 7, parent=1)]
    lines = waterfall(calls, mark=f"{2:016x}")
    assert [line[:2] for line in lines[1:]] == ["  ", "> "]


def test_store_keeps_unicode_and_lone_surrogates_exactly(tmp_path: Path) -> None:
    """orjson packs most calls; a text it refuses (a lone surrogate) is packed all the same."""
    store = TraceStore(tmp_path / "trace.db")
    odd = [
        replace(_call(1, 1), request_body='{"name":"Siti Rahayu — kopi ☕ 🇮🇩"}'),
        replace(
            _call(2, 2), response_body="\ud800 half a pair", request_headers=(("x", "\udfff"),)
        ),
    ]
    store.add(odd)
    assert store.calls(limit=10) == odd


def test_a_reader_never_sees_a_batch_that_is_still_being_stored() -> None:
    """The writer thread and the control API share one connection: a read in the middle of a
    batch would see rows that a failure then rolls back (a call shown, then gone)."""
    store = TraceStore(None)
    store.add([_call(1, 1)])
    inside, release = threading.Event(), threading.Event()
    enforce = store._enforce_retention
    turns = iter(range(10))

    def held(*args: int) -> None:
        enforce(*args)
        if next(turns) == 1:  # after the batch's INSERT, before its COMMIT
            inside.set()
            release.wait(10)
            raise RuntimeError("the batch fails: rolled back")

    store._enforce_retention = held  # type: ignore[method-assign,assignment]
    failed: list[BaseException] = []

    def write() -> None:
        try:
            store.add([_call(2, 2), _call(3, 2, parent=2)])
        except RuntimeError as exc:
            failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(10)
    seen: dict[str, object] = {}

    def read() -> None:
        seen["recent"] = [c.trace_id for _, c in store.recent(10)]
        seen["trace"] = store.trace(f"{2:032x}")
        seen["traces"] = [t.trace_id for t in store.traces()]

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(0.5)  # a reader that does not wait for the batch has read it by now
    release.set()
    writer.join(10)
    reader.join(10)
    assert failed, "the batch was rolled back"
    assert seen == {"recent": [f"{1:032x}"], "trace": [], "traces": [f"{1:032x}"]}
