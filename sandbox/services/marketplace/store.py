"""The marketplace's own SQLite database: opened, seeded and reset here, with its partner tokens.

Its SQL is in the parts mixed into `MarketplaceStore`: sellers, products (with stock) and
buyers (catalogue_store.py), orders, their lines and the payments received from the bank
(order_store.py), shipments with the couriers' tracking events (shipment_store.py), and
direct debits (debit_store.py); its tables in migrations.py. Money is integer rupiah. Every
change that touches more than one row runs inside `transaction()`, so a crash never leaves
half an order behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from sandbox.services.marketplace.catalogue_store import Catalogue
from sandbox.services.marketplace.debit_store import DirectDebits
from sandbox.services.marketplace.migrations import migrations
from sandbox.services.marketplace.order_store import Orders, OutOfStock
from sandbox.services.marketplace.shipment_store import Shipments
from sandbox.wire.outbox import TABLE as OUTBOX_TABLE

__all__ = ["MarketplaceStore", "OutOfStock"]


class MarketplaceStore(Catalogue, Orders, Shipments, DirectDebits):
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
