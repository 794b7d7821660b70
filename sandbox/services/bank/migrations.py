"""The bank's tables, as `sqlite_utils.Migrations`: each change to the schema is one more
function, applied once to every database (a file made by an older sandbox catches up).

`TABLES` lists them children first, the order a reset deletes them in.
"""

from __future__ import annotations

import sqlite_utils

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
)
"""Every table, children before parents, so deleting in this order respects foreign keys (the
webhook outbox's own table, made by `wire/outbox.py`, is emptied after them)."""
