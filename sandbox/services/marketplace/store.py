"""The marketplace's own SQLite database: the only module with SQL.

Sellers, products (with stock), buyers, orders and their lines, payments received from the bank,
shipments with the couriers' tracking events, and partner access tokens. Money is integer
rupiah. Every change that touches more than one row runs inside `transaction()`, so a crash
never leaves half an order behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from sandbox.wire.outbox import TABLE as OUTBOX_TABLE
from sandbox.wire.storage import insert_row

migrations = Migrations("marketplace")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Tables of the first version."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("sellers").create(
        {
            "shop_id": int,
            "shop_name": str,
            "owner_nik": str,
            "owner_name": str,
            "city": str,
            "status": str,
            "kyc_consent_id": str,
            "kyc_verification_id": str,
        },
        pk="shop_id",
        not_null={"shop_name", "owner_nik", "status"},
    )
    db.table("products").create(
        {
            "product_id": int,
            "shop_id": int,
            "name": str,
            "price": int,
            "stock": int,
            "category": str,
        },
        pk="product_id",
        foreign_keys=[("shop_id", "sellers")],
        not_null={"shop_id", "name", "price", "stock"},
    )
    db.table("products").create_index(["shop_id"])
    db.table("buyers").create(
        {
            "buyer_id": int,
            "name": str,
            "phone": str,
            "address": str,
            "link_token": str,
        },
        pk="buyer_id",
        not_null={"name", "link_token"},
    )
    db.table("buyers").create_index(["link_token"], unique=True)
    db.table("orders").create(
        {
            "order_id": str,
            "channel": str,
            "fs_id": int,
            "channel_ref": str,
            "buyer_id": int,
            "shop_id": int,
            "order_status": int,
            "cancel_reason": str,
            "total_amount": int,
            "checkout_token": str,
            "va_no": str,
            "expires_at": float,
            "created_at": float,
            "update_time": float,
        },
        pk="order_id",
        foreign_keys=[("buyer_id", "buyers"), ("shop_id", "sellers")],
        not_null={
            "channel",
            "buyer_id",
            "shop_id",
            "order_status",
            "total_amount",
            "checkout_token",
        },
    )
    db.table("orders").create_index(["checkout_token"], unique=True)
    db.table("orders").create_index(["order_status", "expires_at"])
    db.table("order_items").create(
        {
            "order_id": str,
            "product_id": int,
            "name": str,
            "price": int,
            "quantity": int,
        },
        pk=("order_id", "product_id"),
        foreign_keys=[("order_id", "orders"), ("product_id", "products")],
    )
    db.table("payments").create(
        {
            "payment_request_id": str,
            "order_id": str,
            "paid_amount": int,
            "reference_no": str,
            "trx_date_time": str,
            "received_at": float,
        },
        pk="payment_request_id",
        foreign_keys=[("order_id", "orders")],
    )
    db.table("tokens").create(
        {
            "token_hash": str,
            "app_key": str,
            "expires_at": float,
        },
        pk="token_hash",
    )


@migrations()
def m002_shipments(db: sqlite_utils.Database) -> None:
    """Shipments (one per paid order, carried by a courier partner) and their tracking events."""
    db.table("shipments").create(
        {
            "order_id": str,
            "courier": str,
            "status": str,
            "tracking_no": str,
            "created_at": float,
            "updated_at": float,
        },
        pk="order_id",
        foreign_keys=[("order_id", "orders")],
        not_null={"courier", "status", "created_at", "updated_at"},
    )
    db.table("shipment_events").create(
        {
            "event_id": str,
            "order_id": str,
            "status": str,
            "tracking_no": str,
            "note": str,
            "received_at": float,
        },
        pk="event_id",
        foreign_keys=[("order_id", "shipments")],
        not_null={"order_id", "status", "received_at"},
    )
    db.table("shipment_events").create_index(["order_id"])


@migrations()
def m003_idempotency_keys(db: sqlite_utils.Database) -> None:
    """A partner's Idempotency-Key per order: a retried create returns the first order."""
    db.table("orders").add_column("idempotency_key", str)
    db.execute(
        "CREATE UNIQUE INDEX orders_by_idempotency_key ON orders (channel, idempotency_key) "
        "WHERE idempotency_key IS NOT NULL"
    )


