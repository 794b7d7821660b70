"""The SQL shortcuts of `framework/storage.py` answer exactly as sqlite-utils does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from sandbox.framework.storage import insert_row, open_database


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    db = open_database(tmp_path / "shop.db")
    columns = {"order_id": str, "total": int, "note": str, "items": str}
    db.table("orders").create(columns, pk="order_id")
    return db


def test_select_rows_match_sqlite_utils(db: sqlite_utils.Database) -> None:
    insert_row(db, "orders", {"order_id": "1", "total": 5, "note": None, "items": "[]"})
    plain = sqlite_utils.Database(db.conn)
    for sql in (
        "SELECT * FROM orders WHERE order_id = ?",
        "SELECT a.order_id, b.order_id, a.total FROM orders a JOIN orders b USING (order_id)"
        " WHERE a.order_id = ?",
        "  select * from orders where order_id = ?",
        "\nSELECT\n  order_id, total\nFROM orders\nWHERE order_id = ?",  # a store's layout
        "WITH o AS (SELECT * FROM orders) SELECT * FROM o WHERE order_id = ?",  # sqlite-utils
    ):
        assert list(db.query(sql, ["1"])) == list(plain.query(sql, ["1"]))
    duplicated = next(db.query("SELECT order_id, order_id FROM orders"))
    assert duplicated == {"order_id": "1", "order_id_2": "1"}


def test_a_write_through_query_is_still_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError):
        db.query("DELETE FROM orders")
    with pytest.raises(sqlite3.ProgrammingError):  # sqlite3 runs one statement at a time
        db.query("SELECT 1; DELETE FROM orders")
    # ...and a non-SELECT that returns rows still goes through sqlite-utils' savepoint
    rows = list(db.query("INSERT INTO orders (order_id, total) VALUES ('2', 1) RETURNING total"))
    assert rows == [{"total": 1}]


def test_insert_row_stores_json_and_joins_the_transaction(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError), db.atomic():
        insert_row(db, "orders", {"order_id": "1", "total": 5, "items": [{"sku": "é"}]})
        raise RuntimeError("the change around it failed")
    assert db["orders"].count == 0
    rowid = insert_row(db, "orders", {"order_id": "1", "total": 5, "items": [{"sku": "é"}]})
    assert rowid == 1
    assert next(db.query("SELECT items FROM orders"))["items"] == '[{"sku": "é"}]'
    with pytest.raises(sqlite3.IntegrityError):  # the primary key still holds
        insert_row(db, "orders", {"order_id": "1", "total": 6})


def test_a_select_however_laid_out_needs_no_savepoint(db: sqlite_utils.Database) -> None:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    for sql in ("SELECT 1", "\n  SELECT order_id\nFROM orders", "select\t1", "\tSeLeCt\n1"):
        list(db.query(sql))
    assert not [s for s in statements if "SAVEPOINT" in s]
    list(db.query("WITH one AS (SELECT 1) SELECT * FROM one"))  # not a plain SELECT
    assert any("SAVEPOINT" in s for s in statements)
