"""The records platform's own database: organizations, credentials, tokens and the health records.

This is the only module with SQL. Tables are made by `Migrations("records")`; every change of
more than one row runs inside `db.atomic()`. Access tokens are stored as SHA-256 hashes, so a
copy of the database cannot be used to call the API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.records import rules

migrations = sqlite_utils.Migrations("records")

_TABLES = ("meta", "organizations", "clients", "tokens", "patients", "encounters", "conditions")
"""Every table `reset` empties."""


@migrations()
def m001_records(db: sqlite_utils.Database) -> None:
    """Organizations and their credentials, then patients, encounters and conditions."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("organizations").create({"org_id": str, "name": str}, pk="org_id")
    db.table("clients").create(
        {"client_id": str, "client_secret": str, "org_id": str, "partner": str}, pk="client_id"
    )
    db.table("tokens").create(
        {
            "token_hash": str,
            "client_id": str,
            "org_id": str,
            "issued_at": float,
            "expires_at": float,
        },
        pk="token_hash",
    )
    # Only minimal demographics: the platform never stores the address or the phone number.
    db.table("patients").create(
        {
            "ihs_number": str,
            "seq": int,
            "nik": str,
            "name": str,
            "birth_date": str,
            "gender": str,
            "created_at": float,
        },
        pk="ihs_number",
        not_null={"nik"},
    )
    db.table("patients").create_index(["nik"], unique=True)
    db.table("encounters").create(
        {
            "encounter_id": str,
            "seq": int,
            "ihs_number": str,
            "org_id": str,
            "identifier_value": str,
            "status": str,
            "class_code": str,
            "period_start": str,
            "period_end": str,
            "participant": str,
            "status_history": str,
            "created_at": float,
        },
        pk="encounter_id",
        not_null={"ihs_number", "org_id"},
    )
    # A facility numbers its own visits: the same number twice in one facility is a duplicate.
    db.table("encounters").create_index(["org_id", "identifier_value"], unique=True)
    db.table("encounters").create_index(["ihs_number"])
    db.table("conditions").create(
        {
            "condition_id": str,
            "seq": int,
            "encounter_id": str,
            "ihs_number": str,
            "org_id": str,
            "icd10": str,
            "display": str,
            "created_at": float,
        },
        pk="condition_id",
    )


