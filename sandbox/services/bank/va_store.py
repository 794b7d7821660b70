"""SQL of virtual accounts: created by a biller, paid, reversed, deleted or made to expire.

A mixin of `BankStore` (store.py), kept apart so each part of the bank's SQL reads on its own.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from sandbox.framework.storage import insert_row


class VirtualAccounts:
    """SQL of virtual accounts (mixed into BankStore)."""

    db: sqlite_utils.Database

    def va(self, virtual_account_no: str) -> dict[str, Any] | None:
        """A VA by its exact SNAP number (with the padding spaces), or None."""
        rows = list(
            self.db.query("SELECT * FROM vas WHERE virtual_account_no = ?", [virtual_account_no])
        )
        return _va_row(rows[0]) if rows else None

    def va_by_digits(self, digits: str) -> dict[str, Any] | None:
        """A VA by the number a customer types (no spaces), or None."""
        rows = list(self.db.query("SELECT * FROM vas WHERE digits = ?", [digits]))
        return _va_row(rows[0]) if rows else None

    def insert_va(self, va: dict[str, Any]) -> None:
        """Store a new, unpaid VA."""
        row = {**va, "additional_info": json.dumps(va.get("additional_info")), "status": "UNPAID"}
        insert_row(self.db, "vas", row)

    def expire_va_now(self, digits: str, now: float, expired_date: str) -> bool:
        """Make an unpaid VA expire at `now` (sandbox-only: `sandbox force expire-va`);
        False when there is no such unpaid VA."""
        cursor = self.db.execute(
            "UPDATE vas SET expires_at = ?, expired_date = ? "
            "WHERE digits = ? AND status = 'UNPAID' AND expires_at > ?",
            [now, expired_date, digits, now],
        )
        return bool(cursor.rowcount)

    def mark_va_paid(
        self,
        virtual_account_no: str,
        amount: int,
        payment_request_id: str,
        reference_no: str,
        now: float,
    ) -> None:
        """Close a VA as paid (call inside the transaction that moved the money)."""
        self.db.execute(
            "UPDATE vas SET status = 'PAID', paid_at = ?, paid_amount = ?, "
            "payment_request_id = ?, reference_no = ? WHERE virtual_account_no = ?",
            [now, amount, payment_request_id, reference_no, virtual_account_no],
        )

    def mark_va_reversed(self, virtual_account_no: str, reference_no: str, now: float) -> None:
        """A paid VA whose payment went back to the payer (inside the reversal's transaction)."""
        self.db.execute(
            "UPDATE vas SET status = 'REVERSED', reversed_at = ?, reversal_reference_no = ? "
            "WHERE virtual_account_no = ? AND status = 'PAID'",
            [now, reference_no, virtual_account_no],
        )

    def mark_va_deleted(self, virtual_account_no: str, now: float) -> None:
        """Close a VA without payment: it can no longer be paid."""
        self.db.execute(
            "UPDATE vas SET status = 'DELETED', deleted_at = ? WHERE virtual_account_no = ?",
            [now, virtual_account_no],
        )


def _va_row(row: dict[str, Any]) -> dict[str, Any]:
    info = row.get("additional_info")
    return {**row, "additional_info": json.loads(info) if info else None}
