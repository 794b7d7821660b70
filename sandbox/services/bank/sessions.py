"""Customers log in to the bank's app with their account number and 6-digit PIN.

PINs are stored only as salted hashes. Five wrong PINs in a row lock the account, so a stolen
phone cannot try all million PINs. Sessions are random tokens stored by their hash.
"""

from __future__ import annotations

import secrets

from sandbox.framework.errors import ApiError
from sandbox.services.bank import rules
from sandbox.services.bank.context import BankContext
from sandbox.services.bank.schemas import SessionRequest

SESSION_SECONDS = 1800
"""An app session lasts 30 minutes of the bank's clock."""


def _locked() -> ApiError:
    return ApiError(
        403,
        "account_locked",
        f"This account is locked after "
        f"{rules.MAX_WRONG_PINS} wrong PINs in a row; visit a branch to unlock it "
        "(in the sandbox: `sandbox reset`).",
    )


async def log_in(bank: BankContext, body: SessionRequest) -> dict[str, str | int]:
    """Check the PIN and start a session; returns the session token."""
    account = bank.store.account(body.account_no)
    if account is None:
        raise ApiError(401, "wrong_credentials", "Account number or PIN is wrong.")
    if rules.is_locked(account["wrong_pins"]):
        raise _locked()
    # About 40 ms of hashing: on the bank's hashing thread, so the other institutions on this
    # loop keep serving (hashlib lets go of the GIL while it works).
    if not await bank.slowly(rules.pin_matches, body.pin, account["pin_hash"]):
        wrong = bank.store.record_wrong_pin(body.account_no)
        if rules.is_locked(wrong):
            raise _locked()
        left = rules.MAX_WRONG_PINS - wrong
        raise ApiError(
            401,
            "wrong_credentials",
            f"Account number or PIN is wrong; {left} more wrong PIN(s) will lock the account.",
            attempts_left=left,
        )
    bank.store.clear_wrong_pins(body.account_no)
    token = "sess_" + secrets.token_hex(16)  # the prefix lets trace redaction spot it
    bank.store.save_session(
        rules.token_hash(token), body.account_no, bank.clock() + SESSION_SECONDS
    )
    return {"session_token": token, "expires_in": SESSION_SECONDS}


def customer(bank: BankContext, authorization: str | None) -> str:
    """The account number behind `Authorization: Bearer <session_token>`, or a 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401,
            "missing_session",
            "Header 'Authorization: Bearer <session_token>' "
            "is required; log in at POST /mobile/v1/sessions.",
        )
    account_no = bank.store.session_account(rules.token_hash(token), bank.clock())
    if account_no is None:
        raise ApiError(
            401,
            "invalid_session",
            "The session is unknown or expired; log in again at POST /mobile/v1/sessions.",
        )
    return account_no
