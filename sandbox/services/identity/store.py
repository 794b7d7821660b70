"""The registry's own database: the population register, agreements, consents and the audit log.

This is the only module with SQL. Tables are made by `Migrations("identity")`; every change of
more than one row runs inside `db.atomic()`, so it happens completely or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.identity import consent_store

migrations = sqlite_utils.Migrations("identity")

_TABLES = ("meta", "regions", "persons", "agreements", "consents", "verifications", "usage")
"""Every table `reset` empties, in an order that respects nothing but readability."""
_PERSON_COLUMNS = (
    "nik",
    "kk",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "street",
    "rt",
    "rw",
    "village",
    "district",
    "regency",
    "province",
    "postcode",
    "phone",
    "occupation",
    "marital",
)


@migrations()
def m001_register(db: sqlite_utils.Database) -> None:
    """The register (regions, persons) and the partner side (agreements, consents, logs)."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("regions").create(
        {
            "code": str,
            "province": str,
            "regency": str,
            "district": str,
            "postcode": str,
        },
        pk="code",
    )
    db.table("persons").create(dict.fromkeys(_PERSON_COLUMNS, str), pk="nik")
    db.table("agreements").create(
        {
            "partner": str,
            "client_id": str,
            "client_secret": str,
            "purpose": str,
            "allowed_fields": str,
            "quota": int,
            "valid_until": str,
            "status": str,
        },
        pk="partner",
    )
    db.table("agreements").create_index(["client_id"], unique=True)
    db.table("consents").create(
        {
            "consent_id": str,
            "seq": int,
            "partner": str,
            "nik": str,
            "purpose": str,
            "granted_at": float,
            "expires_at": float,
            "withdrawn_at": float,
            "created_at": float,
        },
        pk="consent_id",
        not_null={"partner", "nik", "purpose"},
    )
    # The audit trail of every verification: the NIK is stored masked, because the log is
    # read by auditors who need to count and trace calls, not to know who was checked.
    db.table("verifications").create(
        {
            "verification_id": str,
            "seq": int,
            "partner": str,
            "purpose": str,
            "consent_id": str,
            "nik_masked": str,
            "fields_asked": str,
            "result": str,
            "found": int,
            "name_score": int,
            "threshold": int,
            "semester": str,
            "created_at": float,
        },
        pk="verification_id",
    )
    db.table("usage").create(
        {
            "partner": str,
            "semester": str,
            "calls": int,
        },
        pk=("partner", "semester"),
    )


@migrations()
def m002_person_consent(db: sqlite_utils.Database) -> None:
    """Consent given by the person in her IKD app (see `consent_store`)."""
    consent_store.create_tables(db)


