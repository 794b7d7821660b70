"""A trace writer in its own process stores every call, says when, and survives its loss."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.writer import TraceWriter
from sandbox.trace.writer_process import decode, encode

NIKLESS = '{"name":"Sari \u2603","note":"\\u0000 and \ud800 and \\"quotes\\""}'


def _call(i: int, **fields: object) -> HttpCall:
    values: dict[str, object] = dict(
        trace_id=f"{i // 4:032x}",
        span_id=f"{i:016x}",
        parent_id=None if i % 4 == 0 else f"{i - 1:016x}",
        caller="social" if i % 2 else "external",
        callee="marketplace",
        method="POST",
        path=f"/api/v2/fs/7001/orders?i={i}",
        status=200 if i % 3 else None,
        started_at=1000.0 + i / 7,
        duration_ms=1.25,
        request_headers=(("content-type", "application/json"), ("x-n", str(i))),
        request_body=NIKLESS,
        response_headers=(("x-request-id", f"{i:016x}"),),
        response_body="",
        error=None if i % 3 else "refused",
        truncated=bool(i % 5 == 0),
        claimed_caller="social" if i % 7 == 0 else None,
    )
    values.update(fields)
    return HttpCall(**values)  # type: ignore[arg-type]


def test_a_batch_crosses_the_pipe_unchanged() -> None:
    calls = [_call(i) for i in range(20)] + [_call(99, request_body="\ud800 lone surrogate")]
    assert decode(encode(calls)) == calls


@pytest.mark.slow  # starts a process
def test_calls_written_by_the_process_are_stored_and_flushed(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    writer = TraceWriter(store, process=True)
    assert writer._child is not None
    calls = [_call(i) for i in range(1500)]
    for call in calls:
        writer(call)
    assert writer.flush(30)
    assert store.count() == 1500, "flushed means stored, readable by another connection"
    writer.close(30)
    assert store.calls(limit=2000) == calls
    assert writer._child is not None and writer._child.process.returncode == 0


@pytest.mark.slow  # starts a process
def test_a_clean_stop_writes_everything_queued(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    writer = TraceWriter(store, process=True)
    for i in range(3000):
        writer(_call(i))
    writer.close(30)  # no flush first
    assert store.count() == 3000


@pytest.mark.slow  # starts a process
def test_a_killed_writer_process_loses_no_call_and_no_row(tmp_path: Path) -> None:
    store = TraceStore(tmp_path / "trace.db")
    writer = TraceWriter(store, process=True)
    for i in range(400):
        writer(_call(i))
    assert writer.flush(30)
    child = writer._child
    assert child is not None
    os.kill(child.process.pid, signal.SIGKILL)
    child.process.wait(10)
    for i in range(400, 900):
        writer(_call(i))
    assert writer.flush(30)
    writer.close(30)
    assert writer._child is None, "it writes in its own thread again"
    assert store.count() == 900
    with sqlite3.connect(tmp_path / "trace.db") as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


def test_a_store_in_memory_is_written_in_the_thread() -> None:
    store = TraceStore(None)
    writer = TraceWriter(store, process=True)
    assert writer._child is None
    writer(_call(1))
    assert writer.flush(10) and store.count() == 1
    writer.close()
