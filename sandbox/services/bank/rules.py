"""The bank's domain rules as plain functions: money on the wire, VA numbers, PINs, KYC.

Nothing here touches the database or HTTP, so each rule can be read (and unit-tested) alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from sandbox.dialects.common import WIB
from sandbox.framework import pins

# -- money -------------------------------------------------------------------------------------

CURRENCY = "IDR"
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,15})\.([0-9]{2})")


def parse_amount(value: str) -> int | None:
    """Integer rupiah from a SNAP amount string such as "185000.00", or None if malformed.

    SNAP always sends two decimals. Rupiah has no coins smaller than Rp1 in use, so the sandbox
    refuses any cents other than ".00" rather than rounding money silently.
    """
    match = _AMOUNT.fullmatch(value)
    if match is None or match.group(2) != "00":
        return None
    return int(match.group(1))


def format_amount(rupiah: int) -> dict[str, str]:
    """The SNAP wire form of an integer rupiah amount: {"value": "185000.00", "currency": "IDR"}."""
    return {"value": f"{rupiah}.00", "currency": CURRENCY}


# -- time --------------------------------------------------------------------------------------


def wib_iso(epoch: float) -> str:
    """Local Jakarta time with its offset, as SNAP writes it: 2024-03-01T15:00:00+07:00."""
    return datetime.fromtimestamp(epoch, WIB).isoformat(timespec="seconds")


def wib_day(epoch: float) -> str:
    """The calendar day in Jakarta (WIB): X-EXTERNAL-ID must be unique per partner per day."""
    return datetime.fromtimestamp(epoch, WIB).date().isoformat()


def parse_expiry(value: str) -> float | None:
    """Unix seconds from an ISO-8601 `expiredDate` that carries an offset, else None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # "10:30" without an offset could be Jakarta or UTC: refuse to guess
    return moment.timestamp()


# -- phones -----------------------------------------------------------------------------------

_PHONE_TYPED = re.compile(r"\+?[0-9]{8,15}")


def phone_key(typed: str | None) -> str | None:
    """A phone number as the bank compares it, `+62` then the national number, or None.

    People write one number many ways: `+62 812-0000-0001`, `0812 0000 0001`, `(0812) 00000001`.
    Spaces, dashes, dots and brackets go; a leading `62` or trunk `0` is the country's or the
    network's, not the subscriber's, so it goes too.
    """
    if not typed:
        return None
    compact = re.sub(r"[\s().\-]", "", typed)
    if not _PHONE_TYPED.fullmatch(compact) or not compact.isascii():
        return None
    digits = compact.lstrip("+")
    national = digits[2:] if digits.startswith("62") else digits
    national = national.lstrip("0")
    return f"+62{national}" if len(national) >= 6 else None


def mask_phone(key: str) -> str:
    """A phone number as a partner may show it back: `+62*******0001`."""
    national = key.removeprefix("+62")
    return "+62" + "*" * (len(national) - 4) + national[-4:]


def mask_account(account_no: str) -> str:
    """An account number as a partner may show it: `******0001`."""
    return "*" * (len(account_no) - 4) + account_no[-4:]


# -- one-time codes and direct debit ----------------------------------------------------------

CODE_SECONDS = 300
"""A one-time code sent by SMS can be typed for 5 minutes of the bank's clock."""
MAX_WRONG_CODES = 3
"""The third wrong code ends the attempt: the partner must start the binding (or debit) again."""
LIMIT_WITHOUT_CODE = 250_000
"""A bound account may be debited up to this many rupiah without a code: the sandbox's own
figure (real banks set their own, often per customer). Above it the bank texts a code."""
MAX_DEBIT = 10_000_000
"""No single direct debit may take more than this (the sandbox's own figure, again)."""

CodeProblem = Literal["used", "blocked", "expired", "wrong", "last_wrong"]


def new_code() -> str:
    """Six random digits, from the operating system's secure generator."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(key: bytes, reference_no: str, code: str) -> str:
    """How the bank keeps a code: an HMAC under a key drawn when the bank starts, so the
    million possible codes cannot be tried against a copy of the table."""
    return hmac.new(key, f"{reference_no}:{code}".encode(), hashlib.sha256).hexdigest()


def code_problem(otp: Mapping[str, Any], matches: bool, now: float) -> CodeProblem | None:
    """What is wrong with a typed code, in the order the customer should hear it, or None.

    `last_wrong`: wrong, and no tries are left after it.
    """
    if otp["status"] == "USED":
        return "used"
    if otp["status"] == "BLOCKED":
        return "blocked"
    if now >= otp["expires_at"]:
        return "expired"
    if not matches:
        return "last_wrong" if otp["wrong"] + 1 >= MAX_WRONG_CODES else "wrong"
    return None


DebitProblem = Literal["over_maximum", "insufficient_funds"]
DEBIT_STATES = {
    "SUCCESS": ("00", "Success"),
    "PENDING": ("03", "Pending"),
    "REFUNDED": ("04", "Refunded"),
    "FAILED": ("06", "Failed"),
}
"""SNAP `latestTransactionStatus` and its words for each state of a debit."""


def debit_problem(amount: int, balance: int) -> DebitProblem | None:
    """Why a debit of `amount` must be refused outright, or None."""
    if amount > MAX_DEBIT:
        return "over_maximum"
    if balance < amount:
        return "insufficient_funds"
    return None


def needs_code(amount: int, limit_without_code: int) -> bool:
    """Above the binding's limit the customer confirms each debit with a texted code."""
    return amount > limit_without_code


