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

import secrets

import sqlite_utils
from sqlite_utils import Migrations

from sandbox.framework.consent_applications import ConsentApplications

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


class SellerApplications(ConsentApplications):
    """The applications table: add and forget; read, claim once and finish come with
    ConsentApplications (sandbox/framework/consent_applications.py)."""

    TABLE = TABLE
    migrations = migrations

    def add(self, nik: str, form: str, consent_request_id: str, now: float) -> str:
        """A new application waiting for her consent; its unguessable id."""
        application_id = "SAP-" + secrets.token_hex(12)
        self.db.execute(
            f"INSERT INTO {TABLE} (application_id, nik, form, consent_request_id, status, "
            "outcome, created_at, updated_at) VALUES (?, ?, ?, ?, 'AWAITING_CONSENT', NULL, ?, ?)",
            [application_id, nik, form, consent_request_id, now, now],
        )
        return application_id

    def forget_all(self) -> None:
        """A reset world has no applications."""
        self.db.execute(f"DELETE FROM {TABLE}")
