"""The registry's SQL for consent given by the person: IKD accounts and sessions, consent
requests, the notifications her app shows, and the consents her approval creates.

Kept apart from `store.py` (the register, agreements and the verification log) so each stays
readable; both share one database, so a consent and the webhook announcing it commit together.
Every change that must not half-happen (approve: the request answered, the consent made, the
webhook queued) runs inside one `db.atomic()`, and a state change is one conditional UPDATE, so
two answers to the same request in the same millisecond cannot both win.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

TABLES = ("ikd_accounts", "ikd_sessions", "consent_requests", "ikd_notifications")
"""Tables `reset` empties besides the register's own."""


def create_tables(db: sqlite_utils.Database) -> None:
    """Migration body: the person's side of consent (called from `store.migrations`)."""
    db.table("ikd_accounts").create(
        {"nik": str, "pin_hash": str, "wrong_pins": int}, pk="nik", not_null={"pin_hash"}
    )
    db.table("ikd_sessions").create(
        {"token_hash": str, "nik": str, "expires_at": float}, pk="token_hash"
    )
    db.table("consent_requests").create(
        {
            "request_id": str,
            "seq": int,
            "partner": str,
            "nik": str,
            "purpose": str,
            "scopes": str,
            "reason": str,
            "status": str,
            "created_at": float,
            "expires_at": float,
            "answered_at": float,
            "consent_id": str,
        },
        pk="request_id",
        not_null={"partner", "nik", "purpose", "scopes", "status"},
    )
    db.table("consent_requests").create_index(["nik", "status"])
    db.table("ikd_notifications").create(
        {
            "notification_id": str,
            "seq": int,
            "nik": str,
            "request_id": str,
            "title": str,
            "body": str,
            "created_at": float,
        },
        pk="notification_id",
    )
    consents = db.table("consents")
    consents.add_column("scopes", str)
    consents.add_column("request_id", str)
    # "person" (approved in IKD) or "partner" (the old, partner-asserted endpoint).
    consents.add_column("source", str)


