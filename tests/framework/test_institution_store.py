"""The store base: a new database is seeded once, a reopened one caught up, a reset starts over."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore
from sandbox.wire.outbox import TABLE as OUTBOX_TABLE

_migrations = sqlite_utils.Migrations("shelf")


@_migrations()
def m001_books(db: sqlite_utils.Database) -> None:
    """A shelf of books, and loans that point at them."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
    db.execute("CREATE TABLE loans (book_id INTEGER NOT NULL REFERENCES books(id))")


class ShelfStore(InstitutionStore):
    """A store as small as one can be: books from the seed, loans made at run time."""

    migrations = _migrations
    TABLES = ("loans", "books", "meta")

    def __init__(self, db: sqlite_utils.Database, seed: Mapping[str, Any] | None = None) -> None:
        self.caught_up: list[Mapping[str, Any]] = []
        super().__init__(db, seed)

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        self.remember_seed(seed)
        self.db.table("books").insert_all({"title": t} for t in seed["data"]["books"])

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        self.caught_up.append(seed)

    def titles(self) -> list[str]:
        return [row["title"] for row in self.db.query("SELECT title FROM books ORDER BY id")]


def _seed(*books: str, seed: int = 7) -> dict[str, Any]:
    return {"seed": seed, "data": {"books": list(books)}}


def test_a_new_database_is_seeded_and_a_reopened_one_caught_up(tmp_path: Path) -> None:
    path = tmp_path / "shelf.db"
    first = ShelfStore.open(path, _seed("Laskar Pelangi"))
    assert first.titles() == ["Laskar Pelangi"] and first.caught_up == []
    first.db.execute("INSERT INTO loans VALUES (1)")
    again = ShelfStore.open(path, _seed("Bumi Manusia"))
    assert again.titles() == ["Laskar Pelangi"]  # kept: the seed only catches it up
    assert again.caught_up == [_seed("Bumi Manusia")]
    assert list(again.db.query("SELECT value FROM meta")) == [{"value": "7"}]


def test_reset_empties_children_first_and_seeds_again(tmp_path: Path) -> None:
    store = ShelfStore.open(tmp_path / "shelf.db", _seed("Laskar Pelangi"))
    store.db.execute("INSERT INTO loans VALUES (1)")  # a child row: foreign keys are on
    store.reset(_seed("Bumi Manusia", "Ronggeng Dukuh Paruk", seed=8))
    assert store.titles() == ["Bumi Manusia", "Ronggeng Dukuh Paruk"]
    assert store.db.execute("SELECT COUNT(*) FROM loans").fetchone()[0] == 0
    assert list(store.db.query("SELECT value FROM meta")) == [{"value": "8"}]


def test_a_failed_seed_leaves_the_world_as_it_was() -> None:
    store = ShelfStore.open(None, _seed("Laskar Pelangi"))
    with pytest.raises(KeyError):
        store.reset({"seed": 9, "data": {}})  # no books: insert_seed fails half-way
    assert store.titles() == ["Laskar Pelangi"]
    assert list(store.db.query("SELECT value FROM meta")) == [{"value": "7"}]


def test_the_outbox_is_forgotten_only_by_a_store_that_says_so() -> None:
    store = ShelfStore.open(None, _seed("Laskar Pelangi"))
    store.db.execute(f"CREATE TABLE [{OUTBOX_TABLE}] (id INTEGER PRIMARY KEY)")
    store.db.execute(f"INSERT INTO [{OUTBOX_TABLE}] VALUES (1)")
    store.reset(_seed("Laskar Pelangi"))
    assert store.db.table(OUTBOX_TABLE).count == 1
    ShelfStore.OUTBOX = True
    try:
        store.reset(_seed("Laskar Pelangi"))
    finally:
        ShelfStore.OUTBOX = False
    assert store.db.table(OUTBOX_TABLE).count == 0
