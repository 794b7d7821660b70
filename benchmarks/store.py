"""The trace store at 100,000 calls: how fast it fills, what holding it costs, the UI on it.

Filling: a child process publishes `calls` synthetic calls (`benchmarks.ui.synthetic_calls`:
four-hop traces with small JSON bodies) to an `EventStream` with a `TraceWriter` subscribed,
the path every recorded call takes in `sandbox up`, and waits for the writer to flush. The
calls are built before the clock starts. Baseline: the same number of calls written directly
with `TraceStore.add` in batches of 5,000 (no stream, no writer thread). The child's peak
memory (VmHWM) is reported too.

Holding and opening: `sandbox up` is started on the filled store and on an empty one, and the
real UI (headless, attached through the control API; `benchmarks.ui.start_ui`) opens on each:
the time from starting the app to the first frame showing the call log with its total and its
visible rows loaded, and the peak memory of both processes.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure
from benchmarks.memory import status_mb
from benchmarks.processes import start_sandbox, start_worker
from benchmarks.ui import fill_store, synthetic_calls
from benchmarks.ui_driver import start_ui

SECTION = "trace store and log at {calls:,} calls"
BATCH = 5_000


def _fill_through_writer(db_path: str, count: int, conn: Connection) -> None:
    """Child process: publish `count` calls through the stream and writer; report rate, memory."""
    import os

    from sandbox.trace.store import TraceStore
    from sandbox.trace.stream import EventStream
    from sandbox.trace.writer import TraceWriter

    calls = [c for offset in range(0, count, BATCH)
             for c in synthetic_calls(min(BATCH, count - offset), seed=offset)]  # fmt: skip
    before = status_mb(os.getpid())
    store = TraceStore(Path(db_path), max_calls=max(count, 100_000))
    writer = TraceWriter(store)
    stream = EventStream()
    stream.subscribe(writer)
    start = time.perf_counter()
    for call in calls:
        stream.publish(call)
    flushed = writer.flush(600.0)
    elapsed = time.perf_counter() - start
    writer.close(60.0)
    stored = store.count()
    store.close()
    conn.send({"seconds": elapsed, "flushed": flushed, "stored": stored,
               "before": before, "after": status_mb(os.getpid())})  # fmt: skip


def fill(db_path: Path, count: int) -> dict[str, Any]:
    """Fill `db_path` through the writer in a child process; its report."""
    ctx = multiprocessing.get_context("spawn")
    worker = start_worker(ctx, _fill_through_writer, (str(db_path), count), "bench-fill")
    try:
        return worker.receive(900, "filling the trace store took more than 15 minutes")
    finally:
        worker.end(10)


def open_ui(data_dir: Path, calls: int) -> dict[str, Any]:
    """`sandbox up` on `data_dir`, then the UI on it: open time and both processes' memory."""
    ctx = multiprocessing.get_context("spawn")
    sandbox = start_sandbox(data_dir, max(calls, 100_000))
    try:
        time.sleep(0.5)  # past start-up work, so VmRSS is what it holds when idle
        idle = status_mb(sandbox.process.pid)
        ui = start_ui(ctx, sandbox, calls)
        opened = ui.opened
        ui_peak = ui.close()["peak_rss_mb"]
        after = status_mb(sandbox.process.pid)
    finally:
        sandbox.stop()
    return {"open_ms": opened["open_ms"], "total": opened["total"], "ui_peak_mb": ui_peak,
            "sandbox_rss_mb": idle.get("VmRSS"), "sandbox_peak_mb": after.get("VmHWM")}  # fmt: skip


def measure(tmp: Path, calls: int, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fill a store both ways, then open the UI on it (and on an empty store unless given)."""
    writer = fill(tmp / "big" / "trace.db", calls)
    direct_s = fill_store(tmp / "direct" / "trace.db", calls)
    full = open_ui(tmp / "big", calls)
    return {
        "calls": calls,
        "writer": writer,
        "direct_s": direct_s,
        "full": full,
        "empty": empty if empty is not None else open_ui(tmp / "empty", 0),
    }


def figures(raw: dict[str, Any]) -> list[Figure]:
    """Table rows for the store and the log."""
    section = SECTION.format(calls=raw["calls"])
    w, full, empty = raw["writer"], raw["full"], raw["empty"]
    return [
        Figure(section, "insert rate through stream + writer thread", raw["calls"] / w["seconds"],
               "calls/s", raw["calls"] / raw["direct_s"], "TraceStore.add x5000",
               note=f"{w['stored']:,} stored; the filling process peaked at "
               f"{w['after'].get('VmHWM', 0):.0f} MB ({w['before'].get('VmHWM', 0):.0f} MB "
               "holding the calls before the clock started)"),
        Figure(section, "sandbox up memory, idle on the full store", full["sandbox_rss_mb"],
               "MB", empty["sandbox_rss_mb"], "empty store"),
        Figure(section, "UI: start to populated log", full["open_ms"], "ms", empty["open_ms"],
               "empty store"),
        Figure(section, "UI peak memory", full["ui_peak_mb"], "MB", empty["ui_peak_mb"],
               "empty store"),
    ]  # fmt: skip
