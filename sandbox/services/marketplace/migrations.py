"""The marketplace's tables, as `sqlite_utils.Migrations`: each change to the schema is one
more function, applied once to every database (a file made by an older sandbox catches up).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

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
