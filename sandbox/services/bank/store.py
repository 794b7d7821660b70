"""The bank's database: accounts, tokens, app sessions, the ledger; the rest of its SQL is in
the mixins beside it (binding_store.py: texts, codes and bindings; debit_store.py: direct
debits and refunds; va_store.py: virtual accounts), its tables in migrations.py.

Money is integer rupiah. Every movement writes one `movements` row and two `ledger` rows (a
debit and a credit of the same amount) and updates both balances in the same transaction, so
the sum of all balances never changes and no balance can go negative (a CHECK constraint
guards that too). Callers group several steps into one transaction with `store.atomic()`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.bank import rules
from sandbox.services.bank.binding_store import PhoneTexts
from sandbox.services.bank.debit_store import DirectDebits
from sandbox.services.bank.kyc_applications import migrations as kyc_applications
from sandbox.services.bank.migrations import TABLES, migrations
from sandbox.services.bank.va_store import VirtualAccounts


class BankStore(InstitutionStore, PhoneTexts, DirectDebits, VirtualAccounts):
    """Accounts, tokens, sessions, virtual accounts and the ledger of one bank."""

    migrations = migrations
    PART_MIGRATIONS = (kyc_applications,)
    TABLES = TABLES
    OUTBOX = True

    # -- seeding -------------------------------------------------------------------------------

    def catch_up(self, seed: Mapping[str, Any]) -> None:
        """A database made before accounts had phones gets the seeded ones."""
        self._fill_phones(seed)

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world: accounts (PINs only as hashes) and the bank's code."""
        data = seed["data"]
        self.db["accounts"].insert_all(  # type: ignore[union-attr]
            {
                "account_no": a["account_no"],
                "nik": a["nik"],
                "name": a["name"],
                "balance": a["balance"],
                # Computed when the world was built; only an account added at run time
                # (a user's own partner's settlement account) is hashed here.
                "pin_hash": a.get("pin_hash") or rules.hash_pin(a["pin"]),
                "kind": a["kind"],
                "wrong_pins": 0,
                "created_at": None,
                "phone": rules.phone_key(a.get("phone")),
            }
            for a in data["accounts"]
        )
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('seed', ?), ('bank_code', ?)",
            [str(seed.get("seed")), data["bank_code"]],
        )

    def _fill_phones(self, seed: Mapping[str, Any]) -> None:
        """A database made before accounts had phones gets the seeded ones (once)."""
        with self.db.atomic():
            for a in seed.get("data", {}).get("accounts", []):
                phone = rules.phone_key(a.get("phone"))
                if phone:
                    self.db.execute(
                        "UPDATE accounts SET phone = ? WHERE account_no = ? AND phone IS NULL",
                        [phone, a["account_no"]],
                    )

    # -- partner tokens and app sessions ---------------------------------------------------------

    def save_token(self, token_hash: str, partner: str, expires_at: float) -> None:
        """Remember a B2B access token (by its hash)."""
        self.db.execute("INSERT INTO tokens VALUES (?, ?, ?)", [token_hash, partner, expires_at])

    def token_partner(self, token_hash: str, now: float) -> str | None:
        """The partner an unexpired token belongs to, or None."""
        row = self.db.execute(
            "SELECT partner FROM tokens WHERE token_hash = ? AND expires_at > ?", [token_hash, now]
        ).fetchone()
        return row[0] if row else None

    def save_session(self, token_hash: str, account_no: str, expires_at: float) -> None:
        """Remember an app session (by its hash)."""
        self.db.execute(
            "INSERT INTO sessions VALUES (?, ?, ?)", [token_hash, account_no, expires_at]
        )

    def session_account(self, token_hash: str, now: float) -> str | None:
        """The account an unexpired app session belongs to, or None."""
        row = self.db.execute(
            "SELECT account_no FROM sessions WHERE token_hash = ? AND expires_at > ?",
            [token_hash, now],
        ).fetchone()
        return row[0] if row else None

    def claim_external_id(
        self, partner: str, external_id: str, day: str, path: str, now: float
    ) -> bool:
        """Record X-EXTERNAL-ID for today; False if this partner already used it today.

        Call inside the transaction that makes the request's effect, so a refused or failed
        request does not use up the id, and a duplicate never gets an effect.
        """
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO external_ids VALUES (?, ?, ?, ?, ?)",
            [partner, external_id, day, path, now],
        )
        return cursor.rowcount == 1

    # -- accounts ------------------------------------------------------------------------------

    def account(self, account_no: str) -> dict[str, Any] | None:
        """One account row, or None."""
        rows = list(self.db.query("SELECT * FROM accounts WHERE account_no = ?", [account_no]))
        return rows[0] if rows else None

    def account_by_nik(self, nik: str) -> dict[str, Any] | None:
        """The account of a person, or None."""
        rows = list(self.db.query("SELECT * FROM accounts WHERE nik = ?", [nik]))
        return rows[0] if rows else None

    def personal_account_by_phone(self, phone: str) -> dict[str, Any] | None:
        """The personal account registered to a phone (`rules.phone_key` form), or None."""
        rows = list(
            self.db.query(
                "SELECT * FROM accounts WHERE phone = ? AND kind = 'personal' "
                "ORDER BY account_no LIMIT 1",
                [phone],
            )
        )
        return rows[0] if rows else None

    def record_wrong_pin(self, account_no: str) -> int:
        """Count one more wrong PIN in a row; returns the new count."""
        self.db.execute(
            "UPDATE accounts SET wrong_pins = wrong_pins + 1 WHERE account_no = ?", [account_no]
        )
        return int(
            self.db.execute(
                "SELECT wrong_pins FROM accounts WHERE account_no = ?", [account_no]
            ).fetchone()[0]
        )

    def clear_wrong_pins(self, account_no: str) -> None:
        """A correct PIN resets the count."""
        self.db.execute("UPDATE accounts SET wrong_pins = 0 WHERE account_no = ?", [account_no])

    def open_account(self, nik: str, name: str, pin_hash: str, now: float) -> str:
        """Open a personal account with balance 0; returns its number (99001 + a sequence)."""
        count = self.db.execute(
            "SELECT COUNT(*) FROM accounts WHERE account_no LIKE '99001%'"
        ).fetchone()[0]
        account_no = f"99001{count + 1:05d}"
        self.db.execute(
            "INSERT INTO accounts (account_no, nik, name, balance, pin_hash, kind, wrong_pins, "
            "created_at) VALUES (?, ?, ?, 0, ?, 'personal', 0, ?)",
            [account_no, nik, name, pin_hash, now],
        )
        return account_no

    def add_merchant_account(self, account_no: str, name: str) -> bool:
        """Open a partner's settlement account (balance 0, a PIN nobody knows) unless it
        exists; False if it did. For a partner onboarded after the bank was seeded."""
        if self.account(account_no) is not None:
            return False
        self.db.execute(
            "INSERT OR IGNORE INTO accounts (account_no, nik, name, balance, pin_hash, kind, "
            "wrong_pins, created_at) VALUES (?, NULL, ?, 0, ?, 'merchant', 0, NULL)",
            [account_no, name, rules.hash_pin(secrets.token_hex(8))],
        )
        return True

    def total_balance(self) -> int:
        """The sum of every balance: money is only moved, never made, so this never changes."""
        return int(self.db.execute("SELECT COALESCE(SUM(balance), 0) FROM accounts").fetchone()[0])

    def ledger_totals(self) -> tuple[int, int]:
        """(sum of debits, sum of credits): double entry means they are always equal."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(CASE WHEN direction = 'D' THEN amount END), 0), "
            "COALESCE(SUM(CASE WHEN direction = 'C' THEN amount END), 0) FROM ledger"
        ).fetchone()
        return int(row[0]), int(row[1])

    def ledger_of(self, account_no: str) -> list[dict[str, Any]]:
        """An account's ledger rows, oldest first."""
        return list(
            self.db.query("SELECT * FROM ledger WHERE account_no = ? ORDER BY id", [account_no])
        )

    # -- money ---------------------------------------------------------------------------------

    def move_money(
        self,
        kind: str,
        from_account: str,
        to_account: str,
        amount: int,
        now: float,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Debit one account and credit another, with both ledger rows.

        Call inside `atomic()`. The CHECK on `balance` makes SQLite refuse an overdraft even if
        a rule upstream were wrong, and the surrounding transaction then undoes everything.
        Returns the movement: id, reference_no and the payer's balance after.
        """
        cursor = self.db.execute(
            "INSERT INTO movements (kind, from_account, to_account, amount, reference_no, note, "
            "created_at) VALUES (?, ?, ?, ?, '', ?, ?)",
            [kind, from_account, to_account, amount, note, now],
        )
        movement_id = cursor.lastrowid
        reference_no = f"990{movement_id:09d}"  # bank code + sequence: unique and readable
        self.db.execute(
            "UPDATE movements SET reference_no = ? WHERE id = ?", [reference_no, movement_id]
        )
        balances = {}
        for account_no, direction, delta in (
            (from_account, "D", -amount),
            (to_account, "C", amount),
        ):
            self.db.execute(
                "UPDATE accounts SET balance = balance + ? WHERE account_no = ?",
                [delta, account_no],
            )
            balance = self.db.execute(
                "SELECT balance FROM accounts WHERE account_no = ?", [account_no]
            ).fetchone()[0]
            balances[direction] = balance
            self.db.execute(
                "INSERT INTO ledger (movement_id, account_no, direction, amount, balance_after, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [movement_id, account_no, direction, amount, balance, now],
            )
        return {"id": movement_id, "reference_no": reference_no, "balance_after": balances["D"]}

    # -- idempotency (mobile app) ----------------------------------------------------------------

    def idempotent_result(self, account_no: str, key: str) -> dict[str, Any] | None:
        """The stored fingerprint and response of an earlier request with this key, or None."""
        rows = list(
            self.db.query(
                "SELECT fingerprint, response FROM idempotency WHERE account_no = ? AND key = ?",
                [account_no, key],
            )
        )
        if not rows:
            return None
        return {"fingerprint": rows[0]["fingerprint"], "response": json.loads(rows[0]["response"])}

    def remember_result(
        self, account_no: str, key: str, fingerprint: str, response: dict[str, Any], now: float
    ) -> None:
        """Store a request's result under its idempotency key (inside the same transaction)."""
        self.db.execute(
            "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?)",
            [account_no, key, fingerprint, json.dumps(response), now],
        )

    def movement(self, reference_no: str) -> dict[str, Any] | None:
        """A movement by its reference number, or None."""
        rows = list(self.db.query("SELECT * FROM movements WHERE reference_no = ?", [reference_no]))
        return rows[0] if rows else None
