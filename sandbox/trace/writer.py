"""The trace store's writer: every institution's calls, from any thread, into `trace.db`.

Recording sits on every request's path, so the recorder only enqueues; one daemon thread
writes what gathered in batches (one transaction per interval, not one per call), and `flush`
lets a reader (the control API, an export) wait until what was recorded before it is stored.
With `process=True` the thread hands each batch to a child process that packs and inserts it
(`writer_process.py`), so that work no longer competes with the servers for the interpreter.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time

from sandbox.trace.events import HttpCall
from sandbox.trace.store import TraceStore
from sandbox.trace.writer_process import StoreProcess

log = logging.getLogger(__name__)


class TraceWriter:
    """Queue calls from any thread; one daemon thread writes them in batches."""

    def __init__(
        self, store: TraceStore, interval: float = 0.05, batch: int = 1000, process: bool = False
    ) -> None:
        self.store = store
        self._child: StoreProcess | None = None
        """Where batches are written when `process` (a store in memory is written here)."""
        if process and store.path is not None:
            self._child = StoreProcess(store.path, store.max_calls, store.max_bytes)
        self.interval = interval
        self.batch = batch
        self._queue: queue.SimpleQueue[HttpCall | None] = queue.SimpleQueue()
        self._tickets = itertools.count(1)
        self._queued = 0
        self._written = 0
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="trace-writer", daemon=True)
        self._thread.start()

    def __call__(self, call: HttpCall) -> None:
        """The recorder: enqueue and return at once."""
        # next() on a shared counter is atomic under the GIL: no lock on the request path.
        self._queued = next(self._tickets)
        self._queue.put(call)

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            # Let a batch gather: one transaction per `interval` instead of one per call, and
            # no wake-up per call competing with the servers for the interpreter. With a full
            # batch already waiting (a burst, a store being filled) there is nothing to gather,
            # and sleeping would cap writing at `batch` calls per `interval`.
            if self._queue.qsize() + 1 < self.batch:
                time.sleep(self.interval)
            while len(items) < self.batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            calls = [c for c in items if c is not None]
            if calls:
                self._write(calls)
            with self._done:
                self._written += len(calls)
                self._done.notify_all()
            if None in items:
                return

    def _write(self, calls: list[HttpCall]) -> None:
        """Store one batch: through the child process if there is one, else here."""
        if self._child is not None:
            try:
                self._child.add(calls)
                return
            except RuntimeError:
                log.error("the trace writer process could not write %d calls", len(calls))
                return
            except OSError:
                log.warning("the trace writer process is gone; writing in this thread")
                self._child.close(0)
                self._child = None
                last = calls[-1]  # a batch is one transaction: all of it is stored, or none
                if self.store.holds(last.trace_id, last.span_id):  # died before answering
                    return
        try:
            self.store.add(calls)
        except Exception:
            log.exception("writing %d calls to the trace store failed", len(calls))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is written (calls queued meanwhile are not
        waited for, so a reader is never held up by a busy sandbox)."""
        with self._done:
            target = self._queued
            return self._done.wait_for(lambda: self._written >= target, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)
        if self._child is not None:
            self._child.close(timeout)
