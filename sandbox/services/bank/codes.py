"""One-time codes: the bank texts one to the customer, the partner sends back what she typed.

A code confirms one thing (a binding, or a debit above the limit without one) and lives five
minutes. It is kept only as a keyed hash. Three wrong codes end the attempt: the partner must
start again, which texts a new code, so nobody can try a million codes against one binding.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from sandbox.framework.errors import ApiError
from sandbox.services.bank import errors, rules, sms
from sandbox.services.bank.context import BankContext


def issue(
    bank: BankContext,
    reference_no: str,
    purpose: str,
    partner: str,
    phone: str | None,
    text: Callable[[str], str],
    now: float,
) -> float:
    """Make a code for `reference_no` and text it (call inside the transaction that makes
    what it confirms); returns when the code expires. `text(code)` is the SMS."""
    code = rules.new_code()
    expires_at = now + rules.CODE_SECONDS
    bank.store.insert_otp(
        reference_no,
        purpose,
        partner,
        rules.code_hash(bank.code_key, reference_no, code),
        expires_at,
    )
    sms.send(bank.store, phone, text(code), now)
    return expires_at


def pending(bank: BankContext, service: str, reference_no: str, partner: str) -> dict[str, Any]:
    """The code confirming `reference_no` for this partner; another partner's is not found."""
    otp = bank.store.otp(reference_no)
    if otp is None or otp["partner"] != partner:
        raise errors.not_found(
            service,
            "reference_not_found",
            f"No binding or debit {reference_no!r} of yours is waiting for a code; send the "
            "referenceNo the bank answered.",
        )
    return otp


def refusal(
    bank: BankContext, service: str, otp: dict[str, Any], typed: str, now: float
) -> ApiError | None:
    """Why the typed code is refused, or None if it is right. Call inside a transaction that
    will commit: a wrong code is counted (and the third one blocks) even though the request
    is refused, so the caller raises the error only after the transaction."""
    expected = rules.code_hash(bank.code_key, otp["reference_no"], typed)
    problem = rules.code_problem(otp, hmac.compare_digest(expected, otp["code_hash"]), now)
    what = "binding" if otp["purpose"] == "binding" else "debit"
    if problem is None:
        return None
    if problem == "used":
        return errors.invalid_transition(
            service,
            "otp_already_used",
            f"This code was already used and the {what} confirmed; a code works once.",
        )
    if problem == "blocked":
        return errors.code_blocked(
            service,
            f"This {what} was stopped after {rules.MAX_WRONG_CODES} wrong codes; "
            f"start the {what} again for a new code.",
        )
    if problem == "expired":
        return errors.code_expired(
            service,
            f"The code expired (codes last {rules.CODE_SECONDS // 60} minutes); "
            f"start the {what} again for a new code.",
        )
    last = problem == "last_wrong"
    bank.store.otp_wrong(otp["reference_no"], blocked=last)
    if last:
        return errors.code_blocked(
            service,
            f"Wrong code again ({rules.MAX_WRONG_CODES} in all): this {what} is "
            f"stopped. Start the {what} again for a new code.",
        )
    return errors.wrong_code(service, rules.MAX_WRONG_CODES - otp["wrong"] - 1)
