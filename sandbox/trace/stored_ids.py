"""How `trace.db` keeps a call's trace, span and parent ids: as the bytes their hex spells.

A W3C trace id is 32 hex digits, a span id 16: as text they were 48 bytes of every row and 32
of every entry in the trace index, as blobs 24 and 16. Only lowercase hex of even length is
turned into bytes, so every id comes back exactly as it was recorded; anything else (an id a
test or a person's tool made up) stays text. SQLite orders every text value before every
blob, which lets a prefix of a trace id be found through the index either way (`prefix_range`).

Layout 1 (`PRAGMA user_version`) brought this in; `schema.py` converts a `trace.db` from
before it (every id as text) once, with `converted`, when it is opened.
"""

from __future__ import annotations

import re
import sqlite3

SCHEMA = 2
"""The `user_version` of the trace.db layout this code writes and reads (`schema.py`): ids
stored by `to_db`, parties as numbers (`parties.py`)."""
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_MAX_ID_BYTES = 16


def to_db(value: str | None) -> bytes | str | None:
    """An id as the store keeps it: its bytes when it is lowercase hex, else itself."""
    if value:
        try:  # three times faster than a regular expression, on every recorded call
            packed = bytes.fromhex(value)
        except ValueError:
            return value
        if packed.hex() == value:  # not upper case, not spaced
            return packed
    return value


def from_db(value: bytes | str | None) -> str | None:
    """The id `to_db` stored, as it was recorded."""
    return value.hex() if isinstance(value, bytes) else value


def from_db_str(value: bytes | str) -> str:
    """`from_db` for a column that is never NULL (trace and span ids)."""
    return value.hex() if isinstance(value, bytes) else value


def prefix_range(prefix: str) -> tuple[bytes, bytes] | None:
    """The blobs between which every stored id starting with hex `prefix` lies (inclusive),
    or None when `prefix` is not lowercase hex of at most 32 digits."""
    odd = len(prefix) % 2
    if len(prefix) > 2 * _MAX_ID_BYTES or (prefix and not _HEX.fullmatch(prefix + "0" * odd)):
        return None
    low = bytes.fromhex(prefix + "0" * odd)
    high = bytes.fromhex(prefix + "f" * odd) + b"\xff" * _MAX_ID_BYTES
    return low, high


def converted(value: bytes | str | None) -> bytes | str | None:
    """An id of an older layout as `to_db` stores it (bytes already stored stay as they are)."""
    return to_db(value) if isinstance(value, str) else value


class NewerTraceStore(Exception):
    """The trace.db was written by a newer sandbox, whose layout this one would misread (and
    its lookups would miss what this one wrote): it is refused before anything is written."""


def refuse_newer(conn: sqlite3.Connection, where: str) -> None:
    """Raise NewerTraceStore if the database's layout is newer than `SCHEMA`."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA:
        raise NewerTraceStore(
            f"{where} was written by a newer sandbox (trace layout {found}; this one reads up "
            f"to {SCHEMA}): upgrade this sandbox, or use another --data-dir"
        )
