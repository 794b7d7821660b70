"""Account applications waiting for the applicant's consent (the only SQL about them).

The bank may check an applicant at the civil registry only with her consent, and she gives it
in her IKD app, not to the bank. So an application is kept here from the moment the bank asked
the registry (`AWAITING_CONSENT`) until she answered and the check ran (`OPENED` or
`REJECTED`). The PIN she chose is kept only as its slow hash, made when she applied; the id is
a random token, the only key to the application (the sign-up form has no login).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

TABLE = "kyc_applications"
migrations = Migrations("bank-kyc-applications")


@migrations()
def m001_kyc_applications(db: sqlite_utils.Database) -> None:
    db.table(TABLE).create(
        {
            "application_id": str,
            "nik": str,
            "form": str,
            "pin_hash": str,
            "consent_request_id": str,
            "status": str,
            "outcome": str,
            "created_at": float,
            "updated_at": float,
        },
        pk="application_id",
    )
    db.table(TABLE).create_index(["nik"])


class KycApplications:
    """The applications table: add, read, claim once, finish."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        migrations.apply(db)

    def add(self, nik: str, form: str, pin_hash: str, consent_request_id: str, now: float) -> str:
        """A new application waiting for her consent; its unguessable id."""
        application_id = "KYC-" + secrets.token_hex(12)
        self.db.execute(
            f"INSERT INTO {TABLE} (application_id, nik, form, pin_hash, consent_request_id, "
            "status, outcome, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'AWAITING_CONSENT', NULL, ?, ?)",
            [application_id, nik, form, pin_hash, consent_request_id, now, now],
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
        """The application of this NIK still waiting for her answer, if any."""
        rows = list(
            self.db.query(
                f"SELECT application_id FROM {TABLE} WHERE nik = ? "
                "AND status = 'AWAITING_CONSENT' ORDER BY created_at DESC LIMIT 1",
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
        """Record how it ended (OPENED with the account, or REJECTED with why); the PIN hash
        is dropped from a rejected application, which will never open an account."""
        self.db.execute(
            f"UPDATE {TABLE} SET status = ?, outcome = ?, updated_at = ?, "
            "pin_hash = CASE WHEN ? = 'REJECTED' THEN '' ELSE pin_hash END "
            "WHERE application_id = ?",
            [status, json.dumps(outcome, default=str), now, status, application_id],
        )
