"""Open an institution's own SQLite file the same way everywhere.

WAL mode (readers never wait for the writer), autocommit at the driver level with explicit
transactions through `db.atomic()`, and `check_same_thread=False` because the server thread is
not the thread that opened the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils


def open_database(path: Path | str | None) -> sqlite_utils.Database:
    """A `Database` on `path`, or in memory when `path` is None (tests)."""
    target = ":memory:" if path is None else str(path)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10)
    db = sqlite_utils.Database(conn)
    if path is not None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db
