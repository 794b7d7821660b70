"""SQL of the catalogue: products as storefronts may show them, and the sellers and buyers
they are sold between.

A mixin of `MarketplaceStore` (store.py), kept apart so each part of its SQL reads on its own.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

_CARD = """
SELECT p.product_id, p.shop_id, s.shop_name, p.name, p.price, p.stock, p.category
FROM products p JOIN sellers s ON s.shop_id = p.shop_id
WHERE s.status = 'VERIFIED'
"""
"""A product card: what a storefront may show (never the owner's NIK)."""


class Catalogue:
    """SQL of products, sellers and buyers (mixed into MarketplaceStore)."""

    db: sqlite_utils.Database

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
