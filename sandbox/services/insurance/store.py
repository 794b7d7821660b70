"""The insurer's own database: members, clinics, partner facilities and issued SEPs.

This is the only module with SQL. Tables are made by `Migrations("insurance")`; every change of
more than one row runs inside `db.atomic()`, so it happens completely or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore

migrations = sqlite_utils.Migrations("insurance")

_TABLES = ("meta", "partners", "clinics", "members", "seps")
"""Every table `reset` empties."""


@migrations()
def m001_membership(db: sqlite_utils.Database) -> None:
    """Members and clinics (the membership register), facilities, and the SEPs they issued."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("partners").create(
        {"partner": str, "cons_id": str, "secret": str, "user_key": str, "ppk_code": str},
        pk="partner",
    )
    db.table("partners").create_index(["cons_id"], unique=True)
    db.table("clinics").create({"code": str, "name": str}, pk="code")
    db.table("members").create(
        {
            "card_no": str,
            "nik": str,
            "name": str,
            "sex": str,
            "birth_date": str,
            "class_code": str,
            "class_name": str,
            "type_code": str,
            "type_name": str,
            "status_code": str,
            "status_name": str,
            "provider_code": str,
            "provider_name": str,
        },
        pk="card_no",
    )
    db.table("members").create_index(["nik"], unique=True)
    db.table("seps").create(
        {
            "no_sep": str,
            "seq": int,
            "ppk_code": str,
            "card_no": str,
            "tgl_sep": str,
            "service_type": str,
            "class_code": str,
            "no_mr": str,
            "referral": str,
            "diagnosis": str,
            "clinic": str,
            "user": str,
            "created_at": float,
            "deleted_at": float,
            "deleted_by": str,
        },
        pk="no_sep",
        not_null={"ppk_code", "card_no", "tgl_sep"},
    )


@migrations()
def m002_raised_class(db: sqlite_utils.Database) -> None:
    """An SEP notes a class upgrade ("naik kelas"): the class asked for and who pays."""
    for column in ("raised_class", "raised_payer", "raised_guarantor"):
        db.table("seps").add_column(column, str, not_null_default="")


class InsuranceStore(InstitutionStore):
    """Reads and writes of the insurer."""

    migrations = migrations
    TABLES = _TABLES

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        """Facilities onboarded since the insurer was seeded are let in without a reset."""
        self.sync_partners(seed.get("accepts", {}))

    def sync_partners(self, accepts: Mapping[str, Mapping[str, Any]]) -> None:
        """Make the facilities those of `accepts`, in one transaction: a new one is added,
        changed credentials replace the old ones, and one no longer listed is removed."""
        rows = [_partner_row(name, creds) for name, creds in accepts.items()]
        kept = [row["partner"] for row in rows]
        with self.db.atomic():
            self.db.execute(
                f"DELETE FROM partners WHERE partner NOT IN ({', '.join('?' * len(kept))})", kept
            )
            for row in rows:
                self.db.execute(
                    "INSERT INTO partners (partner, cons_id, secret, user_key, ppk_code) "
                    "VALUES (:partner, :cons_id, :secret, :user_key, :ppk_code) "
                    "ON CONFLICT (partner) DO UPDATE SET cons_id = excluded.cons_id, "
                    "secret = excluded.secret, user_key = excluded.user_key, "
                    "ppk_code = excluded.ppk_code",
                    row,
                )

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world (env.seed: `data`, `accepts`): facilities, clinics, members."""
        data = seed["data"]
        self.remember_seed(seed)
        self.db.table("partners").insert_all(
            _partner_row(name, creds) for name, creds in seed.get("accepts", {}).items()
        )
        self.db.table("clinics").insert_all(data.get("clinics", []))
        self.db.table("members").insert_all(_member_row(m) for m in data.get("members", []))

    # --- partners ---------------------------------------------------------------------------

    def partner_by_cons_id(self, cons_id: str) -> dict[str, Any] | None:
        """The facility that owns a consumer id (cons_id)."""
        rows = list(self.db.query("SELECT * FROM partners WHERE cons_id = ?", [cons_id]))
        return rows[0] if rows else None

    # --- members ----------------------------------------------------------------------------

    def member_by_nik(self, nik: str) -> dict[str, Any] | None:
        """The member registered under a NIK."""
        rows = list(self.db.query("SELECT * FROM members WHERE nik = ?", [nik]))
        return rows[0] if rows else None

    def member_by_card(self, card_no: str) -> dict[str, Any] | None:
        """The member holding a card number."""
        rows = list(self.db.query("SELECT * FROM members WHERE card_no = ?", [card_no]))
        return rows[0] if rows else None

    def set_member_status(self, card_no: str, code: str, name: str) -> bool:
        """Change a member's status (premiums paid or missed); False if the card is unknown."""
        cursor = self.db.execute(
            "UPDATE members SET status_code = ?, status_name = ? WHERE card_no = ?",
            [code, name, card_no],
        )
        return cursor.rowcount == 1

    # --- SEPs -------------------------------------------------------------------------------

    def add_sep(self, row: Mapping[str, Any], number: Callable[[int], str]) -> str:
        """Store a new SEP numbered from the facility's sequence; returns its noSep.

        `number` turns the sequence into the noSep (a rule, see `rules.sep_number`). Reading
        the last sequence and inserting happen in one transaction, so two desks issuing at
        the same moment cannot get the same number.
        """
        with self.db.atomic():
            rows = list(
                self.db.query(
                    "SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM seps WHERE ppk_code = ?",
                    [row["ppk_code"]],
                )
            )
            seq = int(rows[0]["seq"])
            no_sep = number(seq)
            self.db.table("seps").insert(
                {
                    **row,
                    "no_sep": no_sep,
                    "seq": seq,
                    "referral": json.dumps(row.get("referral") or {}),
                }
            )
        return no_sep

    def sep(self, no_sep: str) -> dict[str, Any] | None:
        """One SEP that has not been deleted."""
        rows = list(
            self.db.query("SELECT * FROM seps WHERE no_sep = ? AND deleted_at IS NULL", [no_sep])
        )
        if not rows:
            return None
        return {**rows[0], "referral": json.loads(rows[0]["referral"] or "{}")}

    def delete_sep(self, no_sep: str, user: str, now: float) -> None:
        """Mark an SEP deleted; the row stays for the audit trail and keeps its number."""
        self.db.execute(
            "UPDATE seps SET deleted_at = ?, deleted_by = ? WHERE no_sep = ? "
            "AND deleted_at IS NULL",
            [now, user, no_sep],
        )


def _member_row(member: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "card_no": member["card_no"],
        "nik": member["nik"],
        "name": member["name"],
        "sex": member["sex"],
        "birth_date": member["birth_date"],
        "class_code": member["class"]["kode"],
        "class_name": member["class"]["keterangan"],
        "type_code": member["type"]["kode"],
        "type_name": member["type"]["keterangan"],
        "status_code": member["status"]["kode"],
        "status_name": member["status"]["keterangan"],
        "provider_code": member["primary_care"]["kdProvider"],
        "provider_name": member["primary_care"]["nmProvider"],
    }


def _partner_row(name: str, creds: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "partner": name,
        "cons_id": str(creds["cons_id"]),
        "secret": creds["secret"],
        "user_key": creds["user_key"],
        "ppk_code": creds["ppk_code"],
    }
