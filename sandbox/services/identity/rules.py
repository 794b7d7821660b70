"""The civil registry's rules as plain functions: NIK layout, name matching, agreements, consent.

Nothing here touches HTTP or SQL, so each rule can be read (and unit-tested) on its own. The
routes call these and turn a refusal into an error in the registry's dialect.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

WIB = timezone(timedelta(hours=7), "WIB")
"""The registry keeps Indonesian local time (Western Indonesia Time, UTC+7)."""

CONSENT_SECONDS = 24 * 3600
"""A consent lets a partner verify one person for one purpose during 24 hours."""
DEFAULT_THRESHOLD = 80
"""Name similarity (percent) needed for `nama_lgkp` to be SESUAI when the partner sends none."""
VERIFY_FIELDS = ("nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin", "alamat", "kab_name")
"""Every field a partner may ask about; its agreement lists the ones it may actually use."""
SEX_CODES = {"LAKI-LAKI": "L", "PEREMPUAN": "P"}
"""The wire says LAKI-LAKI / PEREMPUAN; the register stores L / P, as the NIK encodes it."""

Flag = Literal["SESUAI", "TIDAK SESUAI"]
MATCH: Flag = "SESUAI"
NO_MATCH: Flag = "TIDAK SESUAI"


# --- NIK -------------------------------------------------------------------------------------


class NikError(ValueError):
    """A NIK that cannot be a real one; the message says exactly which part is wrong."""


@dataclass(frozen=True, slots=True)
class NikParts:
    """A decoded NIK: `PP KK CC DDMMYY SSSS`."""

    province: str
    """First 2 digits, e.g. "99" (the sandbox's own, unofficial province)."""
    regency: str
    """First 4 digits: province + regency or city."""
    district: str
    """First 6 digits: the district (kecamatan) where the person was first registered."""
    birth_date: date
    sex: Literal["L", "P"]
    """Women add 40 to the day of birth, so the NIK itself tells the sex."""
    serial: int
    """Last 4 digits: counts people with the same district and birth date, from 0001."""


def parse_nik(nik: str, known_districts: Collection[str], today: date) -> NikParts:
    """Decode a NIK or raise `NikError` naming the part that is wrong.

    Args:
        nik: the 16-digit number as sent.
        known_districts: 6-digit district codes of the region table.
        today: used to pick the century of the two-digit birth year (never in the future).
    """
    if len(nik) != 16:
        raise NikError(f"NIK must be 16 digits; got {len(nik)}.")
    if not nik.isascii() or not nik.isdigit():
        raise NikError("NIK must contain digits only (no spaces, dots or letters).")
    province, regency, district = nik[:2], nik[:4], nik[:6]
    if not any(code.startswith(province) for code in known_districts):
        raise NikError(f"NIK province code {province!r} (digits 1-2) is unknown.")
    if not any(code.startswith(regency) for code in known_districts):
        raise NikError(f"NIK regency/city code {regency!r} (digits 1-4) is unknown.")
    if district not in known_districts:
        raise NikError(f"NIK district code {district!r} (digits 1-6) is unknown.")
    birth_date, sex = _birth_part(nik[6:12], today)
    serial = int(nik[12:])
    if serial == 0:
        raise NikError("NIK serial (digits 13-16) must start at 0001; 0000 is never issued.")
    return NikParts(province, regency, district, birth_date, sex, serial)


def _birth_part(ddmmyy: str, today: date) -> tuple[date, Literal["L", "P"]]:
    """Birth date and sex from digits 7-12, with the women's +40 rule."""
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    plus40 = " (women's days are the day of birth + 40, so 41-71; men's are 01-31)"
    if day == 0 or 32 <= day <= 40 or day > 71:
        raise NikError(f"NIK birth day {day:02d} (digits 7-8) is impossible{plus40}.")
    sex: Literal["L", "P"] = "P" if day > 40 else "L"
    real_day = day - 40 if sex == "P" else day
    if not 1 <= month <= 12:
        raise NikError(f"NIK birth month {month:02d} (digits 9-10) must be 01-12.")
    # Two digits of year: the latest century that does not put the birth in the future.
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    try:
        born = date(year, month, real_day)
    except ValueError:
        shown = f"{day:02d} = {real_day:02d} + 40" if sex == "P" else f"{day:02d}"
        raise NikError(
            f"NIK birth date {real_day:02d}-{month:02d}-{year} does not exist (day digits {shown})."
        ) from None
    if born > today:
        raise NikError(f"NIK birth date {born:%d-%m-%Y} is in the future.")
    return born, sex


def nik_problem(nik: str, known_districts: Collection[str], now: float) -> str | None:
    """What is wrong with a NIK on the registry's clock (the `NikError` message), or None."""
    try:
        parse_nik(nik, known_districts, datetime.fromtimestamp(now, WIB).date())
    except NikError as exc:
        return str(exc)
    return None


def wib_day(now: float) -> str:
    """YYYYMMDD in Indonesian time, used inside consent and request ids."""
    return datetime.fromtimestamp(now, WIB).strftime("%Y%m%d")


def mask_nik(nik: str) -> str:
    """Only the last 4 digits of a NIK ever reach a log or a response."""
    return "*" * 12 + nik[-4:]


# --- Matching the fields a partner already holds ---------------------------------------------

_NAME_TITLES = frozenset({"DR", "DRS", "DRA", "IR", "H", "HJ", "PROF", "KH", "HAJI", "HAJJAH"})
"""Titles written before a name; they are not part of the name in the register."""


def normalise_text(text: str) -> str:
    """Upper case, punctuation as spaces, one space: "Jl. Melati  No.12" -> "JL MELATI NO 12"."""
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", text.upper()).split())


def normalise_name(name: str) -> str:
    """A name as the register writes it: no academic degrees (after a comma), no titles."""
    # Degrees follow a comma in Indonesian usage: "SITI AMINAH, S.FARM" -> "SITI AMINAH".
    words = normalise_text(name.split(",", 1)[0]).split()
    while words and words[0] in _NAME_TITLES:
        words = words[1:]
    return " ".join(words)


def name_score(sent: str, stored: str) -> int:
    """How alike two names are, 0-100 (difflib ratio of the normalised names)."""
    a, b = normalise_name(sent), normalise_name(stored)
    if not a or not b:
        return 0
    return round(difflib.SequenceMatcher(None, a, b).ratio() * 100)


def _address(text: str) -> str:
    """Street lines compare with the usual abbreviations spelled one way."""
    words = normalise_text(text).split()
    spelled = {"JALAN": "JL", "GANG": "GG", "NOMOR": "NO", "NOMER": "NO"}
    return " ".join(spelled.get(w, w) for w in words)


def _regency(text: str) -> str:
    """Regency names compare with "KAB" spelled out."""
    words = normalise_text(text).split()
    if words and words[0] == "KAB":
        words[0] = "KABUPATEN"
    return " ".join(words)


def parse_dmy(text: str) -> date:
    """A dd-mm-yyyy date (Dukcapil's format); ValueError if it does not exist."""
    return datetime.strptime(text, "%d-%m-%Y").date()


def compare_fields(
    sent: Mapping[str, str], person: Mapping[str, Any] | None, threshold: int
) -> tuple[dict[str, Flag], int | None]:
    """Flag each sent field SESUAI or TIDAK SESUAI against the stored person.

    Only the fields in `sent` get a flag, and no stored value is returned: the partner learns
    whether what it holds is right, never what the register holds (verify, not fetch).

    Returns:
        The flags, and the name score (None when no name was sent; 0 for an unknown NIK).
    """
    score = None
    if "nama_lgkp" in sent:
        score = name_score(sent["nama_lgkp"], person["name"]) if person else 0
    if person is None:
        return {field: NO_MATCH for field in sent}, score
    checks: dict[str, Callable[[str], bool]] = {
        "nama_lgkp": lambda v: score is not None and score >= threshold,
        "tmpt_lhr": lambda v: normalise_text(v) == normalise_text(person["birth_place"]),
        "tgl_lhr": lambda v: parse_dmy(v).isoformat() == person["birth_date"],
        "jenis_klmin": lambda v: SEX_CODES.get(v.upper()) == person["sex"],
        "alamat": lambda v: _address(v) == _address(person["street"]),
        "kab_name": lambda v: _regency(v) == _regency(person["regency"]),
    }
    flags: dict[str, Flag] = {}
    for field, value in sent.items():
        flags[field] = MATCH if checks[field](value) else NO_MATCH
    return flags, score


# --- Agreements (PKS), quota and consent -----------------------------------------------------


def semester_of(epoch: float) -> str:
    """The usage-report period of a moment: "2024-1" (January-June) or "2024-2"."""
    moment = datetime.fromtimestamp(epoch, WIB)
    return f"{moment.year}-{1 if moment.month <= 6 else 2}"


def agreement_problem(agreement: Mapping[str, Any], now: float) -> tuple[str, str] | None:
    """Why an authenticated partner may not use the registry now: (code, message), or None."""
    status = agreement["status"]
    if status == "SUSPENDED":
        return "agreement_suspended", "Your data-access agreement is suspended; contact Dukcapil."
    if status == "REVOKED":
        return "agreement_revoked", "Your data-access agreement has been revoked."
    if status != "ACTIVE":
        return "agreement_inactive", f"Your data-access agreement is {status}, not ACTIVE."
    today = datetime.fromtimestamp(now, WIB).date()
    if today > date.fromisoformat(agreement["valid_until"]):
        return (
            "agreement_expired",
            f"Your data-access agreement ended on {agreement['valid_until']}; renew it.",
        )
    return None


def quota_left(agreement: Mapping[str, Any], calls_before: int) -> bool:
    """True while the calls made this semester, before this one, stay under the quota."""
    return calls_before < int(agreement["quota"])


def consent_problem(
    consent: Mapping[str, Any] | None, partner: str, nik: str, purpose: str, now: float
) -> tuple[int, str, str] | None:
    """Why a consent does not cover this verification: (status, code, message), or None."""
    if consent is None or consent["partner"] != partner:
        # Another partner's consent is reported as missing, not as "someone else's".
        return (
            404,
            "consent_not_found",
            "No consent with this consent_id exists for you; ask the person with "
            "POST /v1/consent-requests first (she approves in her IKD app).",
        )
    if consent["withdrawn_at"] is not None:
        return 403, "consent_withdrawn", "The person withdrew this consent; ask for a new one."
    if now >= consent["expires_at"]:
        return (
            403,
            "consent_expired",
            "This consent has expired (consents last 24 hours); record a new one.",
        )
    if consent["nik"] != nik:
        return 403, "consent_nik_mismatch", "This consent was given for another NIK."
    if consent["purpose"] != purpose:
        return (
            403,
            "consent_purpose_mismatch",
            f"This consent was given for purpose {consent['purpose']}, not {purpose}.",
        )
    return None


# --- Consent the person gives in her IKD app ---------------------------------------------------

REQUEST_SECONDS = 15 * 60
"""A consent request waits 15 minutes for her answer; then the partner must ask again."""
SCOPES = ("identity_verification", "health_records", "insurance_eligibility")
"""What a consent may cover: the registry's check, her health records, her insurance status."""
PURPOSE_SCOPES: dict[str, frozenset[str]] = {
    "SELLER_KYC": frozenset({"identity_verification"}),
    "ACCOUNT_OPENING": frozenset({"identity_verification"}),
    "PATIENT_ADMISSION": frozenset(SCOPES),
}
"""The scopes a purpose may ask for: a shop's KYC never reaches her health records."""
CHECKER_SCOPES: dict[str, str] = {"records": "health_records", "insurance": "insurance_eligibility"}
"""Institutions that check consents quoted to them (purpose CONSENT_CHECK), and the scope a
consent must hold for them to act on it."""
CONSENT_CHECK = "CONSENT_CHECK"


def scope_problem(purpose: str, scopes: Collection[str]) -> str | None:
    """Why these scopes cannot be asked for this purpose, or None."""
    allowed = PURPOSE_SCOPES.get(purpose, frozenset())
    for scope in scopes:
        if scope not in SCOPES:
            return f"Unknown scope {scope!r}; scopes are {', '.join(SCOPES)}."
        if scope not in allowed:
            return f"Purpose {purpose} may not ask for scope {scope!r}."
    return None


def request_status(request: Mapping[str, Any], now: float) -> str:
    """PENDING, APPROVED, DECLINED, or EXPIRED (a pending request nobody answered in time)."""
    status = str(request["status"])
    if status == "PENDING" and now >= request["expires_at"]:
        return "EXPIRED"
    return status


def consent_status(consent: Mapping[str, Any], now: float) -> str:
    """ACTIVE, REVOKED (she withdrew it) or EXPIRED."""
    if consent["withdrawn_at"] is not None:
        return "REVOKED"
    if now >= consent["expires_at"]:
        return "EXPIRED"
    return "ACTIVE"


def introspection_problem(
    consent: Mapping[str, Any] | None, nik: str, purpose: str, scope: str, now: float
) -> tuple[str, str] | None:
    """Why a consent quoted to a checker (records, insurance) does not cover the call: (code,
    message), or None. The person's approval is required: a partner's own word is not consent."""
    if consent is None:
        return "consent_not_found", "No consent with this id exists."
    if consent.get("source") != "person":
        return "consent_not_given_by_person", "This consent was not approved by the person."
    status = consent_status(consent, now)
    if status == "REVOKED":
        return "consent_revoked", "The person revoked this consent in her IKD app."
    if status == "EXPIRED":
        return "consent_expired", "This consent has expired; the partner must ask again."
    if consent["nik"] != nik:
        return "consent_nik_mismatch", "This consent was given for another person."
    if consent["purpose"] != purpose:
        return (
            "consent_purpose_mismatch",
            f"This consent was given for purpose {consent['purpose']}, not {purpose}.",
        )
    if scope not in (consent.get("scopes") or []):
        return "consent_scope_missing", f"This consent does not cover {scope}."
    return None
