"""SQL of shipments and the couriers' tracking events.

A mixin of `MarketplaceStore` (store.py), kept apart so each part of its SQL reads on its own.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from sandbox.framework.storage import insert_row


class Shipments:
    """SQL of shipments (mixed into MarketplaceStore)."""

    db: sqlite_utils.Database

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
