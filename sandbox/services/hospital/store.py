"""The front desk's own database: desk staff, admissions (references only) and payments.

This is the only module with SQL. Look at the `admissions` columns: ids, numbers, statuses and
amounts - no name, no address, no complaint, no diagnosis. Those live at the institutions that
own them (registry, health records, insurer); the desk keeps pointers to them, never copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.hospital import rules

migrations = sqlite_utils.Migrations("hospital")

_TABLES = ("payments", "admissions", "staff", "meta", "waiting", "consent_events")
_FIRST_COLUMNS = (
    "admission_id",
    "seq",
    "staff_id",
    "hospital_code",
    "service",
    "status",
    "nik_last4",
    "verification_id",
    "identity_flags",
    "ihs_number",
    "encounter_id",
    "condition_id",
    "insurance_status",
    "covered",
    "coverage_reason",
    "card_last4",
    "class_name",
    "sep_no",
    "amount",
    "va_no",
    "va_expires_at",
    "bill_status",
    "failed_at",
    "failure",
    "created_at",
    "updated_at",
)
"""The columns of the first migration (m001); later migrations add to them."""
ADMISSION_COLUMNS = (
    *_FIRST_COLUMNS,
    "class_code",
    "requested_class",
    "bill_reason",
    "idempotency_key",
    "request_fingerprint",
    "consent_request_id",
    "consent_id",
    "consent_status",
    "outcome",
)
"""Every column of an admission: references and statuses only (see the module docstring)."""


@migrations()
def m001_desk(db: sqlite_utils.Database) -> None:
    """Meta, staff, admissions and payments."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("staff").create(
        {"staff_id": str, "hospital_code": str, "token_hash": str}, pk="staff_id"
    )
    db.table("staff").create_index(["token_hash"], unique=True)
    types: dict[str, Any] = dict.fromkeys(_FIRST_COLUMNS, str)
    types.update(
        seq=int, covered=int, amount=int, created_at=float, updated_at=float, va_expires_at=float
    )
    db.table("admissions").create(types, pk="admission_id")
    db.table("admissions").create_index(["va_no"])
    db.table("payments").create(
        {
            "payment_request_id": str,
            "admission_id": str,
            "paid_amount": int,
            "reference_no": str,
            "trx_date_time": str,
            "received_at": float,
        },
        pk="payment_request_id",
    )


@migrations()
def m002_class_upgrade(db: sqlite_utils.Database) -> None:
    """The entitled class's code, the higher class asked for ("naik kelas"), why a bill exists."""
    for column in ("class_code", "requested_class", "bill_reason"):
        db.table("admissions").add_column(column, str)


@migrations()
def m003_idempotency_keys(db: sqlite_utils.Database) -> None:
    """A clerk's Idempotency-Key per admission, and a fingerprint of the request it came with."""
    db.table("admissions").add_column("idempotency_key", str)
    db.table("admissions").add_column("request_fingerprint", str)
    db.execute(
        "CREATE UNIQUE INDEX admissions_by_idempotency_key ON admissions "
        "(staff_id, idempotency_key) WHERE idempotency_key IS NOT NULL"
    )


@migrations()
def m004_consent(db: sqlite_utils.Database) -> None:
    """The patient's consent: the request put to her IKD app, the consent she approved, its
    status; the clerk's request while it waits for her; the registry's webhooks seen."""
    # outcome: how a run the patient's approval started ended, when it did not admit (the
    # error the desk would have answered the clerk: status, code, message, what was done).
    for column in ("consent_request_id", "consent_id", "consent_status", "outcome"):
        db.table("admissions").add_column(column, str)
    db.table("admissions").create_index(["consent_request_id"])
    db.table("admissions").create_index(["consent_id"])
    # What the clerk typed, held only while the patient has not answered: the admission runs
    # from it when she approves, and it is deleted as soon as it has (see `release`).
    db.table("waiting").create({"admission_id": str, "request": str}, pk="admission_id")
    db.table("consent_events").create({"event_id": str, "received_at": float}, pk="event_id")


