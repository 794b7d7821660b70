"""SQL of orders: their lines and stock, their status and deadlines, and the payments the
bank announced for them.

A mixin of `MarketplaceStore` (store.py), kept apart so each part of its SQL reads on its own.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from sandbox.framework.storage import insert_row


class OutOfStock(Exception):
    """A guarded stock decrement found fewer items than asked; the transaction is undone."""

    def __init__(self, product_id: int, stock: int) -> None:
        super().__init__(f"product {product_id} has only {stock} left")
        self.product_id = product_id
        self.stock = stock


class Orders:
    """SQL of orders and their payments (mixed into MarketplaceStore)."""

    db: sqlite_utils.Database

    def next_order_sequence(self) -> int:
        """The next number of the order sequence (call inside the order's transaction)."""
        self.db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'order_sequence'"
        )
        row = next(self.db.query("SELECT value FROM meta WHERE key = 'order_sequence'"))
        return int(row["value"])

    def insert_order(self, order: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        """Insert an order and reserve its stock (call inside `transaction()`).

        Why a guarded UPDATE: `stock = stock - n WHERE stock >= n` checks and takes in one
        statement, so two buyers racing for the last item cannot both get it, and stock never
        goes below zero. If any line fails, OutOfStock undoes the whole transaction.
        """
        insert_row(self.db, "orders", order)
        for line in lines:
            taken = self.db.execute(
                "UPDATE products SET stock = stock - ? WHERE product_id = ? AND stock >= ?",
                [line["quantity"], line["product_id"], line["quantity"]],
            ).rowcount
            if taken != 1:
                row = next(
                    self.db.query(
                        "SELECT stock FROM products WHERE product_id = ?", [line["product_id"]]
                    )
                )
                raise OutOfStock(line["product_id"], int(row["stock"]))
            insert_row(self.db, "order_items", {"order_id": order["order_id"], **line})

    def release_key(self, order_id: str) -> None:
        """Forget the Idempotency-Key of an order that failed before its caller learned of it,
        so a retry with the key starts afresh (docs/contracts.md, Idempotency)."""
        self.db.execute("UPDATE orders SET idempotency_key = NULL WHERE order_id = ?", [order_id])

    def order_id_by_key(self, channel: str, key: str) -> str | None:
        """The order a channel created with this Idempotency-Key, if any."""
        rows = list(
            self.db.query(
                "SELECT order_id FROM orders WHERE channel = ? AND idempotency_key = ?",
                [channel, key],
            )
        )
        return str(rows[0]["order_id"]) if rows else None

    def order(self, order_id: str) -> dict[str, Any] | None:
        """An order with its lines (`items`)."""
        rows = list(self.db.query("SELECT * FROM orders WHERE order_id = ?", [order_id]))
        if not rows:
            return None
        order = rows[0]
        order["items"] = list(
            self.db.query(
                "SELECT product_id, name, price, quantity FROM order_items WHERE order_id = ? "
                "ORDER BY product_id",
                [order_id],
            )
        )
        return order

    def order_id_by_checkout_token(self, token: str) -> str | None:
        rows = list(self.db.query("SELECT order_id FROM orders WHERE checkout_token = ?", [token]))
        return str(rows[0]["order_id"]) if rows else None

    def set_virtual_account(self, order_id: str, va_no: str, status: int, now: float) -> bool:
        """Store the VA and move a still-created order to `status` (waiting for payment)."""
        return (
            self.db.execute(
                "UPDATE orders SET va_no = ?, order_status = ?, update_time = ? "
                "WHERE order_id = ? AND order_status = 100",
                [va_no, status, now, order_id],
            ).rowcount
            == 1
        )

    def change_status(
        self,
        order_id: str,
        to: int,
        allowed_from: tuple[int, ...],
        now: float,
        reason: str | None = None,
    ) -> bool:
        """Move an order to `to` only if it is in one of `allowed_from`; False if it was not.

        The guard in the WHERE clause is what makes "pay" and "cancel" racing each other safe:
        whichever commits first wins, the other finds the order no longer in its state.
        """
        marks = ",".join("?" * len(allowed_from))
        return (
            self.db.execute(
                f"UPDATE orders SET order_status = ?, cancel_reason = COALESCE(?, cancel_reason), "
                f"update_time = ? WHERE order_id = ? AND order_status IN ({marks})",
                [to, reason, now, order_id, *allowed_from],
            ).rowcount
            == 1
        )

    def return_stock(self, order_id: str) -> None:
        """Put an order's reserved items back on the shelf (call inside `transaction()`)."""
        self.db.execute(
            "UPDATE products SET stock = stock + (SELECT quantity FROM order_items i "
            "WHERE i.order_id = ? AND i.product_id = products.product_id) "
            "WHERE product_id IN (SELECT product_id FROM order_items WHERE order_id = ?)",
            [order_id, order_id],
        )

    def unpaid_due(self, now: float, statuses: tuple[int, ...]) -> list[str]:
        """Ids of orders still in `statuses` whose payment deadline has passed."""
        marks = ",".join("?" * len(statuses))
        return [
            row["order_id"]
            for row in self.db.query(
                f"SELECT order_id FROM orders WHERE order_status IN ({marks}) AND expires_at <= ? "
                "ORDER BY expires_at",
                [*statuses, now],
            )
        ]

    def expire_now(self, order_id: str, now: float, statuses: tuple[int, ...]) -> bool:
        """Bring an unpaid order's payment deadline to `now` (sandbox-only: `sandbox force
        expire-order`); False when no order in `statuses` has that id."""
        marks = ",".join("?" * len(statuses))
        cursor = self.db.execute(
            f"UPDATE orders SET expires_at = ? WHERE order_id = ? AND order_status IN ({marks}) "
            "AND expires_at > ?",
            [now, order_id, *statuses, now],
        )
        return bool(cursor.rowcount)

    def next_deadline(
        self, after: float, unpaid: tuple[int, ...], created: int, stranded_after: float
    ) -> float | None:
        """The first instant after `after` at which an order in `unpaid` reaches its payment
        deadline, or an order still `created` (no VA) has waited `stranded_after` seconds."""
        marks = ",".join("?" * len(unpaid))
        rows = self.db.query(
            "SELECT MIN(t) AS due FROM (SELECT MIN(expires_at) AS t FROM orders "
            f"WHERE order_status IN ({marks}) AND expires_at > ? UNION ALL "
            "SELECT MIN(created_at) + ? FROM orders WHERE order_status = ? AND created_at + ? > ?)",
            [*unpaid, after, stranded_after, created, stranded_after, after],
        )
        due = next(iter(rows), {}).get("due")
        return None if due is None else float(due)

    def stranded(self, before: float, status: int) -> list[str]:
        """Ids of orders still in `status` (created, no VA yet) stored before `before`."""
        return [
            row["order_id"]
            for row in self.db.query(
                "SELECT order_id FROM orders WHERE order_status = ? AND created_at <= ? "
                "ORDER BY created_at",
                [status, before],
            )
        ]

    # --- payments ---------------------------------------------------------------------------

    def payment(self, payment_request_id: str) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "SELECT * FROM payments WHERE payment_request_id = ?", [payment_request_id]
            )
        )
        return rows[0] if rows else None

    def insert_payment(self, payment: dict[str, Any]) -> None:
        insert_row(self.db, "payments", payment)
