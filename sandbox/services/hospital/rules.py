"""The front desk's domain rules as plain functions: what to ask, what counts as covered, money.

Nothing here touches the database or HTTP, so each rule can be read (and unit-tested) alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

WIB = timezone(timedelta(hours=7), "WIB")
VA_HOURS = 24
"""An unpaid bill's virtual account stays payable for a day."""
NAME_THRESHOLD = 80
"""How similar (percent) the typed name must be to the register's to count as SESUAI."""
SEX_AT_REGISTRY = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
"""The desk types L/P (as on the KTP); the registry spells the words out."""
SERVICE_CODES = {"inpatient": "1", "outpatient": "2"}
"""VClaim `jnsPelayanan`: "1" rawat inap (inpatient), "2" rawat jalan (outpatient)."""
ACTIVE = "0"
"""VClaim `statusPeserta.kode` of an active member; anything else (arrears...) is not active."""


# -- identity ----------------------------------------------------------------------------------


def registry_fields(name: str, birth_place: str, birth_date: date, sex: str) -> dict[str, str]:
    """What the desk sends the civil registry to verify, in Dukcapil's field names."""
    return {
        "nama_lgkp": name.strip().upper(),
        "tmpt_lhr": birth_place.strip().upper(),
        "tgl_lhr": birth_date.strftime("%d-%m-%Y"),
        "jenis_klmin": SEX_AT_REGISTRY[sex],
    }


def identity_mismatches(sent: Mapping[str, str], answer: Mapping[str, Any]) -> list[str]:
    """The fields the registry did not confirm; an unknown NIK confirms none of them."""
    if answer.get("reason") == "NIK_NOT_FOUND" or not answer.get("found", True):
        return list(sent)
    flags = answer.get("fields") or {}
    return [name for name in sent if flags.get(name) != "SESUAI"]


# -- insurance ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the insurer's eligibility answer means for this visit."""

    status: str
    """ACTIVE, INACTIVE (e.g. arrears) or NOT_INSURED."""
    covered: bool
    reason: str | None
    """Why not covered, in the insurer's own words when it gave some."""
    card_no: str | None = None
    class_code: str | None = None
    class_name: str | None = None


def coverage(peserta: Mapping[str, Any] | None) -> Coverage:
    """Covered only for an active member; arrears or no membership means the patient pays."""
    if peserta is None:
        return Coverage("NOT_INSURED", False, "Peserta tidak ditemukan (not a member)")
    status = peserta.get("statusPeserta") or {}
    klass = peserta.get("hakKelas") or {}
    common = {
        "card_no": peserta.get("noKartu"),
        "class_code": klass.get("kode"),
        "class_name": klass.get("keterangan"),
    }
    if str(status.get("kode")) == ACTIVE:
        return Coverage("ACTIVE", True, None, **common)
    return Coverage("INACTIVE", False, str(status.get("keterangan") or "not active"), **common)


def patient_share(covered: bool, tariff: int) -> int:
    """What the patient pays at the desk: nothing when covered, else the full tariff."""
    return 0 if covered else tariff


# -- ids, time and money -----------------------------------------------------------------------


def admission_id(day: str, seq: int) -> str:
    """ADM-YYYYMMDD-NNNNNN: from a sequence, so the same seed gives the same ids."""
    return f"ADM-{day}-{seq:06d}"


def customer_no(admission: str) -> str:
    """The VA's customerNo: the admission id's digits (SNAP allows up to 20 digits)."""
    return re.sub(r"\D", "", admission)


def wib_day(epoch: float) -> str:
    """YYYYMMDD in Jakarta time (for ids)."""
    return datetime.fromtimestamp(epoch, WIB).strftime("%Y%m%d")


def wib_date(epoch: float) -> str:
    """yyyy-MM-dd in Jakarta time: the VClaim `tglSEP` of a visit happening now."""
    return datetime.fromtimestamp(epoch, WIB).date().isoformat()


def wib_iso(epoch: float) -> str:
    """SNAP time: 2024-03-01T15:00:00+07:00."""
    return datetime.fromtimestamp(epoch, WIB).isoformat(timespec="seconds")


def utc_iso(epoch: float) -> str:
    """FHIR time at SATUSEHAT: UTC with +00:00 (WIB minus 7 hours)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def snap_amount(rupiah: int) -> dict[str, str]:
    """Money on a SNAP wire: {"value": "150000.00", "currency": "IDR"}."""
    return {"value": f"{rupiah}.00", "currency": "IDR"}


_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,15})\.00")


def parse_snap_amount(value: str) -> int | None:
    """Integer rupiah from "150000.00", or None if malformed (cents are refused, not rounded)."""
    match = _AMOUNT.fullmatch(value)
    return int(match.group(1)) if match else None


def token_hash(token: str) -> str:
    """Desk tokens are kept hashed, so a copy of the database cannot log anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()
