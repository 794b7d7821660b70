"""The courier's own SQLite database: shipments and their scans.

A shipment is created once per marketplace order (the marketplace may send the same request
twice - its webhooks are retried until acknowledged - so `order_id` is unique). Each scan is a
row, and the update it triggers at the marketplace is queued in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


class CourierStore:
    """Queries and changes of the courier's database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        db["shipments"].create({  # type: ignore[union-attr]
            "tracking_no": str, "order_id": str, "status": str, "origin_city": str,
            "recipient_name": str, "recipient_phone": str, "recipient_address": str,
            "items": str, "created_at": float, "updated_at": float,
        }, pk="tracking_no", if_not_exists=True)
        db["shipments"].create_index(["order_id"], unique=True,  # type: ignore[union-attr]
                                     if_not_exists=True)
        db["scans"].create({  # type: ignore[union-attr]
            "event_id": str, "tracking_no": str, "status": str, "note": str, "at": float,
        }, pk="event_id", if_not_exists=True)

    def reset(self, seed: dict[str, Any]) -> None:
        """A courier starts with no parcels (and no pending updates)."""
        with self.db.atomic():
            for table in ("scans", "shipments", "_outbox"):
                if self.db[table].exists():
                    self.db.execute(f"DELETE FROM [{table}]")

    def by_order(self, order_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM shipments WHERE order_id = ?", [order_id]))
        return rows[0] if rows else None

    def get(self, tracking_no: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM shipments WHERE tracking_no = ?",
                                  [tracking_no]))
        if not rows:
            return None
        shipment = rows[0]
        shipment["items"] = json.loads(shipment["items"])
        shipment["scans"] = list(self.db.query(
            "SELECT status, note, at FROM scans WHERE tracking_no = ? ORDER BY at, rowid",
            [tracking_no]))
        return shipment

    def count(self) -> int:
        return int(next(self.db.query("SELECT count(*) AS n FROM shipments"))["n"])

    def add(self, shipment: dict[str, Any]) -> None:
        self.db["shipments"].insert(shipment)  # type: ignore[union-attr]

    def scan(self, event_id: str, tracking_no: str, status: str, note: str, at: float) -> None:
        self.db["scans"].insert({"event_id": event_id, "tracking_no": tracking_no,  # type: ignore[union-attr]
                                 "status": status, "note": note, "at": at})
        self.db.execute("UPDATE shipments SET status = ?, updated_at = ? WHERE tracking_no = ?",
                        [status, at, tracking_no])