def debit_state(debit: Mapping[str, Any], code_expires_at: float | None, now: float) -> str:
    """A debit's state right now: a pending one whose code expired has failed, and one given
    back in full is refunded (computed when asked, like a VA's expiry)."""
    if debit["status"] == "PENDING" and code_expires_at is not None and now >= code_expires_at:
        return "FAILED"
    if debit["status"] == "SUCCESS" and debit["refunded"] >= debit["amount"]:
        return "REFUNDED"
    return str(debit["status"])


def binding_token() -> str:
    """The token a partner holds for a bound account (the prefix lets trace redaction spot
    it anywhere, as it does session tokens)."""
    return "tok_" + secrets.token_hex(24)


def rupiah_id(amount: int) -> str:
    """Rupiah as an Indonesian SMS writes it: Rp185.000."""
    return "Rp" + f"{amount:,}".replace(",", ".")


# -- SNAP headers ------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")


def external_id_ok(value: str) -> bool:
    """X-EXTERNAL-ID is numeric and at most 36 characters long."""
    return len(value) <= 36 and bool(_DIGITS.fullmatch(value))


def channel_id_ok(value: str) -> bool:
    """CHANNEL-ID is exactly 5 characters (SNAP channel codes such as 95221)."""
    return len(value) == 5 and value.isascii() and value.isalnum()


# -- virtual accounts --------------------------------------------------------------------------

VaState = Literal["UNPAID", "PAID", "EXPIRED", "DELETED", "REVERSED"]
"""REVERSED: paid, then the biller refused the payment for good and the money went back."""
FLAG_PAID, FLAG_UNPAID, FLAG_GONE = "00", "01", "02"
"""SNAP `paymentFlagStatus`: paid, not paid yet, or no longer payable (expired/deleted)."""


def va_number(partner_service_id: str, customer_no: str) -> str:
    """The VA number: the biller's 8-character prefix (space-padded) then the customer number."""
    return partner_service_id.rjust(8) + customer_no


def va_digits(virtual_account_no: str) -> str:
    """What a customer types in the app: the VA number without the padding spaces."""
    return "".join(virtual_account_no.split())


def va_state(stored_status: str, expires_at: float, now: float) -> VaState:
    """The VA's state right now: an unpaid VA past its expiry date is EXPIRED.

    Expiry is computed when asked rather than by a background job, so a VA is never payable
    for a few seconds after its deadline just because a job had not run yet.
    """
    if stored_status == "UNPAID" and now >= expires_at:
        return "EXPIRED"
    return stored_status  # type: ignore[return-value]


def payment_flag(state: VaState) -> str:
    """The SNAP `paymentFlagStatus` for a VA state."""
    return {"PAID": FLAG_PAID, "UNPAID": FLAG_UNPAID}.get(state, FLAG_GONE)


PaymentProblem = Literal[
    "va_deleted", "va_already_paid", "va_expired", "wrong_amount", "insufficient_funds"
]


def payment_problem(state: VaState, bill: int, offered: int, balance: int) -> PaymentProblem | None:
    """Why a customer's payment of `offered` rupiah to a VA must be refused, or None.

    Closed VA: it is paid once, for exactly the billed amount, before it expires. The checks
    run in this order so the customer hears the most useful reason first.
    """
    if state in ("DELETED", "REVERSED"):
        return "va_deleted"
    if state == "PAID":
        return "va_already_paid"
    if state == "EXPIRED":
        return "va_expired"
    if offered != bill:
        return "wrong_amount"
    if balance < offered:
        return "insufficient_funds"
    return None


# -- PINs and sessions -------------------------------------------------------------------------

MAX_WRONG_PINS = 5
"""After this many wrong PINs in a row the account is locked (as mobile banking apps do)."""

# A PIN is kept only as its slow, salted hash, the same way the registry keeps the IKD PIN
# (sandbox/framework/pins.py explains the rounds).
hash_pin = pins.hash_pin
pin_matches = pins.pin_matches


def is_locked(wrong_pins: int) -> bool:
    """An account with too many wrong PINs in a row refuses every login."""
    return wrong_pins >= MAX_WRONG_PINS


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not hand out live sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- idempotency -------------------------------------------------------------------------------


def fingerprint(body: Mapping[str, Any]) -> str:
    """A stable hash of a request body, to tell "the same request again" from a different one."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# -- KYC at the civil registry -----------------------------------------------------------------

SEX_TO_REGISTRY = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
MATCH = "SESUAI"


def registry_fields(
    name: str, birth_place: str, birth_date: date, sex: str, address: str | None
) -> dict[str, str]:
    """What the applicant typed, in the registry's field names and formats (dd-mm-yyyy)."""
    fields = {
        "nama_lgkp": name,
        "tmpt_lhr": birth_place,
        "tgl_lhr": birth_date.strftime("%d-%m-%Y"),
        "jenis_klmin": SEX_TO_REGISTRY[sex],
    }
    if address:
        fields["alamat"] = address
    return fields


def kyc_mismatches(sent: Mapping[str, str], answered: Mapping[str, str]) -> list[str]:
    """Fields we sent that the registry did not confirm (a missing answer counts as no match)."""
    return [name for name in sent if answered.get(name) != MATCH]


TransferProblem = Literal["same_account", "insufficient_funds"]


def transfer_problem(
    from_account: str, to_account: str, balance: int, amount: int
) -> TransferProblem | None:
    """Why a transfer between two accounts of this bank must be refused, or None."""
    if from_account == to_account:
        return "same_account"
    if balance < amount:
        return "insufficient_funds"
    return None
