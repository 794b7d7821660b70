"""The layout of `trace.db`, made in a new file and brought up to date in an older one.

Layouts, numbered in `PRAGMA user_version` (`stored_ids.SCHEMA` is the current one):

- 0: every id as hex text, parties as text (and, earlier still, no `claimed_caller` or
  `size` column: added here).
- 1: trace, span and parent ids as the bytes their hex spells (`stored_ids.py`).
- 2: caller and callee as numbers named in the `parties` table (`parties.py`): 17 bytes a
  call in the row and the two party indexes.

An older file is converted once, when it is opened: one transaction taken for writing at once
(`BEGIN IMMEDIATE`), so a second process opening it waits and then finds it done, and a kill
part way leaves the file as it was. The table is copied into the new layout and the old one
dropped: SQLite cannot change a column's type in place, and a column declared TEXT would turn
every number stored in it back into text.
"""

from __future__ import annotations

import sqlite3

from sandbox.trace import parties
from sandbox.trace.stored_ids import SCHEMA, converted

_COLUMNS = (
    "seq INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT,"
    " caller INTEGER, callee INTEGER, method TEXT, path TEXT, status INTEGER, started_at REAL,"
    " duration_ms REAL, error TEXT, truncated INTEGER, detail BLOB, claimed_caller TEXT,"
    " size INTEGER"
)
_INDEXES = (
    # Every trace lookup, retention and the trace list.
    "CREATE INDEX IF NOT EXISTS calls_trace ON calls (trace_id)",
    # Filtering a log by institution and the per-service counts.
    "CREATE INDEX IF NOT EXISTS calls_caller ON calls (caller)",
    "CREATE INDEX IF NOT EXISTS calls_callee ON calls (callee)",
    # Paging in start order (the call log) walks this index: no sort of the whole table per
    # page. The rowid (seq) every index entry ends with breaks ties in stored order.
    "CREATE INDEX IF NOT EXISTS calls_started ON calls (started_at)",
)
_COPY = (
    "INSERT INTO calls_new (seq, trace_id, span_id, parent_id, caller, callee, method, path,"
    " status, started_at, duration_ms, error, truncated, detail, claimed_caller, size)"
    " SELECT seq, sandbox_id(trace_id), sandbox_id(span_id), sandbox_id(parent_id),"
    " (SELECT id FROM parties WHERE name = c.caller), (SELECT id FROM parties WHERE name ="
    " c.callee), method, path, status, started_at, duration_ms, error, truncated, detail,"
    " claimed_caller, size FROM calls AS c"
)


def prepare(conn: sqlite3.Connection) -> None:
    """Make the tables and indexes of the current layout, converting an older file once."""
    if _version(conn) < SCHEMA:
        if _has_calls(conn):
            _convert(conn)
        else:
            _create(conn)
    for statement in _INDEXES:
        conn.execute(statement)


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _has_calls(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'")
    return found.fetchone() is not None


def _create(conn: sqlite3.Connection) -> None:
    """A new file: the current layout at once."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"CREATE TABLE IF NOT EXISTS calls ({_COLUMNS})")
        conn.execute(parties.TABLE)
        conn.execute(f"PRAGMA user_version = {SCHEMA}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Columns added before layouts were numbered (inside the conversion's transaction: two
    processes opening such a file at once would otherwise both add them, and one fail)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(calls)").fetchall()}
    if "claimed_caller" not in columns:  # a trace.db from before the column existed
        conn.execute("ALTER TABLE calls ADD COLUMN claimed_caller TEXT")
    if "size" not in columns:  # ...or before stores were bounded in bytes
        conn.execute("ALTER TABLE calls ADD COLUMN size INTEGER")


def _convert(conn: sqlite3.Connection) -> None:
    """Layout 0 or 1 to 2: ids as bytes, parties as numbers, in one transaction."""
    conn.create_function("sandbox_id", 1, converted, deterministic=True)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _version(conn) < SCHEMA:  # another process may have converted it meanwhile
            _add_missing_columns(conn)
            conn.execute(parties.TABLE)
            conn.execute(
                "INSERT OR IGNORE INTO parties (name) SELECT caller FROM calls WHERE caller IS"
                " NOT NULL UNION SELECT callee FROM calls WHERE callee IS NOT NULL"
            )
            conn.execute("DROP TABLE IF EXISTS calls_new")
            conn.execute(f"CREATE TABLE calls_new ({_COLUMNS})")
            conn.execute(_COPY)
            conn.execute("DROP TABLE calls")
            conn.execute("ALTER TABLE calls_new RENAME TO calls")
            for statement in _INDEXES:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