class IdentityStore(InstitutionStore):
    """Reads and writes of the civil registry."""

    migrations = migrations
    TABLES = _TABLES
    OUTBOX = True
    """A reset also forgets the consent webhooks sent or waiting: request ids, and so the
    webhooks' event ids, start again."""

    def __init__(self, db: sqlite_utils.Database, seed: Mapping[str, Any] | None = None) -> None:
        self._districts: frozenset[str] = frozenset()
        self.people = consent_store.ConsentStore(db)
        """IKD accounts, sessions, consent requests and her consents."""
        super().__init__(db, seed)

    # --- seeding ---------------------------------------------------------------------------

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        """Partners onboarded since the register was made are let in without a reset."""
        self.sync_agreements(seed.get("accepts", {}))
        self._load_districts()

    def reset(self, seed: Mapping[str, Any]) -> None:
        """Restore the seeded world (env.seed: `data`, `accepts`) in one transaction."""
        super().reset(seed)
        self._load_districts()

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The register: regions, persons, partners' agreements and the IKD accounts."""
        data = seed["data"]
        self.remember_seed(seed)
        self.db.table("regions").insert_all(data["regions"])
        self.db.table("persons").insert_all(
            {c: p.get(c) for c in _PERSON_COLUMNS} for p in data["persons"]
        )
        self.db.table("agreements").insert_all(
            _agreement_row(name, a) for name, a in seed.get("accepts", {}).items()
        )
        self.people.seed(data.get("ikd", {}).get("accounts", []))

    def sync_agreements(self, accepts: Mapping[str, Mapping[str, Any]]) -> None:
        """Make the agreements those of `accepts`, in one transaction: a new partner gets its
        agreement, a partner's changed credentials or terms replace the old ones, and a
        partner no longer listed loses its agreement. A status the registry set (a
        suspension) is kept; a new agreement starts with the status it was given."""
        rows = [_agreement_row(name, a) for name, a in accepts.items()]
        kept = [row["partner"] for row in rows]
        with self.db.atomic():
            self.db.execute(
                f"DELETE FROM agreements WHERE partner NOT IN ({', '.join('?' * len(kept))})",
                kept,
            )
            for row in rows:
                self.db.execute(
                    "INSERT INTO agreements (partner, client_id, client_secret, purpose, "
                    "allowed_fields, quota, valid_until, status) VALUES (:partner, :client_id, "
                    ":client_secret, :purpose, :allowed_fields, :quota, :valid_until, :status) "
                    "ON CONFLICT (partner) DO UPDATE SET client_id = excluded.client_id, "
                    "client_secret = excluded.client_secret, purpose = excluded.purpose, "
                    "allowed_fields = excluded.allowed_fields, quota = excluded.quota, "
                    "valid_until = excluded.valid_until",
                    row,
                )

    def _load_districts(self) -> None:
        # The region table never changes at run time, so keep the codes in memory.
        self._districts = frozenset(
            row["code"] for row in self.db.query("SELECT code FROM regions")
        )

    # --- regions and persons (never exposed to partners as values) -------------------------

    @property
    def known_districts(self) -> frozenset[str]:
        """Every 6-digit district code of the region table."""
        return self._districts

    def region(self, code: str) -> dict[str, Any] | None:
        """One district row by its code."""
        rows = list(self.db.query("SELECT * FROM regions WHERE code = ?", [code]))
        return rows[0] if rows else None

    def person(self, nik: str) -> dict[str, Any] | None:
        """The registered person with this NIK, for comparison inside the registry only."""
        rows = list(self.db.query("SELECT * FROM persons WHERE nik = ?", [nik]))
        return rows[0] if rows else None

    def add_person(self, row: Mapping[str, Any]) -> bool:
        """Register a person; False if the NIK is already taken."""
        cursor = self.db.execute(
            f"INSERT OR IGNORE INTO persons ({', '.join(_PERSON_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _PERSON_COLUMNS)})",
            [row.get(c) for c in _PERSON_COLUMNS],
        )
        return cursor.rowcount == 1

    # --- agreements and usage ---------------------------------------------------------------

    def agreement_by_client_id(self, client_id: str) -> dict[str, Any] | None:
        """The partner agreement that owns a client id."""
        rows = list(self.db.query("SELECT * FROM agreements WHERE client_id = ?", [client_id]))
        return _agreement(rows[0]) if rows else None

    def agreements(self) -> list[dict[str, Any]]:
        """Every partner agreement."""
        return [_agreement(r) for r in self.db.query("SELECT * FROM agreements ORDER BY partner")]

    def set_agreement_status(self, partner: str, status: str) -> bool:
        """Suspend, revoke or reactivate an agreement; False if the partner is unknown."""
        cursor = self.db.execute(
            "UPDATE agreements SET status = ? WHERE partner = ?", [status, partner]
        )
        return cursor.rowcount == 1

    def count_call(self, partner: str, semester: str) -> int:
        """Add one call to the partner's usage; returns the count *before* this call."""
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT calls FROM usage WHERE partner = ? AND semester = ?",
                    [partner, semester],
                )
            )
            before = rows[0]["calls"] if rows else 0
            self.db.execute(
                "INSERT INTO usage (partner, semester, calls) VALUES (?, ?, 1) "
                "ON CONFLICT (partner, semester) DO UPDATE SET calls = calls + 1",
                [partner, semester],
            )
        return int(before)

    def usage(self, semester: str) -> list[dict[str, Any]]:
        """Calls and verifications per partner in one semester (the PKS usage report)."""
        return list(
            self.db.query(
                "SELECT a.partner, a.client_id, a.purpose, a.status, a.quota, "
                "COALESCE(u.calls, 0) AS calls, "
                "(SELECT COUNT(*) FROM verifications v WHERE v.partner = a.partner "
                " AND v.semester = :semester) AS verifications "
                "FROM agreements a LEFT JOIN usage u ON u.partner = a.partner "
                "AND u.semester = :semester ORDER BY a.partner",
                {"semester": semester},
            )
        )

    # --- consents ---------------------------------------------------------------------------

    def add_consent(
        self,
        *,
        day: str,
        partner: str,
        nik: str,
        purpose: str,
        granted_at: float,
        expires_at: float,
        now: float,
    ) -> dict[str, Any]:
        """Record a consent and return it; ids come from a sequence (same seed, same ids)."""
        with self.db.atomic():
            seq = self._next_seq("consents")
            consent_id = f"CNS-{day}-{seq:06d}"
            self.db.execute(
                "INSERT INTO consents (consent_id, seq, partner, nik, purpose, granted_at, "
                "expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [consent_id, seq, partner, nik, purpose, granted_at, expires_at, now],
            )
        consent = self.consent(consent_id)
        assert consent is not None
        return consent

    def consent(self, consent_id: str) -> dict[str, Any] | None:
        """One consent by id."""
        rows = list(self.db.query("SELECT * FROM consents WHERE consent_id = ?", [consent_id]))
        return rows[0] if rows else None

    def withdraw_consent(self, consent_id: str, now: float) -> None:
        """Mark a consent withdrawn (the first withdrawal time is kept)."""
        self.db.execute(
            "UPDATE consents SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE consent_id = ?",
            [now, consent_id],
        )

    # --- the verification log ---------------------------------------------------------------

    def log_verification(
        self,
        *,
        day: str,
        partner: str,
        purpose: str,
        consent_id: str,
        nik_masked: str,
        fields_asked: Iterable[str],
        result: Mapping[str, str],
        found: bool,
        name_score: int | None,
        threshold: int,
        semester: str,
        now: float,
    ) -> str:
        """Append one verification to the audit log; returns its id."""
        with self.db.atomic():
            seq = self._next_seq("verifications")
            verification_id = f"VRF-{day}-{seq:06d}"
            self.db.execute(
                "INSERT INTO verifications (verification_id, seq, partner, purpose, consent_id, "
                "nik_masked, fields_asked, result, found, name_score, threshold, semester, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    verification_id,
                    seq,
                    partner,
                    purpose,
                    consent_id,
                    nik_masked,
                    json.dumps(list(fields_asked)),
                    json.dumps(dict(result)),
                    int(found),
                    name_score,
                    threshold,
                    semester,
                    now,
                ],
            )
        return verification_id

    def verifications(self) -> list[dict[str, Any]]:
        """The whole verification log, oldest first (for admins and tests)."""
        return list(self.db.query("SELECT * FROM verifications ORDER BY seq"))

    def _next_seq(self, table: str) -> int:
        rows = list(self.db.query(f"SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM {table}"))
        return int(rows[0]["seq"])


def _agreement_row(partner: str, creds: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "partner": partner,
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "purpose": creds["purpose"],
        "allowed_fields": json.dumps(list(creds["allowed_fields"])),
        "quota": int(creds["quota"]),
        "valid_until": creds["valid_until"],
        "status": creds.get("status", "ACTIVE"),
    }


def _agreement(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "allowed_fields": json.loads(row["allowed_fields"])}
