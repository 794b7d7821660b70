"""SQL of paying with Bank Contoh inside the checkout: the buyer's binding, each order's
debit and its refunds, and the checkout requests kept for their idempotency keys.

A mixin of `MarketplaceStore` (store.py), kept apart so each part of its SQL reads on its own.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


class DirectDebits:
    """SQL of bindings, debits, refunds and checkout requests (mixed into MarketplaceStore)."""

    db: sqlite_utils.Database

    def binding(self, buyer_id: int) -> dict[str, Any] | None:
        """The buyer's bound bank account (or the binding waiting for her code), or None."""
        rows = list(self.db.query("SELECT * FROM bindings WHERE buyer_id = ?", [buyer_id]))
        return rows[0] if rows else None

    def save_binding(self, buyer_id: int, now: float, **fields: Any) -> None:
        """Create or update the buyer's binding."""
        self.db.table("bindings").upsert(
            {"buyer_id": buyer_id, "updated_at": now, **fields}, pk="buyer_id"
        )

    def forget_binding(self, buyer_id: int) -> None:
        """The bank says the binding ended (or never started): forget its token."""
        self.db.execute("DELETE FROM bindings WHERE buyer_id = ?", [buyer_id])

    def debit(self, order_id: str) -> dict[str, Any] | None:
        """An order's direct debit, or None."""
        rows = list(self.db.query("SELECT * FROM debits WHERE order_id = ?", [order_id]))
        return rows[0] if rows else None

    def save_debit(self, order_id: str, now: float, **fields: Any) -> None:
        """Create or update an order's direct debit (call inside `transaction()`)."""
        if self.debit(order_id) is None:
            self.db.table("debits").insert(
                {"order_id": order_id, "updated_at": now, "refunded": 0, **fields}
            )
        else:
            self.db.table("debits").update(order_id, {"updated_at": now, **fields})

    def add_debit_refund(self, order_id: str, amount: int) -> bool:
        """Count `amount` more of a paid debit as refunded; False if more than was paid."""
        return (
            self.db.execute(
                "UPDATE debits SET refunded = refunded + ? WHERE order_id = ? AND state = 'PAID' "
                "AND refunded + ? <= amount",
                [amount, order_id, amount],
            ).rowcount
            == 1
        )

    def checkout_request(self, token: str, key: str) -> dict[str, Any] | None:
        """A buyer's earlier checkout request with this Idempotency-Key, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM checkout_requests WHERE checkout_token = ? AND idempotency_key = ?",
                [token, key],
            )
        )
        return rows[0] if rows else None

    def begin_checkout_request(self, token: str, key: str, fingerprint: str, now: float) -> bool:
        """Mark a request as running; False if one with this key exists already."""
        return (
            self.db.execute(
                "INSERT OR IGNORE INTO checkout_requests (checkout_token, idempotency_key, "
                "fingerprint, status, response, created_at) VALUES (?, ?, ?, 0, NULL, ?)",
                [token, key, fingerprint, now],
            ).rowcount
            == 1
        )

    def finish_checkout_request(
        self, token: str, key: str, status: int, response: dict[str, Any]
    ) -> None:
        """Keep a request's answer for its retries."""
        self.db.execute(
            "UPDATE checkout_requests SET status = ?, response = ? "
            "WHERE checkout_token = ? AND idempotency_key = ?",
            [status, json.dumps(response), token, key],
        )

    def drop_checkout_request(self, token: str, key: str) -> None:
        """Forget a request whose outcome was not settled (a retry runs it again)."""
        self.db.execute(
            "DELETE FROM checkout_requests WHERE checkout_token = ? AND idempotency_key = ?",
            [token, key],
        )

    def refund(self, channel: str, refund_id: str) -> dict[str, Any] | None:
        """A partner's refund by its own id, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM refunds WHERE channel = ? AND refund_id = ?", [channel, refund_id]
            )
        )
        return rows[0] if rows else None

    def insert_refund(self, refund: dict[str, Any]) -> None:
        """A refund the bank made (call inside `transaction()`)."""
        self.db.table("refunds").insert(refund)
