"""trace.db files as earlier versions of the store wrote them: their statements, kept here.

Layout 1 is what `TraceStore` made and `add` wrote until parties became numbers (ids as bytes,
parties as text, `PRAGMA user_version = 1`); layout 0 is the same with every id as hex text,
as the store wrote before ids became bytes. Bodies are packed as version 2 packed them.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from sandbox.trace.events import HttpCall
from sandbox.trace.packing import PACKED_V2, ZDICT, ids_of
from sandbox.trace.stored_ids import to_db

_TABLE = (
    "CREATE TABLE IF NOT EXISTS calls (seq INTEGER PRIMARY KEY, trace_id TEXT NOT NULL,"
    " span_id TEXT NOT NULL, parent_id TEXT, caller TEXT, callee TEXT, method TEXT,"
    " path TEXT, status INTEGER, started_at REAL, duration_ms REAL, error TEXT,"
    " truncated INTEGER, detail BLOB)"
)
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS calls_trace ON calls (trace_id)",
    "CREATE INDEX IF NOT EXISTS calls_caller ON calls (caller)",
    "CREATE INDEX IF NOT EXISTS calls_callee ON calls (callee)",
    "CREATE INDEX IF NOT EXISTS calls_started ON calls (started_at)",
)
_COLUMNS = (
    "trace_id", "span_id", "parent_id", "caller", "callee", "method", "path", "status",
    "started_at", "duration_ms", "error", "claimed_caller", "truncated",
)  # fmt: skip


def packed_v2(call: HttpCall) -> bytes:
    """A call's headers and bodies as version 2 of `pack_detail` packed them."""
    detail = [call.request_headers, call.request_body, call.response_headers, call.response_body]
    text = json.dumps(detail, separators=(",", ":")).encode()
    for mark, value in zip((b"\x01", b"\x02", b"\x03"), ids_of(call), strict=True):
        if value.isascii() and value.isalnum():
            text = text.replace(value.encode(), mark)
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=ZDICT)
    return PACKED_V2 + packer.compress(text) + packer.flush()


def _old_size(call: HttpCall, detail: bytes) -> int:
    text = sum(
        len(v or "")
        for v in (call.path, call.trace_id, call.span_id, call.caller, call.callee, call.error)
    )
    return len(detail) + text + len(call.claimed_caller or "") + 160


def write(path: Path, calls: list[HttpCall], layout: int) -> None:
    """A trace.db at `path` holding `calls`, as the store of `layout` (0 or 1) left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(_TABLE)
    conn.execute("ALTER TABLE calls ADD COLUMN claimed_caller TEXT")
    conn.execute("ALTER TABLE calls ADD COLUMN size INTEGER")
    conn.execute(f"PRAGMA user_version = {layout}")
    for statement in _INDEXES:
        conn.execute(statement)

    def stored(value: str | None) -> bytes | str | None:
        return to_db(value) if layout >= 1 else value

    rows = []
    for c in calls:
        detail = packed_v2(c)
        rows.append(
            (
                stored(c.trace_id),
                stored(c.span_id),
                stored(c.parent_id),
                *(getattr(c, k) for k in _COLUMNS[3:-1]),
                int(c.truncated),
                detail,
                _old_size(c, detail),
            )
        )
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO calls ({', '.join(_COLUMNS)}, detail, size) "
        f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
