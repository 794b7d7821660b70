"""SQL of direct debits of bound accounts and their refunds, each answer kept for a replay.

A mixin of `BankStore` (store.py), kept apart so each part of the bank's SQL reads on its own.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


class DirectDebits:
    """SQL of direct debits and their refunds (mixed into BankStore)."""

    db: sqlite_utils.Database

    def insert_debit(self, debit: dict[str, Any]) -> dict[str, Any]:
        """A new debit (PENDING until its money moves); returns it with id and reference."""
        cursor = self.db.execute(
            "INSERT INTO debits (reference_no, partner, partner_reference_no, binding_id, "
            "account_no, merchant_account_no, amount, status, answer_status, answer, "
            "created_at) VALUES ('', ?, ?, ?, ?, ?, ?, 'PENDING', 0, '{}', ?)",
            [
                debit["partner"],
                debit["partner_reference_no"],
                debit["binding_id"],
                debit["account_no"],
                debit["merchant_account_no"],
                debit["amount"],
                debit["created_at"],
            ],
        )
        debit_id = int(cursor.lastrowid or 0)
        reference_no = f"DD{debit_id:010d}"
        self.db.execute("UPDATE debits SET reference_no = ? WHERE id = ?", [reference_no, debit_id])
        return {
            **debit,
            "id": debit_id,
            "reference_no": reference_no,
            "status": "PENDING",
            "refunded": 0,
        }

    def live_debit(self, partner: str, partner_reference_no: str) -> dict[str, Any] | None:
        """The partner's debit for this reference that has not failed, or None."""
        return self._debit(
            "partner = ? AND partner_reference_no = ? AND status != 'FAILED'",
            [partner, partner_reference_no],
        )

    def latest_debit(self, partner: str, partner_reference_no: str) -> dict[str, Any] | None:
        """The partner's newest debit for this reference (failed or not), or None."""
        return self._debit(
            "partner = ? AND partner_reference_no = ?", [partner, partner_reference_no]
        )

    def debit(self, reference_no: str) -> dict[str, Any] | None:
        """A debit by the bank's reference, or None."""
        return self._debit("reference_no = ?", [reference_no])

    def _debit(self, where: str, params: list[Any]) -> dict[str, Any] | None:
        rows = list(
            self.db.query(f"SELECT * FROM debits WHERE {where} ORDER BY id DESC LIMIT 1", params)
        )
        if not rows:
            return None
        return {**rows[0], "answer": json.loads(rows[0]["answer"])}

    def debit_paid(self, debit_id: int, movement_reference_no: str, now: float) -> None:
        """The money moved (inside the movement's transaction)."""
        self.db.execute(
            "UPDATE debits SET status = 'SUCCESS', movement_reference_no = ?, paid_at = ? "
            "WHERE id = ? AND status = 'PENDING'",
            [movement_reference_no, now, debit_id],
        )

    def debit_failed(self, debit_id: int, reason: str) -> None:
        """A pending debit that will never move money."""
        self.db.execute(
            "UPDATE debits SET status = 'FAILED', failed_reason = ? "
            "WHERE id = ? AND status = 'PENDING'",
            [reason, debit_id],
        )

    def add_refunded(self, debit_id: int, amount: int) -> bool:
        """Count `amount` more of a debit as given back; False if that would be more than
        was paid (the guard is in the statement, so two refunds racing cannot both pass)."""
        return (
            self.db.execute(
                "UPDATE debits SET refunded = refunded + ? WHERE id = ? AND status = 'SUCCESS' "
                "AND refunded + ? <= amount",
                [amount, debit_id, amount],
            ).rowcount
            == 1
        )

    def insert_refund(self, refund: dict[str, Any]) -> str:
        """A refund that moved money; returns the bank's refund number."""
        cursor = self.db.execute(
            "INSERT INTO refunds (refund_no, partner, partner_refund_no, debit_id, amount, "
            "movement_reference_no, answer, created_at) VALUES ('', ?, ?, ?, ?, ?, '{}', ?)",
            [
                refund["partner"],
                refund["partner_refund_no"],
                refund["debit_id"],
                refund["amount"],
                refund["movement_reference_no"],
                refund["created_at"],
            ],
        )
        refund_id = int(cursor.lastrowid or 0)
        refund_no = f"RF{refund_id:010d}"
        self.db.execute("UPDATE refunds SET refund_no = ? WHERE id = ?", [refund_no, refund_id])
        return refund_no

    def refund(self, partner: str, partner_refund_no: str) -> dict[str, Any] | None:
        """A partner's refund by its own number, or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM refunds WHERE partner = ? AND partner_refund_no = ?",
                [partner, partner_refund_no],
            )
        )
        return {**rows[0], "answer": json.loads(rows[0]["answer"])} if rows else None

    def refund_answer(self, refund_no: str, answer: dict[str, Any]) -> None:
        """What a repeated refund request is answered."""
        self.db.execute(
            "UPDATE refunds SET answer = ? WHERE refund_no = ?", [json.dumps(answer), refund_no]
        )

    def debit_answer(self, debit_id: int, status: int, answer: dict[str, Any]) -> None:
        """What a repeated request for this debit is answered."""
        self.db.execute(
            "UPDATE debits SET answer_status = ?, answer = ? WHERE id = ?",
            [status, json.dumps(answer), debit_id],
        )
