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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.marketplace.catalogue_store import Catalogue
from sandbox.services.marketplace.debit_store import DirectDebits
from sandbox.services.marketplace.migrations import migrations
from sandbox.services.marketplace.order_store import Orders, OutOfStock
from sandbox.services.marketplace.seller_applications import migrations as seller_applications
from sandbox.services.marketplace.shipment_store import Shipments

__all__ = ["MarketplaceStore", "OutOfStock"]


class MarketplaceStore(InstitutionStore, Catalogue, Orders, Shipments, DirectDebits):
    """Queries and changes of the marketplace's database."""

    migrations = migrations
    PART_MIGRATIONS = (seller_applications,)
    TABLES = (
        "seller_applications",  # seller_applications.py
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
    )
    OUTBOX = True
    """A reset also forgets the webhooks not delivered yet: orders, tokens and webhooks vanish."""

    # --- world ------------------------------------------------------------------------------

    def is_seeded(self) -> bool:
        """True once a seed has been loaded (a `meta` row records it)."""
        return any(self.db.query("SELECT 1 FROM meta WHERE key = 'seed'"))

    def is_empty(self) -> bool:
        """No seed loaded yet (`is_seeded`)."""
        return not self.is_seeded()

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world: sellers, products and buyers, and the order sequence at 0."""
        data = seed.get("data", {})
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
