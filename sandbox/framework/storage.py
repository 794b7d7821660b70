"""Open an institution's own SQLite file the same way everywhere, and insert rows fast.

WAL mode (readers never wait for the writer) with its checkpoints on a thread of their own
(`checkpoints.py`: a COMMIT on the event loop never waits for one), autocommit at the driver
level with explicit transactions through `db.atomic()`, and `check_same_thread=False` because
the server thread is not the thread that opened the file.

Two shortcuts past sqlite-utils on the hot paths, found by profiling a flash sale (see
docs/performance.md). sqlite-utils 4 wraps every `query()` in a SAVEPOINT and its RELEASE, so
that a statement that turns out to write can be undone before it complains; a plain SELECT
cannot write, so `SandboxDatabase.query` runs it directly (a fifth of the SQL time of a
read). And `Table.insert` asks SQLite for the table and view names and opens a savepoint on
every call; `insert_row` builds its statement once per table and set of columns. Both go
through the same connection and the same tracer, so they stay statements of the caller's
transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import weakref
from collections.abc import Generator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from sandbox.framework import checkpoints

_PLAIN_SELECT = re.compile(r"\s*SELECT\s", re.IGNORECASE)
"""A statement that is a plain SELECT, however it is indented (the store's queries written over
several lines start with a newline)."""
_INSERTS: dict[tuple[str, tuple[str, ...]], str] = {}
"""INSERT statements already built, by table and column names (a handful per institution)."""


class SandboxDatabase(sqlite_utils.Database):
    """sqlite-utils' `Database`, with SELECTs run without the savepoint around them."""

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any], None, None]:
        """Rows as dicts, like `Database.query`; a statement that is not a plain SELECT goes
        to sqlite-utils unchanged."""
        if not _PLAIN_SELECT.match(sql):
            return super().query(sql, params)
        if self._tracer:
            self._tracer(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = [column[0] for column in cursor.description]
        if len(set(keys)) != len(keys):  # SELECT a.id, b.id: "id", "id_2" as sqlite-utils
            keys = list(dedupe_keys(keys))
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def open_database(path: Path | str | None) -> sqlite_utils.Database:
    """A `Database` on `path`, or in memory when `path` is None (tests)."""
    target = ":memory:" if path is None else str(path)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10)
    db = SandboxDatabase(conn)
    if path is not None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if checkpoints.enabled():  # checkpoints leave the event loop (`sandbox up`)
            db.execute(f"PRAGMA wal_autocheckpoint={checkpoints.BACKSTOP_PAGES}")
            resolved = Path(path).resolve()
            checkpoints.register(resolved)
            weakref.finalize(db, checkpoints.unregister, resolved)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def insert_row(db: sqlite_utils.Database, table: str, row: Mapping[str, Any]) -> int | None:
    """INSERT one row into an existing `table`; its rowid.

    Column names come from our own code, never from a request. Lists and dicts are stored as
    JSON, as sqlite-utils stores them.
    """
    columns = tuple(row)
    sql = _INSERTS.get((table, columns))
    if sql is None:
        names = ", ".join(f'"{name}"' for name in columns)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        _INSERTS[(table, columns)] = sql
    values = [
        json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list | tuple) else v
        for v in row.values()
    ]
    return db.execute(sql, values).lastrowid
