"""The trace writer waits for a batch to gather only when there is no backlog."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.writer import TraceWriter


def _call(i: int) -> HttpCall:
    return HttpCall(trace_id=f"{i // 4:032x}", span_id=f"{i:016x}", parent_id=None,
                    caller="a", callee="b", method="GET", path=f"/x/{i}", status=200,
                    started_at=1000.0 + i, duration_ms=1.0)  # fmt: skip


class _HeldStore(TraceStore):
    """A store whose first write waits until the test lets it go."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release = threading.Event()
        self.writing = threading.Event()
        self.batches: list[int] = []

    def add(self, calls: list[HttpCall]) -> None:
        self.writing.set()
        assert self.release.wait(10)
        self.batches.append(len(calls))
        super().add(calls)


def test_writer_drains_a_backlog_without_waiting_between_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    real_sleep = time.sleep

    def counting_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr("sandbox.trace.writer.time.sleep", counting_sleep)
    store = _HeldStore(tmp_path / "trace.db")
    writer = TraceWriter(store, interval=0.01, batch=100)
    writer(_call(0))
    assert store.writing.wait(10)  # the first call is being written; the rest queue up
    for i in range(1, 501):
        writer(_call(i))
    store.release.set()

    assert writer.flush(10)
    slept = list(sleeps)
    writer.close()
    assert store.count() == 501
    assert store.batches == [1, 100, 100, 100, 100, 100]
    assert slept == [0.01]  # only before the first, lone call
