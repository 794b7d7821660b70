"""Seller applications waiting for the owner's consent (the only SQL about them).

Opening a shop needs the owner's consent to be checked at the civil registry, and consent is
hers to give in her IKD app, not ours to record. So an application is kept here from the
moment we asked the registry (`AWAITING_CONSENT`) until she answered and the check ran
(`VERIFIED` or `REJECTED`). Its id is a random token: the sign-up form has no login, so only
whoever submitted the form can read how it went.

Claiming an approved application is one conditional UPDATE, so two status reads at the same
moment cannot both run the verification or open two shops.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

TABLE = "seller_applications"
migrations = Migrations("marketplace-seller-applications")


@migrations()
def m001_seller_applications(db: sqlite_utils.Database) -> None:
    db.table(TABLE).create(
        {
            "application_id": str,
            "nik": str,
            "form": str,
            "consent_request_id": str,
            "status": str,
            "outcome": str,
            "created_at": float,
            "updated_at": float,
        },
        pk="application_id",
    )
    db.table(TABLE).create_index(["nik"])


class SellerApplications:
    """The applications table: add, read, claim once, finish."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        migrations.apply(db)

    def add(self, nik: str, form: str, consent_request_id: str, now: float) -> str:
        """A new application waiting for her consent; its unguessable id."""
        application_id = "SAP-" + secrets.token_hex(12)
        self.db.execute(
            f"INSERT INTO {TABLE} (application_id, nik, form, consent_request_id, status, "
            "outcome, created_at, updated_at) VALUES (?, ?, ?, ?, 'AWAITING_CONSENT', NULL, ?, ?)",
            [application_id, nik, form, consent_request_id, now, now],
        )
        return application_id

    def get(self, application_id: str) -> dict[str, Any] | None:
        """One application, its outcome decoded (None if unknown)."""
        rows = list(
            self.db.query(f"SELECT * FROM {TABLE} WHERE application_id = ?", [application_id])
        )
        if not rows:
            return None
        row = dict(rows[0])
        row["outcome"] = json.loads(row["outcome"]) if row["outcome"] else None
        return row

    def waiting_for(self, nik: str) -> dict[str, Any] | None:
        """The application of this owner still waiting for her answer, if any."""
        rows = list(
            self.db.query(
                f"SELECT application_id FROM {TABLE} WHERE nik = ? AND status = 'AWAITING_CONSENT' "
                "ORDER BY created_at DESC LIMIT 1",
                [nik],
            )
        )
        return self.get(rows[0]["application_id"]) if rows else None

    def claim(self, application_id: str, now: float) -> bool:
        """Move a waiting application to VERIFYING; False if someone else already did."""
        cursor = self.db.execute(
            f"UPDATE {TABLE} SET status = 'VERIFYING', updated_at = ? "
            "WHERE application_id = ? AND status = 'AWAITING_CONSENT'",
            [now, application_id],
        )
        return cursor.rowcount == 1

    def finish(self, application_id: str, status: str, outcome: dict[str, Any], now: float) -> None:
        """Record how the application ended (VERIFIED with the shop, or REJECTED with why)."""
        self.db.execute(
            f"UPDATE {TABLE} SET status = ?, outcome = ?, updated_at = ? WHERE application_id = ?",
            [status, json.dumps(outcome, default=str), now, application_id],
        )

    def forget_all(self) -> None:
        """A reset world has no applications."""
        self.db.execute(f"DELETE FROM {TABLE}")