@migrations()
def m004_direct_debit(db: sqlite_utils.Database) -> None:
    """Paying inside the checkout: the buyer's bound bank account (by its token), each order's
    direct debit, the buyer's checkout requests by Idempotency-Key, and refunds of debits."""
    db.table("bindings").create(
        {
            "buyer_id": int,
            "status": str,  # PENDING (a code was texted) | ACTIVE
            "bank_reference_no": str,
            "linkage_token": str,  # the bank's token for her account: never her PIN or number
            "masked_account": str,
            "limit_without_code": int,
            "updated_at": float,
        },
        pk="buyer_id",
        foreign_keys=[("buyer_id", "buyers")],
        not_null={"status", "bank_reference_no", "updated_at"},
    )
    db.table("debits").create(
        {
            "order_id": str,
            "state": str,  # BINDING | STARTED | PENDING_OTP | PAID | FAILED
            "bank_reference_no": str,
            "otp_expires_at": float,
            "masked_phone": str,
            "va_closed_at": float,
            "amount": int,
            "refunded": int,
            "failed_reason": str,
            "updated_at": float,
        },
        pk="order_id",
        foreign_keys=[("order_id", "orders")],
        not_null={"state", "amount", "refunded", "updated_at"},
        defaults={"refunded": 0},
    )
    db.table("checkout_requests").create(
        {
            "checkout_token": str,
            "idempotency_key": str,
            "fingerprint": str,
            "status": int,  # 0 while the first request is still running
            "response": str,
            "created_at": float,
        },
        pk=("checkout_token", "idempotency_key"),
        not_null={"fingerprint", "status", "created_at"},
    )
    db.table("refunds").create(
        {
            "channel": str,
            "refund_id": str,
            "order_id": str,
            "amount": int,
            "bank_refund_no": str,
            "response": str,
            "created_at": float,
        },
        pk=("channel", "refund_id"),
        foreign_keys=[("order_id", "orders")],
        not_null={"order_id", "amount", "response", "created_at"},
    )


@migrations()
def m005_link_tokens_per_channel(db: sqlite_utils.Database) -> None:
    """A buyer link token is the storefront's that linked her: another channel cannot order
    with it. Buyers stored before: the channel of their first order, else the storefront."""
    db.table("buyers").add_column("channel", str)
    db.execute(
        "UPDATE buyers SET channel = COALESCE((SELECT channel FROM orders WHERE "
        "orders.buyer_id = buyers.buyer_id ORDER BY created_at LIMIT 1), 'social')"
    )


class OutOfStock(Exception):
    """A guarded stock decrement found fewer items than asked; the transaction is undone."""

    def __init__(self, product_id: int, stock: int) -> None:
        super().__init__(f"product {product_id} has only {stock} left")
        self.product_id = product_id
        self.stock = stock


_CARD = """
SELECT p.product_id, p.shop_id, s.shop_name, p.name, p.price, p.stock, p.category
FROM products p JOIN sellers s ON s.shop_id = p.shop_id
WHERE s.status = 'VERIFIED'
"""
"""A product card: what a storefront may show (never the owner's NIK)."""


