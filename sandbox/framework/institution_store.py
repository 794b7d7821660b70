"""The scaffold every institution's store shares: open its file, bring its tables up to date,
seed it the first time, catch it up when it was seeded earlier, and reset it to the seeded
world in one transaction.

Every store used to write these steps out for itself; they live here once, so a store holds
only what is its own - its migrations, the tables a reset empties, how the seed becomes rows
and its queries. A store is still the only place with its institution's SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

import sqlite_utils

from sandbox.framework.storage import open_database
from sandbox.wire.outbox import TABLE as OUTBOX_TABLE


class InstitutionStore:
    """An institution's database: opened, migrated, seeded once, reset on demand."""

    migrations: ClassVar[sqlite_utils.Migrations]
    """The institution's tables, one function per change (its `sqlite_utils.Migrations`)."""
    PART_MIGRATIONS: ClassVar[tuple[sqlite_utils.Migrations, ...]] = ()
    """The migrations of parts that keep their SQL in a module of their own (the marketplace's
    seller applications): applied with the store's, so that `TABLES` may name their tables."""
    TABLES: ClassVar[tuple[str, ...]] = ()
    """Every table `reset` empties, in this order: children before parents (foreign keys)."""
    OUTBOX: ClassVar[bool] = False
    """True: `reset` also forgets the webhooks waiting in the outbox (`wire/outbox.py`), whose
    table the `Outbox` makes on the same database once the store is open."""

    def __init__(self, db: sqlite_utils.Database, seed: Mapping[str, Any] | None = None) -> None:
        """Args:
        db: The institution's database (`open_database`).
        seed: Its slice of the world: a new database is seeded with it, one seeded earlier
            is caught up (`catch_up`). None leaves the rows as they are.
        """
        self.db = db
        self.migrations.apply(db)
        for part in self.PART_MIGRATIONS:
            part.apply(db)
        if seed is not None:
            self.seed_once(seed)

    @classmethod
    def open(cls, path: Path | None, seed: Mapping[str, Any]) -> Self:
        """Open (or create) the database at `path` (memory if None) and seed it the first time."""
        return cls(open_database(path), seed)

    def seed_once(self, seed: Mapping[str, Any]) -> None:
        """Seed a database that holds no world yet; catch one seeded earlier up with `seed`."""
        if self.is_empty():
            self.reset(seed)
        else:
            self.catch_up(seed)

    def is_empty(self) -> bool:
        """True while no seed was loaded: the `meta` table, filled by every seeding, is empty."""
        return bool(self.db.table("meta").count == 0)

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        """A database seeded earlier meets the seed of this run: bring in what the seed has
        that a reset would have put there (partners onboarded since). Nothing by default."""

    def reset(self, seed: Mapping[str, Any]) -> None:
        """Forget everything and restore the seeded world, in one transaction."""
        with self.db.atomic():
            for table in self.TABLES:
                self.db.execute(f"DELETE FROM [{table}]")
            if self.OUTBOX and self.db.table(OUTBOX_TABLE).exists():
                self.db.execute(f"DELETE FROM [{OUTBOX_TABLE}]")
            self.insert_seed(seed)

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """Insert the seeded world's rows (called inside the reset's transaction)."""
        raise NotImplementedError

    def remember_seed(self, seed: Mapping[str, Any]) -> None:
        """The `meta` row that says which seed the rows came from."""
        self.db.table("meta").insert({"key": "seed", "value": str(seed.get("seed"))})

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction: everything inside happens, or (on any exception) nothing does."""
        with self.db.atomic():
            yield