class ConsentStore:
    """Reads and writes of consent requests, IKD accounts and sessions."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def seed(self, accounts: Iterable[Mapping[str, Any]]) -> None:
        """The IKD accounts of the seeded world (call inside the reset's transaction)."""
        for table in TABLES:
            self.db.execute(f"DELETE FROM {table}")
        self.db.table("ikd_accounts").insert_all(
            {"nik": a["nik"], "pin_hash": a["pin_hash"], "wrong_pins": 0} for a in accounts
        )

    # --- IKD accounts and sessions ----------------------------------------------------------

    def account(self, nik: str) -> dict[str, Any] | None:
        """The IKD account of a NIK, if she activated the app."""
        rows = list(self.db.query("SELECT * FROM ikd_accounts WHERE nik = ?", [nik]))
        return rows[0] if rows else None

    def wrong_pin(self, nik: str) -> int:
        """Count one wrong PIN; returns the wrong PINs in a row, this one included."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE ikd_accounts SET wrong_pins = wrong_pins + 1 WHERE nik = ?", [nik]
            )
            rows = list(self.db.query("SELECT wrong_pins FROM ikd_accounts WHERE nik = ?", [nik]))
        return int(rows[0]["wrong_pins"]) if rows else 0

    def right_pin(self, nik: str, token_hash: str, expires_at: float) -> None:
        """A correct PIN: the count of wrong ones starts again and a session begins."""
        with self.db.atomic():
            self.db.execute("UPDATE ikd_accounts SET wrong_pins = 0 WHERE nik = ?", [nik])
            self.db.execute(
                "INSERT INTO ikd_sessions (token_hash, nik, expires_at) VALUES (?, ?, ?)",
                [token_hash, nik, expires_at],
            )

    def session_nik(self, token_hash: str, now: float) -> str | None:
        """The NIK behind a live session, or None (unknown or expired)."""
        rows = list(
            self.db.query(
                "SELECT nik FROM ikd_sessions WHERE token_hash = ? AND expires_at > ?",
                [token_hash, now],
            )
        )
        return str(rows[0]["nik"]) if rows else None

    # --- consent requests -------------------------------------------------------------------

    def add_request(self, row: Mapping[str, Any], notification: Mapping[str, Any]) -> str:
        """Store a PENDING request and the notice her app shows; returns the request id.

        `row["request_id"]` and `notification["notification_id"]` may hold a `{seq}`
        placeholder: ids come from a sequence, so the same seed gives the same ids.
        """
        seq = self._next_seq("consent_requests")
        request_id = str(row["request_id"]).format(seq=seq)
        self.db.execute(
            "INSERT INTO consent_requests (request_id, seq, partner, nik, purpose, scopes, "
            "reason, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
            "'PENDING', ?, ?)",
            [
                request_id,
                seq,
                row["partner"],
                row["nik"],
                row["purpose"],
                json.dumps(list(row["scopes"])),
                row.get("reason"),
                row["created_at"],
                row["expires_at"],
            ],
        )
        note_seq = self._next_seq("ikd_notifications")
        self.db.execute(
            "INSERT INTO ikd_notifications (notification_id, seq, nik, request_id, title, body, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                str(notification["notification_id"]).format(seq=note_seq),
                note_seq,
                row["nik"],
                request_id,
                notification["title"],
                notification["body"],
                row["created_at"],
            ],
        )
        return request_id

    def request(self, request_id: str) -> dict[str, Any] | None:
        """One consent request by id."""
        rows = list(
            self.db.query("SELECT * FROM consent_requests WHERE request_id = ?", [request_id])
        )
        return _request(rows[0]) if rows else None

    def pending_for(self, nik: str, now: float) -> list[dict[str, Any]]:
        """Requests waiting for her answer, oldest first (expired ones are not shown)."""
        rows = self.db.query(
            "SELECT * FROM consent_requests WHERE nik = ? AND status = 'PENDING' "
            "AND expires_at > ? ORDER BY seq",
            [nik, now],
        )
        return [_request(r) for r in rows]

    def answer(self, request_id: str, status: str, now: float) -> bool:
        """PENDING -> APPROVED or DECLINED, once: False when it was no longer pending.

        One conditional UPDATE, so of two answers at the same moment exactly one wins.
        """
        cursor = self.db.execute(
            "UPDATE consent_requests SET status = ?, answered_at = ? "
            "WHERE request_id = ? AND status = 'PENDING' AND expires_at > ?",
            [status, now, request_id, now],
        )
        return cursor.rowcount == 1

    def grant(
        self, request: Mapping[str, Any], consent_id_format: str, now: float, expires_at: float
    ) -> str:
        """The consent an approval creates; returns its id (call inside the approval's
        transaction)."""
        seq = self._next_seq("consents")
        consent_id = consent_id_format.format(seq=seq)
        self.db.execute(
            "INSERT INTO consents (consent_id, seq, partner, nik, purpose, granted_at, "
            "expires_at, created_at, scopes, request_id, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'person')",
            [
                consent_id,
                seq,
                request["partner"],
                request["nik"],
                request["purpose"],
                now,
                expires_at,
                now,
                json.dumps(list(request["scopes"])),
                request["request_id"],
            ],
        )
        self.db.execute(
            "UPDATE consent_requests SET consent_id = ? WHERE request_id = ?",
            [consent_id, request["request_id"]],
        )
        return consent_id

    # --- her consents -----------------------------------------------------------------------

    def consents_of(self, nik: str) -> list[dict[str, Any]]:
        """Every consent she gave in IKD, newest first."""
        rows = self.db.query(
            "SELECT * FROM consents WHERE nik = ? AND source = 'person' ORDER BY seq DESC", [nik]
        )
        return [_consent(r) for r in rows]

    def revoke(self, consent_id: str, nik: str, now: float) -> bool:
        """Withdraw one of her consents; False when it is not hers. A second revocation keeps
        the first time."""
        cursor = self.db.execute(
            "UPDATE consents SET withdrawn_at = COALESCE(withdrawn_at, ?) "
            "WHERE consent_id = ? AND nik = ? AND source = 'person'",
            [now, consent_id, nik],
        )
        return cursor.rowcount == 1

    def notifications(self, nik: str) -> list[dict[str, Any]]:
        """What her IKD app was told, oldest first."""
        return list(
            self.db.query(
                "SELECT n.notification_id, n.request_id, n.title, n.body, n.created_at, "
                "r.status FROM ikd_notifications n LEFT JOIN consent_requests r "
                "ON r.request_id = n.request_id WHERE n.nik = ? ORDER BY n.seq",
                [nik],
            )
        )

    def _next_seq(self, table: str) -> int:
        rows = list(self.db.query(f"SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM {table}"))
        return int(rows[0]["seq"])


def _request(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "scopes": json.loads(row["scopes"])}


def _consent(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "scopes": json.loads(row["scopes"] or "[]")}
