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

from sandbox.framework.consent_applications import ConsentApplications

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


class KycApplications(ConsentApplications):
    """The applications table: add; read, claim once and finish come with ConsentApplications
    (sandbox/framework/consent_applications.py)."""

    TABLE = TABLE
    migrations = migrations

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

    def finish(self, application_id: str, status: str, outcome: dict[str, Any], now: float) -> None:
        """Record how it ended (OPENED with the account, or REJECTED with why); the PIN hash
        is dropped from a rejected application, which will never open an account."""
        self.db.execute(
            f"UPDATE {TABLE} SET status = ?, outcome = ?, updated_at = ?, "
            "pin_hash = CASE WHEN ? = 'REJECTED' THEN '' ELSE pin_hash END "
            "WHERE application_id = ?",
            [status, json.dumps(outcome, default=str), now, status, application_id],
        )
