"""SQL of account binding: the texts the bank sends to phones, the one-time codes it asks
back (for a binding or a debit), and the bindings that let a partner debit an account.

A mixin of `BankStore` (store.py), kept apart so each part of the bank's SQL reads on its own.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils


class PhoneTexts:
    """SQL of what the bank sends to phones, and the codes it asks back (mixed into BankStore)."""

    db: sqlite_utils.Database

    def send_sms(self, phone: str, text: str, now: float) -> None:
        """Text a phone (inside the transaction of what the text announces)."""
        self.db.execute(
            "INSERT INTO sms (phone, text, sent_at) VALUES (?, ?, ?)", [phone, text, now]
        )

    def sms_to(self, phone: str) -> list[dict[str, Any]]:
        """Every text sent to a phone (`rules.phone_key` form), oldest first."""
        return list(
            self.db.query(
                "SELECT phone, text, sent_at FROM sms WHERE phone = ? ORDER BY id", [phone]
            )
        )

    def insert_otp(
        self, reference_no: str, purpose: str, partner: str, code_hash: str, expires_at: float
    ) -> None:
        """A new one-time code for a binding or a debit."""
        self.db.execute(
            "INSERT INTO otps (reference_no, purpose, partner, code_hash, expires_at, wrong, "
            "status) VALUES (?, ?, ?, ?, ?, 0, 'PENDING')",
            [reference_no, purpose, partner, code_hash, expires_at],
        )

    def otp(self, reference_no: str) -> dict[str, Any] | None:
        """The code confirming `reference_no`, or None."""
        rows = list(self.db.query("SELECT * FROM otps WHERE reference_no = ?", [reference_no]))
        return rows[0] if rows else None

    def otp_wrong(self, reference_no: str, blocked: bool) -> None:
        """Count a wrong code; `blocked`: it was the last one allowed."""
        self.db.execute(
            "UPDATE otps SET wrong = wrong + 1, status = ? WHERE reference_no = ?",
            ["BLOCKED" if blocked else "PENDING", reference_no],
        )

    def otp_used(self, reference_no: str) -> bool:
        """Use a pending code up; False if it was not pending (used or blocked meanwhile)."""
        return (
            self.db.execute(
                "UPDATE otps SET status = 'USED' WHERE reference_no = ? AND status = 'PENDING'",
                [reference_no],
            ).rowcount
            == 1
        )

    # -- bindings ------------------------------------------------------------------------------

    def insert_binding(self, binding: dict[str, Any]) -> dict[str, Any]:
        """A new PENDING binding; returns it with its id and reference."""
        cursor = self.db.execute(
            "INSERT INTO bindings (reference_no, partner, partner_reference_no, customer_id, "
            "account_no, status, limit_without_code, created_at) "
            "VALUES ('', ?, ?, ?, ?, 'PENDING', ?, ?)",
            [
                binding["partner"],
                binding["partner_reference_no"],
                binding["customer_id"],
                binding["account_no"],
                binding["limit_without_code"],
                binding["created_at"],
            ],
        )
        binding_id = int(cursor.lastrowid or 0)
        reference_no = f"BND{binding_id:09d}"
        self.db.execute(
            "UPDATE bindings SET reference_no = ? WHERE id = ?", [reference_no, binding_id]
        )
        return {**binding, "id": binding_id, "reference_no": reference_no, "status": "PENDING"}

    def binding(self, reference_no: str) -> dict[str, Any] | None:
        """A binding by the bank's reference, or None."""
        rows = list(self.db.query("SELECT * FROM bindings WHERE reference_no = ?", [reference_no]))
        return rows[0] if rows else None

    def binding_by_id(self, binding_id: int) -> dict[str, Any] | None:
        """A binding by its id, or None."""
        rows = list(self.db.query("SELECT * FROM bindings WHERE id = ?", [binding_id]))
        return rows[0] if rows else None

    def binding_by_token(self, token_hash: str) -> dict[str, Any] | None:
        """The binding whose token hashes to `token_hash` (whatever its status), or None."""
        rows = list(self.db.query("SELECT * FROM bindings WHERE token_hash = ?", [token_hash]))
        return rows[0] if rows else None

    def bindings_of(self, account_no: str) -> list[dict[str, Any]]:
        """Every binding of an account that was ever active, newest first."""
        return list(
            self.db.query(
                "SELECT * FROM bindings WHERE account_no = ? AND status IN ('ACTIVE', 'REVOKED') "
                "ORDER BY id DESC",
                [account_no],
            )
        )

    def activate_binding(self, binding_id: int, token_hash: str, now: float) -> None:
        """The code was right: the binding is active, and it replaces any earlier active
        binding of the same account at the same partner (one partner, one token)."""
        row = self.binding_by_id(binding_id)
        assert row is not None
        self.db.execute(
            "UPDATE bindings SET status = 'REVOKED', revoked_at = ?, revoked_by = 'replaced' "
            "WHERE partner = ? AND account_no = ? AND status = 'ACTIVE'",
            [now, row["partner"], row["account_no"]],
        )
        self.db.execute(
            "UPDATE bindings SET status = 'ACTIVE', token_hash = ?, activated_at = ? WHERE id = ?",
            [token_hash, now, binding_id],
        )

    def fail_binding(self, binding_id: int) -> None:
        """Three wrong codes or an expired one: the binding will never be active."""
        self.db.execute(
            "UPDATE bindings SET status = 'FAILED' WHERE id = ? AND status = 'PENDING'",
            [binding_id],
        )

    def revoke_binding(self, binding_id: int, by: str, now: float) -> bool:
        """End an active binding; False if it was not active."""
        return (
            self.db.execute(
                "UPDATE bindings SET status = 'REVOKED', revoked_at = ?, revoked_by = ? "
                "WHERE id = ? AND status = 'ACTIVE'",
                [now, by, binding_id],
            ).rowcount
            == 1
        )