def token_hash(token: str) -> str:
    """What the tokens table keeps instead of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


class RecordsStore(InstitutionStore):
    """Reads and writes of the health-records platform."""

    migrations = migrations
    TABLES = _TABLES

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        """Facilities onboarded since the platform was seeded are let in without a reset."""
        self.sync_clients(seed.get("accepts", {}))

    def sync_clients(self, accepts: Mapping[str, Mapping[str, Any]]) -> None:
        """Make the credentials those of `accepts`, in one transaction: a new facility gets
        its organization and client, changed credentials replace the old ones, and a client
        no longer listed is removed with the tokens issued to it."""
        kept = [str(c["client_id"]) for c in accepts.values()]
        marks = ", ".join("?" * len(kept))
        with self.db.atomic():
            self.db.execute(f"DELETE FROM tokens WHERE client_id NOT IN ({marks})", kept)
            self.db.execute(f"DELETE FROM clients WHERE client_id NOT IN ({marks})", kept)
            for partner, c in accepts.items():
                self.db.execute(
                    "INSERT OR IGNORE INTO organizations (org_id, name) VALUES (?, ?)",
                    [str(c["org_id"]), str(c["org_name"])],
                )
                self.db.execute(
                    "INSERT INTO clients (client_id, client_secret, org_id, partner) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET "
                    "client_secret = excluded.client_secret, org_id = excluded.org_id, "
                    "partner = excluded.partner",
                    [str(c["client_id"]), c["client_secret"], str(c["org_id"]), partner],
                )

    # --- seeding ---------------------------------------------------------------------------

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world (env.seed: `data`, `accepts`): facilities, patients, records."""
        data = seed["data"]
        accepts: Mapping[str, Any] = seed.get("accepts", {})
        self.remember_seed(seed)
        orgs = {o["org_id"]: o["name"] for o in data.get("organizations", [])}
        # A credential also names its organization, so a facility onboarded later (a
        # second hospital in a lesson) exists even if the world did not list it.
        for creds in accepts.values():
            orgs.setdefault(str(creds["org_id"]), str(creds["org_name"]))
        self.db.table("organizations").insert_all({"org_id": k, "name": v} for k, v in orgs.items())
        self.db.table("clients").insert_all(
            {
                "client_id": c["client_id"],
                "client_secret": c["client_secret"],
                "org_id": str(c["org_id"]),
                "partner": partner,
            }
            for partner, c in accepts.items()
        )
        self.db.table("patients").insert_all(
            {
                "ihs_number": p["ihs_number"],
                "seq": int(p["ihs_number"][1:]) - 10_000_000_000,
                "nik": p["nik"],
                "name": p["name"],
                "birth_date": p["birth_date"],
                "gender": p["gender"],
                "created_at": 0.0,
            }
            for p in data.get("patients", [])
        )
        self.db.table("encounters").insert_all(
            _seeded_encounter(e) for e in data.get("encounters", [])
        )
        org_of = {e["encounter_id"]: e["org_id"] for e in data.get("encounters", [])}
        self.db.table("conditions").insert_all(
            {
                "condition_id": c["condition_id"],
                "seq": int(c["condition_id"][1:]),
                "encounter_id": c["encounter_id"],
                "ihs_number": c["ihs_number"],
                "org_id": org_of.get(c["encounter_id"]),
                "icd10": c["icd10"],
                "display": c.get("display"),
                "created_at": 0.0,
            }
            for c in data.get("conditions", [])
        )

    # --- organizations, credentials and tokens ----------------------------------------------

    def client(self, client_id: str) -> dict[str, Any] | None:
        """A credential pair and the organization it belongs to."""
        return self._one(
            "SELECT c.*, o.name AS org_name FROM clients c "
            "JOIN organizations o ON o.org_id = c.org_id WHERE c.client_id = ?",
            [client_id],
        )

    def save_token(
        self, token: str, client_id: str, org_id: str, now: float, expires_at: float
    ) -> None:
        """Remember an issued token (by its hash) until it expires."""
        self.db.execute(
            "INSERT INTO tokens (token_hash, client_id, org_id, issued_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [token_hash(token), client_id, org_id, now, expires_at],
        )

    def token(self, token: str) -> dict[str, Any] | None:
        """The issued token row for a bearer token, or None if the platform never issued it."""
        return self._one(
            "SELECT t.*, c.partner FROM tokens t LEFT JOIN clients c ON c.client_id = t.client_id "
            "WHERE t.token_hash = ?",
            [token_hash(token)],
        )

    # --- patients ----------------------------------------------------------------------------

    def patient_by_nik(self, nik: str) -> dict[str, Any] | None:
        """The patient known by this NIK."""
        return self._one("SELECT * FROM patients WHERE nik = ?", [nik])

    def patient(self, ihs_number: str) -> dict[str, Any] | None:
        """The patient with this IHS number."""
        return self._one("SELECT * FROM patients WHERE ihs_number = ?", [ihs_number])

    def add_patient(
        self, *, nik: str, name: str, birth_date: str, gender: str, now: float
    ) -> dict[str, Any] | None:
        """Give a NIK its IHS number; None if the NIK already has one."""
        with self.db.atomic():
            if self.patient_by_nik(nik) is not None:
                return None
            seq = self._next_seq("patients")
            ihs = rules.ihs_number(seq)
            self.db.execute(
                "INSERT INTO patients (ihs_number, seq, nik, name, birth_date, gender, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ihs, seq, nik, name, birth_date, gender, now],
            )
        return self.patient(ihs)

    # --- encounters --------------------------------------------------------------------------

    def encounter(self, encounter_id: str) -> dict[str, Any] | None:
        """One encounter, whichever organization owns it (callers check ownership)."""
        row = self._one("SELECT * FROM encounters WHERE encounter_id = ?", [encounter_id])
        return _encounter(row) if row else None

    def encounters_of(self, ihs_number: str, org_id: str) -> list[dict[str, Any]]:
        """A patient's encounters at one organization, oldest first."""
        rows = self.db.query(
            "SELECT * FROM encounters WHERE ihs_number = ? AND org_id = ? ORDER BY seq",
            [ihs_number, org_id],
        )
        return [_encounter(r) for r in rows]

    def encounter_by_identifier(self, org_id: str, value: str) -> dict[str, Any] | None:
        """The encounter a facility already numbered `value`."""
        row = self._one(
            "SELECT * FROM encounters WHERE org_id = ? AND identifier_value = ?", [org_id, value]
        )
        return _encounter(row) if row else None

    def add_encounter(self, row: Mapping[str, Any], now: float) -> dict[str, Any]:
        """Store a new encounter with the next id from the sequence."""
        with self.db.atomic():
            seq = self._next_seq("encounters")
            encounter_id = rules.encounter_id(seq)
            self.db.table("encounters").insert(
                {
                    **row,
                    "encounter_id": encounter_id,
                    "seq": seq,
                    "participant": json.dumps(row["participant"]),
                    "status_history": json.dumps(row["status_history"]),
                    "created_at": now,
                }
            )
        created = self.encounter(encounter_id)
        assert created is not None
        return created

    # --- conditions --------------------------------------------------------------------------

    def add_condition(
        self,
        *,
        encounter_id: str,
        ihs_number: str,
        org_id: str,
        icd10: str,
        display: str | None,
        now: float,
    ) -> dict[str, Any]:
        """Store a diagnosis for an encounter with the next id from the sequence."""
        with self.db.atomic():
            seq = self._next_seq("conditions")
            condition_id = rules.condition_id(seq)
            self.db.execute(
                "INSERT INTO conditions (condition_id, seq, encounter_id, ihs_number, org_id, "
                "icd10, display, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [condition_id, seq, encounter_id, ihs_number, org_id, icd10, display, now],
            )
        created = self._one("SELECT * FROM conditions WHERE condition_id = ?", [condition_id])
        assert created is not None
        return created

    def conditions_of(self, encounter_id: str) -> list[dict[str, Any]]:
        """The diagnoses recorded for one encounter."""
        return list(
            self.db.query(
                "SELECT * FROM conditions WHERE encounter_id = ? ORDER BY seq", [encounter_id]
            )
        )

    def count(self, table: str) -> int:
        """How many rows a table holds (tests and the reset check)."""
        assert table in _TABLES
        return self.db.table(table).count

    def _next_seq(self, table: str) -> int:
        rows = list(self.db.query(f"SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM {table}"))
        return int(rows[0]["seq"])

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        rows = list(self.db.query(sql, params))
        return rows[0] if rows else None


def _seeded_encounter(e: Mapping[str, Any]) -> dict[str, Any]:
    """A finished past visit from the world: it has a date only, so say 08:00-09:00 WIB (UTC+7)."""
    start, end = f"{e['date']}T01:00:00+00:00", f"{e['date']}T02:00:00+00:00"
    history = [
        {"status": "arrived", "period": {"start": start, "end": start}},
        {"status": "in-progress", "period": {"start": start, "end": end}},
        {"status": "finished", "period": {"start": end, "end": end}},
    ]
    return {
        "encounter_id": e["encounter_id"],
        "seq": int(e["encounter_id"][1:]),
        "ihs_number": e["ihs_number"],
        "org_id": e["org_id"],
        "identifier_value": e["encounter_id"],
        "status": "finished",
        "class_code": e.get("class", "AMB"),
        "period_start": start,
        "period_end": end,
        "participant": "[]",
        "status_history": json.dumps(history),
        "created_at": 0.0,
    }


def _encounter(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "participant": json.loads(row["participant"] or "[]"),
        "status_history": json.loads(row["status_history"] or "[]"),
    }
