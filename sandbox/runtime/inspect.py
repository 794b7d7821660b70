"""Look inside an institution's own SQLite file, read-only, for the services screen.

Students see that each institution keeps its own books (no shared database). The file is opened
with `mode=ro`, so nothing here can change it, and a table name from a request is only ever
used after it was found in `sqlite_master`, quoted as an identifier. What reaches a screen
follows the trace's rules (`trace/redact.py`): NIKs masked to their last four digits, prefixed
tokens cut, columns whose name says secret (secrets, keys, tokens, PINs) replaced by
`[redacted]`. A PIN hash keeps only its algorithm and cost (`pbkdf2_sha256$200000$[redacted]`):
enough to show that no PIN is stored, nothing to start guessing from.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from sandbox.runtime.models import TableInfo, Webhook
from sandbox.trace import redact

INTERNAL_PREFIXES = ("sqlite_", "_sqlite")
_HASHED = re.compile(r"((?:pbkdf2_[a-z0-9]+|scrypt)\$[0-9a-z:=,]+)\$.*", re.DOTALL)
"""A password-style hash, `algorithm$cost$salt$digest`."""
"""SQLite's own tables and sqlite-utils' migration bookkeeping: not the institution's data."""


class UnknownTable(LookupError):
    """The database has no (visible) table of that name."""


class TableRows(NamedTuple):
    """One page of a table, JSON-ready: blobs appear as `<N bytes>`.

    A named tuple, so `columns, rows, total = page` works as well as `page.rows`.
    """

    columns: list[str]
    rows: list[list[Any]]
    total: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"columns": self.columns, "rows": self.rows, "total": self.total}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableRows:
        """The inverse of `to_dict`."""
        return cls(
            columns=[str(c) for c in data.get("columns", ())],
            rows=[list(r) for r in data.get("rows", ())],
            total=int(data.get("total", 0)),
        )


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    if not path.exists():  # mode=ro never creates a file, but say clearly why nothing is there
        raise FileNotFoundError(f"no database at {path}")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
        yield conn


def _names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in rows if not name.startswith(INTERNAL_PREFIXES)]


def _ident(name: str) -> str:
    """`name` as a quoted SQL identifier (only ever for names read from sqlite_master)."""
    return '"' + name.replace('"', '""') + '"'


def _columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    return tuple(row[1] for row in conn.execute(f"PRAGMA table_info({_ident(table)})"))


def _cell(value: Any, secret: bool) -> Any:
    if value is None:
        return None
    if secret:
        return redact.MASK
    if isinstance(value, str):
        hashed = _HASHED.fullmatch(value)
        if hashed:
            return f"{hashed.group(1)}${redact.MASK}"
        return redact.text(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinity or NaN
    return value


def tables(path: Path) -> list[TableInfo]:
    """Every table of the database at `path`, with its row count and columns, by name."""
    with _read_only(path) as conn:
        return [
            TableInfo(
                name=name,
                columns=_columns(conn, name),
                rows=conn.execute(f"SELECT count(*) FROM {_ident(name)}").fetchone()[0],
            )
            for name in _names(conn)
        ]


def rows(path: Path, table: str, offset: int = 0, limit: int = 100) -> TableRows:
    """One page of `table` in storage order; UnknownTable if the database has no such table."""
    with _read_only(path) as conn:
        if table not in _names(conn):
            raise UnknownTable(f"no table {table!r}; tables: {', '.join(_names(conn))}")
        quoted = _ident(table)
        total = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
        cursor = conn.execute(
            f"SELECT * FROM {quoted} LIMIT ? OFFSET ?", [max(0, limit), max(0, offset)]
        )
        columns = [str(d[0]) for d in cursor.description]
        secret = [redact.secret_name(c) for c in columns]
        return TableRows(
            columns=columns,
            rows=[[_cell(v, s) for v, s in zip(row, secret, strict=True)] for row in cursor],
            total=int(total),
        )


OUTBOX = "_outbox"
"""The table `sandbox.wire.outbox.Outbox` keeps webhooks in (kept in step by a test)."""
GAVE_UP = "given up: "
"""How the outbox marks a dead letter's `last_error` (`sandbox.wire.outbox.GAVE_UP`)."""


def webhooks(
    path: Path, service: str, states: tuple[str, ...] = ("pending", "dead")
) -> list[Webhook]:
    """The webhooks `service` has not delivered, oldest first: `pending` ones still retried,
    `dead` ones given up. An institution without an outbox has none."""
    with _read_only(path) as conn:
        if OUTBOX not in {
            n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }:
            return []
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            f"SELECT *, CASE WHEN next_at IS NULL THEN 'dead' ELSE 'pending' END AS state "
            f"FROM {OUTBOX} WHERE delivered_at IS NULL ORDER BY created_at"
        ).fetchall()
    found = []
    for row in rows:
        data = dict(row)
        if data["state"] not in states:
            continue
        error = data.get("last_error") or None
        reason = error[len(GAVE_UP) :] if error and error.startswith(GAVE_UP) else None
        found.append(
            Webhook(
                service=service,
                event_id=data["event_id"],
                target=data["target"],
                path=redact.path(data["path"]),
                kind=data["kind"],
                state=data["state"],
                attempts=int(data["attempts"] or 0),
                created_at=float(data["created_at"] or 0),
                last_status=data.get("last_status"),
                last_error=None if reason else error,
                next_at=data.get("next_at"),
                gave_up_reason=reason,
                trace_id=data.get("trace_id"),
            )
        )
    return found
