"""WAL checkpoints of the institutions' SQLite files, on a thread of their own.

In WAL mode SQLite copies the log back into the database file once the log passes 1,000
pages, inside whichever COMMIT crosses that line, and waits there for the file's `fsync`. An
institution commits on the event loop, so every call in flight waited with it: one COMMIT in a
hundred took 4 ms, the longest 80 to 156 ms on the shared test machine, in the middle of a
presenter's story (docs/performance.md, "CPU per order and per read, fifth pass").

Under `sandbox up` (`enable`) one daemon thread checkpoints every registered file about twice a
second (`PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own: it never blocks a writer
or a reader, and the `sqlite3` module lets go of the GIL while SQLite works), so the log stays
short and a COMMIT on the loop has nothing to copy. The connections keep SQLite's automatic
checkpoint, at four times the default, as a backstop should this thread ever fall behind."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL = 0.5
"""Seconds between two rounds of checkpoints while nothing is written."""
BURST_INTERVAL = 0.05
"""Seconds between two rounds while the logs fill: short, so a log never grows long."""
BACKSTOP_PAGES = 4_000
"""`wal_autocheckpoint` of the institutions' own connections: a COMMIT checkpoints itself only
when the log has grown this long, which this thread never lets happen while it runs."""

_enabled = False
"""Whether `open_database` hands its files to this thread: only `sandbox up` says so (tests
and runtimes embedded in other programs open hundreds of short-lived files, which SQLite's own
checkpoint serves well and a thread holding a connection to each would not)."""
_lock = threading.Lock()
_paths: dict[Path, int] = {}
"""Registered files, with how many open databases use each."""
_thread: threading.Thread | None = None


def enable(on: bool = True) -> None:
    """From now on, files opened by `open_database` are checkpointed here (`sandbox up`)."""
    global _enabled
    _enabled = on


def enabled() -> bool:
    """Whether `open_database` registers its files (see `enable`)."""
    return _enabled


def register(path: Path) -> None:
    """Checkpoint `path` from now on (until `unregister`), starting the thread if needed."""
    global _thread
    with _lock:
        _paths[path] = _paths.get(path, 0) + 1
        if _thread is None or not _thread.is_alive():
            thread: threading.Thread = threading.Thread(
                target=_run, name="sqlite-checkpoints", daemon=True
            )
            thread.start()
            _thread = thread


def unregister(path: Path) -> None:
    """One database on `path` was closed; forget the file when none is left."""
    with _lock:
        left = _paths.get(path, 0) - 1
        if left > 0:
            _paths[path] = left
        else:
            _paths.pop(path, None)


def registered() -> list[Path]:
    """The files checkpointed now (for tests and diagnostics)."""
    with _lock:
        return list(_paths)


def checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int] | None:
    """One passive checkpoint: SQLite's (busy, pages in the log, pages copied), or None when
    SQLite could not (busy, or the file is being removed: the next round tries again)."""
    try:
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
    except sqlite3.Error as exc:
        log.debug("checkpoint skipped: %s", exc)
        return None


def _connect(path: Path) -> sqlite3.Connection | None:
    try:  # mode=rw: never create a file that is gone (a data directory being removed)
        return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0.1)
    except sqlite3.Error:
        return None


def _run() -> None:
    """Checkpoint every registered file; again soon while some log is being written (a burst
    of writes, as in a flash sale), else after `INTERVAL`.

    A log's length in pages stays the same from one round to the next while nothing is
    written (it is not emptied by a checkpoint, only restarted by the next write), so a
    change of length is what says a file is being written."""
    conns: dict[Path, sqlite3.Connection] = {}
    lengths: dict[Path, int] = {}
    wake = threading.Event()
    busy = False
    while True:
        wake.wait(BURST_INTERVAL if busy else INTERVAL)
        busy = False
        paths = set(registered())
        for gone in set(conns) - paths:
            conns.pop(gone).close()
            lengths.pop(gone, None)
        for path in paths:
            conn = conns.get(path) or _connect(path)
            if conn is None:
                continue
            conns[path] = conn
            done = checkpoint(conn)
            if done is not None:
                busy = busy or done[1] != lengths.get(path)
                lengths[path] = done[1]
