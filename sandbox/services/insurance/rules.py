"""The insurer's rules as plain functions: formats, membership status, SEP numbers, freshness.

They take plain values and return plain values, so each one has its own unit test and a lesson
can point at the exact line that refuses a patient.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from sandbox.dialects.nik import birth_digits_problem

WIB = timezone(timedelta(hours=7), "WIB")
FRESHNESS_SECONDS = 300
"""X-timestamp may be at most this far from the insurer's clock (the sandbox's 5 minutes)."""
ACTIVE = "0"
"""statusPeserta.kode of an active member; anything else (e.g. "2" arrears) is not covered."""
SERVICE_TYPES = {"1": "Rawat Inap", "2": "Rawat Jalan"}
"""jnsPelayanan: "1" inpatient, "2" outpatient."""
ICD10 = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?")
"""An ICD-10 code such as A09 or K35.8 (letter, two digits, optional dot and subcode)."""
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RAISED_CLASS_RANK = {"5": 3, "4": 2, "3": 1, "8": 0, "2": 0, "1": -1}
"""SEP 2.0 `klsRawatNaik` codes of room classes, ranked like `klsRawatHak` (lower is better):
"5" Kelas 3, "4" Kelas 2, "3" Kelas 1, "8" above Kelas 1, "2" VIP, "1" VVIP. "6" ICCU and
"7" ICU are intensive care, which a doctor orders; they are not a room a patient asks for."""


def nik_problem(nik: str) -> str | None:
    """Why `nik` is not a NIK (16 digits), or None if it is well formed."""
    if not nik.isascii() or not nik.isdigit():
        return f"NIK must contain digits only; got {len(nik)} characters with other symbols."
    if len(nik) != 16:
        return f"NIK must be 16 digits; got {len(nik)}."
    return birth_digits_problem(nik)


def card_problem(card: str) -> str | None:
    """Why `card` is not a card number (13 digits), or None if it is well formed."""
    if not card.isascii() or not card.isdigit() or len(card) != 13:
        return f"noKartu must be 13 digits; got {card[:20]!r}."
    return None


def parse_date(value: str) -> date | None:
    """A `yyyy-MM-dd` date, or None when the text is not one (2024-02-30 is not a date)."""
    if not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def timestamp_problem(value: str, now: float) -> str | None:
    """Why an X-timestamp is unacceptable (not Unix seconds, or not fresh), or None."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return "X-timestamp must be Unix seconds as digits, e.g. 1709280000."
    if abs(now - int(value)) > FRESHNESS_SECONDS:
        return (
            f"X-timestamp is more than {FRESHNESS_SECONDS} seconds away from the insurer's "
            "clock; sign with the current time."
        )
    return None


def is_active(status_code: str) -> bool:
    """Only an active member ("0" AKTIF) may get an SEP."""
    return status_code == ACTIVE


def inactive_message(status_code: str, status_text: str) -> str:
    """The explanation a front desk can read to the patient."""
    if status_code == "2":
        return (
            f"Status peserta {status_text}: the member has unpaid premiums (arrears), so no "
            "SEP can be issued until the arrears are paid. Treat the visit as uncovered."
        )
    return (
        f"Status peserta {status_text} (kode {status_code}): only active members (kode 0 "
        "AKTIF) can get an SEP."
    )


def sep_number(ppk_code: str, day: date, seq: int) -> str:
    """noSep = facility code (8) + month (2) + year (2) + "V" + sequence (6).

    Example: 0301R001 + 11 + 24 + V + 000001 = 0301R0011124V000001.
    """
    return f"{ppk_code}{day:%m%y}V{seq:06d}"


def today(now: float) -> date:
    """The calendar day in Indonesian time (dates on the wire are WIB)."""
    return datetime.fromtimestamp(now, WIB).date()


def upgrade_problem(
    service_type: str, entitled: str, raised: str, payer: str, guarantor: str
) -> str | None:
    """Why a class upgrade on an SEP cannot be filed as asked, or None (also for no upgrade).

    The insurer checks the form of "naik kelas": an inpatient stay, a room above the
    entitlement, and who pays the difference. How far a member may go up, and how much the
    difference is, are the hospital's to apply (it bills the member).
    """
    if not raised:
        return None
    if service_type != "1":
        return 'klsRawatNaik is for inpatient stays only (jnsPelayanan "1").'
    rank = RAISED_CLASS_RANK.get(raised)
    if rank is None:
        return f"klsRawatNaik {raised!r} is intensive care, not a room class a patient asks for."
    if rank >= int(entitled):
        return (
            f"klsRawatNaik {raised!r} is not above the member's class {entitled}; "
            "leave it empty when the class is not raised."
        )
    if not payer or not guarantor.strip():
        return "A raised class needs pembiayaan and penanggungJawab: who pays the difference."
    return None