class HospitalStore(InstitutionStore):
    """Reads and writes of the front desk. A reset restores the desk staff; admissions are gone."""

    migrations = migrations
    TABLES = _TABLES

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world: the desk staff (their tokens only as hashes)."""
        self.remember_seed(seed)
        self.db.table("staff").insert_all(
            {
                "staff_id": s["staff_id"],
                "hospital_code": s["hospital"],
                "token_hash": rules.token_hash(s["token"]),
            }
            for s in seed["data"].get("staff", [])
        )

    # --- staff ------------------------------------------------------------------------------

    def staff_by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The desk clerk a token belongs to (looked up by hash: equal hashes, equal tokens)."""
        rows = list(self.db.query("SELECT * FROM staff WHERE token_hash = ?", [token_hash]))
        return rows[0] if rows else None

    # --- admissions -------------------------------------------------------------------------

    def new_admission(self, day: str, row: Mapping[str, Any]) -> str:
        """Insert an admission with the next id of the sequence; returns the id."""
        with self.db.atomic():
            rows = list(self.db.query("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM admissions"))
            seq = int(rows[0]["seq"])
            admission_id = rules.admission_id(day, seq)
            values = {**row, "admission_id": admission_id, "seq": seq}
            columns = [c for c in ADMISSION_COLUMNS if c in values]
            self.db.execute(
                f"INSERT INTO admissions ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                [values[c] for c in columns],
            )
        return admission_id

    def update_admission(self, admission_id: str, changes: Mapping[str, Any]) -> None:
        """Set some columns of one admission (names come from ADMISSION_COLUMNS only)."""
        unknown = set(changes) - set(ADMISSION_COLUMNS)
        if unknown:
            raise ValueError(f"not admission columns: {sorted(unknown)}")
        assignments = ", ".join(f"{c} = ?" for c in changes)
        self.db.execute(
            f"UPDATE admissions SET {assignments} WHERE admission_id = ?",
            [*changes.values(), admission_id],
        )

    def admission(self, admission_id: str) -> dict[str, Any] | None:
        """One admission by id."""
        rows = list(
            self.db.query("SELECT * FROM admissions WHERE admission_id = ?", [admission_id])
        )
        return rows[0] if rows else None

    def admission_by_key(self, staff_id: str, key: str) -> dict[str, Any] | None:
        """The admission a clerk's request with this Idempotency-Key made, if any."""
        rows = list(
            self.db.query(
                "SELECT * FROM admissions WHERE staff_id = ? AND idempotency_key = ?",
                [staff_id, key],
            )
        )
        return rows[0] if rows else None

    def claim_incomplete(self, admission_id: str) -> bool:
        """Mark an INCOMPLETE admission IN_PROGRESS again; False if it is not INCOMPLETE.

        One UPDATE that checks the status: of two retries at the same moment, one resumes the
        admission and the other is told it is in progress.
        """
        changed = self.db.execute(
            "UPDATE admissions SET status = 'IN_PROGRESS' "
            "WHERE admission_id = ? AND status = 'INCOMPLETE'",
            [admission_id],
        ).rowcount
        return bool(changed == 1)

    def admission_by_va(self, va_no: str) -> dict[str, Any] | None:
        """The admission whose bill has this VA (compared without the padding spaces)."""
        digits = "".join(va_no.split())
        rows = list(
            self.db.query("SELECT * FROM admissions WHERE REPLACE(va_no, ' ', '') = ?", [digits])
        )
        return rows[0] if rows else None

    # --- consent ----------------------------------------------------------------------------

    def hold(self, admission_id: str, request: str) -> None:
        """Keep the clerk's request until the patient answers."""
        self.db.execute(
            "INSERT OR REPLACE INTO waiting (admission_id, request) VALUES (?, ?)",
            [admission_id, request],
        )

    def held(self, admission_id: str) -> str | None:
        """The clerk's request of an admission waiting for consent."""
        rows = list(
            self.db.query("SELECT request FROM waiting WHERE admission_id = ?", [admission_id])
        )
        return str(rows[0]["request"]) if rows else None

    def release(self, admission_id: str) -> None:
        """Forget the clerk's request: the admission ran, or will never run."""
        self.db.execute("DELETE FROM waiting WHERE admission_id = ?", [admission_id])

    def admission_by_consent_request(self, request_id: str) -> dict[str, Any] | None:
        """The admission that asked this consent request."""
        rows = list(
            self.db.query("SELECT * FROM admissions WHERE consent_request_id = ?", [request_id])
        )
        return rows[0] if rows else None

    def claim_consented(self, admission_id: str, consent_id: str) -> bool:
        """AWAITING_CONSENT -> IN_PROGRESS with the consent, once (one conditional UPDATE: a
        webhook and the clerk's status check at the same moment run the admission once)."""
        changed = self.db.execute(
            "UPDATE admissions SET status = 'IN_PROGRESS', consent_id = ?, "
            "consent_status = 'ACTIVE' WHERE admission_id = ? AND status = 'AWAITING_CONSENT'",
            [consent_id, admission_id],
        ).rowcount
        return bool(changed == 1)

    def consent_revoked(self, consent_id: str) -> None:
        """She revoked the consent: every admission quoting it says so."""
        self.db.execute(
            "UPDATE admissions SET consent_status = 'REVOKED' WHERE consent_id = ?", [consent_id]
        )

    def first_event(self, event_id: str, now: float) -> bool:
        """Remember a registry webhook; False if it was seen before (a retry)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO consent_events (event_id, received_at) VALUES (?, ?)",
            [event_id, now],
        )
        return bool(cursor.rowcount == 1)

    # --- payments ---------------------------------------------------------------------------

    def payment(self, payment_request_id: str) -> dict[str, Any] | None:
        """A payment notification already recorded, by the bank's paymentRequestId."""
        rows = list(
            self.db.query(
                "SELECT * FROM payments WHERE payment_request_id = ?", [payment_request_id]
            )
        )
        return rows[0] if rows else None

    def record_payment(self, row: Mapping[str, Any], now: float) -> bool:
        """Mark the bill PAID and insert the payment, together; False if it was not UNPAID.

        The UPDATE itself checks the status, so two payments of one bill can never both
        succeed, however their requests interleave: the second changes no row.
        """
        with self.db.atomic():
            changed = self.db.execute(
                "UPDATE admissions SET bill_status = 'PAID', updated_at = ? "
                "WHERE admission_id = ? AND bill_status = 'UNPAID'",
                [now, row["admission_id"]],
            ).rowcount
            if changed != 1:
                return False
            self.db.table("payments").insert(dict(row))
        return True

    def dump(self) -> list[dict[str, Any]]:
        """Every row of every table (tests check that no personal data hides in here)."""
        rows: list[dict[str, Any]] = []
        for table in _TABLES:
            rows.extend(self.db.query(f"SELECT * FROM {table}"))
        return rows