class MarketplaceStore:
    """Queries and changes of the marketplace's database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        migrations.apply(db)

    # --- world ------------------------------------------------------------------------------

    def is_seeded(self) -> bool:
        """True once a seed has been loaded (a `meta` row records it)."""
        return any(self.db.query("SELECT 1 FROM meta WHERE key = 'seed'"))

    def reset(self, seed: dict[str, Any]) -> None:
        """Restore the seeded world in one transaction: orders, tokens and webhooks vanish."""
        data = seed.get("data", {})
        with self.db.atomic():
            for table in (
                "checkout_requests",
                "refunds",
                "debits",
                "bindings",
                "shipment_events",
                "shipments",
                "payments",
                "order_items",
                "orders",
                "tokens",
                "products",
                "buyers",
                "sellers",
                "meta",
            ):
                self.db.execute(f"DELETE FROM {table}")
            if self.db.table("seller_applications").exists():  # seller_applications.py
                self.db.execute("DELETE FROM seller_applications")
            if self.db.table(OUTBOX_TABLE).exists():
                self.db.execute(f"DELETE FROM {OUTBOX_TABLE}")
            self.db.table("sellers").insert_all(data.get("sellers", []))
            self.db.table("products").insert_all(data.get("products", []))
            self.db.table("buyers").insert_all(data.get("buyers", []))
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('seed', ?), ('order_sequence', '0')",
                [json.dumps(seed.get("seed"))],
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several changes (and an outbox webhook) so that all or none happen."""
        with self.db.atomic():
            yield

    # --- catalogue --------------------------------------------------------------------------

    def product_cards(
        self, ids: list[int] | None = None, after: int = 0, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Cards of the given products, or a page of the catalogue after product id `after`."""
        if ids is not None:
            marks = ",".join("?" * len(ids))
            return list(
                self.db.query(f"{_CARD} AND p.product_id IN ({marks}) ORDER BY p.product_id", ids)
            )
        return list(
            self.db.query(
                f"{_CARD} AND p.product_id > ? ORDER BY p.product_id LIMIT ?", [after, limit]
            )
        )

    def products(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Products by id (those that exist), with their shop."""
        return {card["product_id"]: card for card in self.product_cards(ids)}

    # --- buyers and sellers -----------------------------------------------------------------

    def buyer_by_link_token(self, link_token: str) -> dict[str, Any] | None:
        """The buyer a storefront's opaque link token stands for."""
        rows = list(self.db.query("SELECT * FROM buyers WHERE link_token = ?", [link_token]))
        return rows[0] if rows else None

    def shop_of_owner(self, nik: str) -> int | None:
        """The shop an owner already has, if any."""
        rows = list(self.db.query("SELECT shop_id FROM sellers WHERE owner_nik = ?", [nik]))
        return int(rows[0]["shop_id"]) if rows else None

    def buyer(self, buyer_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM buyers WHERE buyer_id = ?", [buyer_id]))
        return rows[0] if rows else None

    def add_buyer(
        self, *, name: str, phone: str, address: str, link_token: str, channel: str = ""
    ) -> int:
        """A new buyer (from the buyer app); returns the id. Call inside `transaction()`."""
        row = next(self.db.query("SELECT COALESCE(MAX(buyer_id), 50000) + 1 AS id FROM buyers"))
        buyer_id = int(row["id"])
        self.db.execute(
            "INSERT INTO buyers (buyer_id, name, phone, address, link_token, channel) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [buyer_id, name, phone, address, link_token, channel or None],
        )
        return buyer_id

    def seller_city(self, shop_id: int) -> str | None:
        rows = list(self.db.query("SELECT city FROM sellers WHERE shop_id = ?", [shop_id]))
        return rows[0]["city"] if rows else None

    def shop_name(self, shop_id: int) -> str:
        rows = list(self.db.query("SELECT shop_name FROM sellers WHERE shop_id = ?", [shop_id]))
        return str(rows[0]["shop_name"]) if rows else ""

    def add_seller(
        self,
        *,
        shop_name: str,
        owner_nik: str,
        owner_name: str,
        city: str | None,
        consent_id: str,
        verification_id: str,
    ) -> int:
        """Register a KYC-verified shop; returns its new shop id."""
        with self.db.atomic():
            row = next(self.db.query("SELECT COALESCE(MAX(shop_id), 1000) + 1 AS id FROM sellers"))
            shop_id = int(row["id"])
            self.db.execute(
                "INSERT INTO sellers (shop_id, shop_name, owner_nik, owner_name, city, status, "
                "kyc_consent_id, kyc_verification_id) VALUES (?, ?, ?, ?, ?, 'VERIFIED', ?, ?)",
                [shop_id, shop_name, owner_nik, owner_name, city, consent_id, verification_id],
            )
        return shop_id

    # --- orders -----------------------------------------------------------------------------

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
        return self._changed(
            "UPDATE orders SET va_no = ?, order_status = ?, update_time = ? "
            "WHERE order_id = ? AND order_status = 100",
            [va_no, status, now, order_id],
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
        return self._changed(
            f"UPDATE orders SET order_status = ?, cancel_reason = COALESCE(?, cancel_reason), "
            f"update_time = ? WHERE order_id = ? AND order_status IN ({marks})",
            [to, reason, now, order_id, *allowed_from],
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

    # --- shipments --------------------------------------------------------------------------

    def insert_shipment(self, order_id: str, courier: str, status: str, now: float) -> None:
        """A new shipment of a paid order (call inside the payment's transaction)."""
        self.db.execute(
            "INSERT INTO shipments (order_id, courier, status, tracking_no, created_at, "
            "updated_at) VALUES (?, ?, ?, NULL, ?, ?)",
            [order_id, courier, status, now, now],
        )

    def shipment(self, order_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM shipments WHERE order_id = ?", [order_id]))
        return rows[0] if rows else None

    def shipment_event(self, event_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM shipment_events WHERE event_id = ?", [event_id]))
        return rows[0] if rows else None

    def shipment_events(self, order_id: str) -> list[dict[str, Any]]:
        """A shipment's tracking events, oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM shipment_events WHERE order_id = ? ORDER BY received_at, rowid",
                [order_id],
            )
        )

    def record_shipment_event(self, event: dict[str, Any]) -> None:
        """Save a tracking event and move its shipment (call inside `transaction()`)."""
        insert_row(self.db, "shipment_events", event)
        self.db.execute(
            "UPDATE shipments SET status = ?, tracking_no = ?, updated_at = ? WHERE order_id = ?",
            [event["status"], event["tracking_no"], event["received_at"], event["order_id"]],
        )

    # --- direct debit ------------------------------------------------------------------------

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
        return self._changed(
            "UPDATE debits SET refunded = refunded + ? WHERE order_id = ? AND state = 'PAID' "
            "AND refunded + ? <= amount",
            [amount, order_id, amount],
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
        return self._changed(
            "INSERT OR IGNORE INTO checkout_requests (checkout_token, idempotency_key, "
            "fingerprint, status, response, created_at) VALUES (?, ?, ?, 0, NULL, ?)",
            [token, key, fingerprint, now],
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

    # --- partner tokens ---------------------------------------------------------------------

    def save_token(self, token_hash: str, app_key: str, expires_at: float, now: float) -> None:
        """Remember an issued token by its hash (a leaked database leaks no usable token)."""
        with self.db.atomic():
            self.db.execute("DELETE FROM tokens WHERE expires_at < ?", [now])  # tidy up
            self.db.table("tokens").insert(
                {"token_hash": token_hash, "app_key": app_key, "expires_at": expires_at}
            )

    def token(self, token_hash: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM tokens WHERE token_hash = ?", [token_hash]))
        return rows[0] if rows else None

    def _changed(self, sql: str, params: list[Any]) -> bool:
        return bool(self.db.execute(sql, params).rowcount == 1)
