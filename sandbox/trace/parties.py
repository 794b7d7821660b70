"""Party names as `trace.db` keeps them: small numbers, named once in a `parties` table.

Every call names two parties (`marketplace`, `bank`, `external`, a person's tool), and a
sandbox has a few dozen at most. As text they took 8 to 12 bytes of every row and as much
again in each of the caller and callee indexes; as numbers, one byte each. Numbers are given
by the one writer in the transaction that first stores a name, never change and are never
taken back, so a number read once names the same party for as long as the file lives, in
every process that opens it.
"""

from __future__ import annotations

import sqlite3
import threading

TABLE = "CREATE TABLE IF NOT EXISTS parties (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"
"""The lookup table (its UNIQUE index finds a name's number)."""


class Parties:
    """Names to numbers and back, cached; the database is asked only about a new name."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock
        self._numbers: dict[str, int] = {}
        self._names: dict[int, str] = {}

    def number(self, name: str) -> int:
        """The number of `name`, given it now if it has none (inside the writer's
        transaction: if that transaction rolls back, call `forget`)."""
        number = self._numbers.get(name)
        if number is None:
            self._conn.execute("INSERT OR IGNORE INTO parties (name) VALUES (?)", [name])
            number = self._known(name)
            assert number is not None  # just inserted, or there already
        return number

    def known(self, name: str) -> int | None:
        """The number of `name`, or None when no call names it (nothing is given)."""
        number = self._numbers.get(name)
        return number if number is not None else self._known(name)

    def name(self, number: int | None) -> str:
        """The name numbered `number` ("" for none: a row from before callers were kept)."""
        if number is None:
            return ""
        name = self._names.get(number)
        if name is None:  # a name another process's writer gave since: read them all again
            with self._lock:
                for found, called in self._conn.execute("SELECT id, name FROM parties"):
                    self._remember(called, found)
            name = self._names.get(number)
        return name if name is not None else f"party {number}"

    def forget(self) -> None:
        """Drop every cached number (a write that gave some was rolled back)."""
        self._numbers, self._names = {}, {}

    def _known(self, name: str) -> int | None:
        with self._lock:
            row = self._conn.execute("SELECT id FROM parties WHERE name = ?", [name]).fetchone()
        if row is None:
            return None
        self._remember(name, int(row[0]))
        return int(row[0])

    def _remember(self, name: str, number: int) -> None:
        self._numbers[name] = number
        self._names[number] = name
