"""The bank's database: the only module with SQL.

Money is integer rupiah. Every movement writes one `movements` row and two `ledger` rows (a
debit and a credit of the same amount) and updates both balances in the same transaction, so
the sum of all balances never changes and no balance can go negative (a CHECK constraint
guards that too). Callers group several steps into one transaction with `store.atomic()`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils

from sandbox.services.bank import rules
from sandbox.wire.storage import insert_row

migrations = sqlite_utils.Migrations("bank")


@migrations()
def create_tables(db: sqlite_utils.Database) -> None:
    """The first schema of the bank."""
    db.execute("""CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""")
    db.execute("""CREATE TABLE accounts (
        account_no TEXT PRIMARY KEY,
        nik TEXT UNIQUE,                    -- NULL for merchant (company) accounts
        name TEXT NOT NULL,
        balance INTEGER NOT NULL CHECK (balance >= 0),
        pin_hash TEXT NOT NULL,
        kind TEXT NOT NULL,                 -- personal | merchant
        wrong_pins INTEGER NOT NULL DEFAULT 0,
        created_at REAL)""")
    db.execute("""CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY, partner TEXT NOT NULL, expires_at REAL NOT NULL)""")
    db.execute("""CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, account_no TEXT NOT NULL REFERENCES accounts(account_no),
        expires_at REAL NOT NULL)""")
    db.execute("""CREATE TABLE external_ids (
        partner TEXT NOT NULL, external_id TEXT NOT NULL, day TEXT NOT NULL,
        path TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (partner, external_id, day))""")
    db.execute("""CREATE TABLE vas (
        virtual_account_no TEXT PRIMARY KEY,
        digits TEXT NOT NULL UNIQUE,        -- the number without padding, as customers type it
        partner TEXT NOT NULL,
        partner_service_id TEXT NOT NULL,
        customer_no TEXT NOT NULL,
        name TEXT NOT NULL,
        trx_id TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        expired_date TEXT NOT NULL,         -- as the biller sent it
        expires_at REAL NOT NULL,
        additional_info TEXT,
        merchant_account_no TEXT NOT NULL REFERENCES accounts(account_no),
        status TEXT NOT NULL,      -- UNPAID | PAID | DELETED | REVERSED (EXPIRED is computed)
        created_at REAL NOT NULL,
        paid_at REAL, paid_amount INTEGER, payment_request_id TEXT UNIQUE, reference_no TEXT,
        deleted_at REAL)""")
    db.execute("""CREATE TABLE movements (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,                 -- va_payment | transfer
        from_account TEXT NOT NULL REFERENCES accounts(account_no),
        to_account TEXT NOT NULL REFERENCES accounts(account_no),
        amount INTEGER NOT NULL CHECK (amount > 0),
        reference_no TEXT NOT NULL UNIQUE,
        note TEXT,
        created_at REAL NOT NULL)""")
    db.execute("""CREATE TABLE ledger (
        id INTEGER PRIMARY KEY,
        movement_id INTEGER NOT NULL REFERENCES movements(id),
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        direction TEXT NOT NULL CHECK (direction IN ('D', 'C')),
        amount INTEGER NOT NULL CHECK (amount > 0),
        balance_after INTEGER NOT NULL,
        created_at REAL NOT NULL)""")
    db.execute("""CREATE TABLE idempotency (
        account_no TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
        response TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (account_no, key))""")


@migrations()
def add_reversals(db: sqlite_utils.Database) -> None:
    """A paid VA whose biller refused the payment for good is reversed: when, and the movement
    that returned the money."""
    db.execute("ALTER TABLE vas ADD COLUMN reversed_at REAL")
    db.execute("ALTER TABLE vas ADD COLUMN reversal_reference_no TEXT")


@migrations()
def add_phones(db: sqlite_utils.Database) -> None:
    """Each person's phone number with her account (`rules.phone_key` form): the bank texts
    one-time codes and debit notices there. Filled from the seed by `BankStore`."""
    db.execute("ALTER TABLE accounts ADD COLUMN phone TEXT")
    db.execute("CREATE INDEX accounts_by_phone ON accounts (phone)")


@migrations()
def add_bindings(db: sqlite_utils.Database) -> None:
    """Account binding (a partner may debit a customer's account), the one-time codes that
    confirm it, and the SMS the bank sends to customers' phones."""
    db.execute("""CREATE TABLE sms (
        id INTEGER PRIMARY KEY,
        phone TEXT NOT NULL,                -- rules.phone_key form
        text TEXT NOT NULL,                 -- exactly what her phone shows
        sent_at REAL NOT NULL)""")
    db.execute("CREATE INDEX sms_by_phone ON sms (phone, id)")
    db.execute("""CREATE TABLE bindings (
        id INTEGER PRIMARY KEY,
        reference_no TEXT NOT NULL UNIQUE,  -- the bank's reference, given to the partner
        partner TEXT NOT NULL,              -- the partner's service name
        partner_reference_no TEXT NOT NULL,
        customer_id TEXT NOT NULL,          -- the partner's own id for the customer
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        status TEXT NOT NULL,               -- PENDING | ACTIVE | FAILED | REVOKED
        token_hash TEXT UNIQUE,             -- sha256 of the token the partner holds
        limit_without_code INTEGER NOT NULL,
        created_at REAL NOT NULL,
        activated_at REAL, revoked_at REAL, revoked_by TEXT)""")
    db.execute("CREATE INDEX bindings_by_account ON bindings (account_no, status)")
    db.execute("""CREATE TABLE otps (
        reference_no TEXT PRIMARY KEY,      -- the binding or debit this code confirms
        purpose TEXT NOT NULL,              -- binding | debit
        partner TEXT NOT NULL,
        code_hash TEXT NOT NULL,            -- keyed hash (rules.code_hash), never the code
        expires_at REAL NOT NULL,
        wrong INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL)               -- PENDING | USED | BLOCKED""")


@migrations()
def add_debits(db: sqlite_utils.Database) -> None:
    """Direct debits of bound accounts, and their refunds."""
    db.execute("""CREATE TABLE debits (
        id INTEGER PRIMARY KEY,
        reference_no TEXT NOT NULL UNIQUE,  -- the bank's reference, given to the partner
        partner TEXT NOT NULL,
        partner_reference_no TEXT NOT NULL, -- the partner's own (the marketplace's order id)
        binding_id INTEGER NOT NULL REFERENCES bindings(id),
        account_no TEXT NOT NULL REFERENCES accounts(account_no),
        merchant_account_no TEXT NOT NULL REFERENCES accounts(account_no),
        amount INTEGER NOT NULL CHECK (amount > 0),
        status TEXT NOT NULL,               -- PENDING (a code was texted) | SUCCESS | FAILED
        failed_reason TEXT,
        movement_reference_no TEXT,         -- the movement that took the money
        refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
        answer_status INTEGER NOT NULL,     -- the answer a repeated request gets (replay)
        answer TEXT NOT NULL,
        created_at REAL NOT NULL, paid_at REAL)""")
    # One live debit per partner reference: a retry finds the first; only a debit that failed
    # (its code was wrong three times or too late) leaves the reference free for a new try.
    db.execute(
        "CREATE UNIQUE INDEX debits_live ON debits (partner, partner_reference_no) "
        "WHERE status != 'FAILED'"
    )
    db.execute("""CREATE TABLE refunds (
        id INTEGER PRIMARY KEY,
        refund_no TEXT NOT NULL UNIQUE,     -- the bank's reference
        partner TEXT NOT NULL,
        partner_refund_no TEXT NOT NULL,
        debit_id INTEGER NOT NULL REFERENCES debits(id),
        amount INTEGER NOT NULL CHECK (amount > 0),
        movement_reference_no TEXT NOT NULL,
        answer TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (partner, partner_refund_no))""")


TABLES = (
    "kyc_applications",  # kyc_applications.py
    "refunds",
    "debits",
    "otps",
    "bindings",
    "sms",
    "idempotency",
    "ledger",
    "movements",
    "vas",
    "external_ids",
    "sessions",
    "tokens",
    "accounts",
    "meta",
    "_outbox",
)
"""Every table, children before parents, so deleting in this order respects foreign keys."""


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


class BankStore(PhoneTexts, DirectDebits):
    """Accounts, tokens, sessions, virtual accounts and the ledger of one bank."""

    def __init__(self, db: sqlite_utils.Database, seed: dict[str, Any]) -> None:
        self.db = db
        migrations.apply(db)
        if self.db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0:
            with self.db.atomic():
                self._insert_seed(seed)
        else:
            self._fill_phones(seed)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction: everything inside happens, or (on any exception) nothing does."""
        with self.db.atomic():
            yield

    # -- seeding -------------------------------------------------------------------------------

    def reset(self, seed: dict[str, Any]) -> None:
        """Forget everything and restore the seeded world, in one transaction."""
        with self.db.atomic():
            for table in TABLES:
                if self.db[table].exists():
                    self.db.execute(f"DELETE FROM [{table}]")
            self._insert_seed(seed)

    def _insert_seed(self, seed: dict[str, Any]) -> None:
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

    def _fill_phones(self, seed: dict[str, Any]) -> None:
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

    # -- virtual accounts ----------------------------------------------------------------------

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

    def movement(self, reference_no: str) -> dict[str, Any] | None:
        """A movement by its reference number, or None."""
        rows = list(self.db.query("SELECT * FROM movements WHERE reference_no = ?", [reference_no]))
        return rows[0] if rows else None

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
