"""The front desk's domain rules as plain functions: what to ask, what counts as covered, money.

Nothing here touches the database or HTTP, so each rule can be read (and unit-tested) alone.
"""

from __future__ import annotations

import hashlib
import json
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


def patient_share(covered: bool, tariff: int, difference: int = 0) -> int:
    """What the patient pays at the desk: the full tariff when not covered; when covered,
    nothing but the difference of a higher class the patient asked for (`upgrade_difference`)."""
    return difference if covered else tariff


# -- a higher class: "naik kelas" --------------------------------------------------------------
#
# JKN lets a member stay in a higher class than the entitlement if the difference is paid, by
# the member, the employer or a supplementary insurer: Perpres 82/2018 on Jaminan Kesehatan,
# Pasal 51(1)-(2). Pasal 51(3), as amended by Perpres 59/2024, excludes PBI members, members
# registered by a local government, PBPU and BP members with class III benefits, and PPU
# members laid off (with their families); in the sandbox every class III member is one of them.
# Permenkes 51/2018 (urun biaya and selisih biaya) allows one class above the entitlement
# (Pasal 10(5)) and sets the difference: from class II to class I, the INA-CBG tariff of
# class I minus that of class II; from class I to above class I (VIP), at most 75% of the
# INA-CBG tariff of class I. The desk applies these rules; the tariffs are the sandbox's own
# (`inpatient_class_tariff` of the hospital in fixtures/), not real INA-CBG figures.

ROOM_CLASSES = ("3", "2", "1", "VIP")
"""The inpatient classes a patient can stay in, lowest first (JKN entitlements are 1 to 3)."""
CLASS_NAMES = {"3": "KELAS III", "2": "KELAS II", "1": "KELAS I", "VIP": "VIP"}
"""A class as the insurer writes an entitlement (`hakKelas.keterangan`)."""
VCLAIM_RAISED_CLASS = {"2": "4", "1": "3", "VIP": "2"}
"""VClaim SEP 2.0 `klsRawatNaik` of a raised class: "4" Kelas 2, "3" Kelas 1, "2" VIP."""
ABOVE_CLASS_I_CAP_PERCENT = 75
"""Above class I the difference is at most 75% of the class I tariff (Permenkes 51/2018)."""


def upgrade_problem(entitled: str, requested: str) -> str | None:
    """Why a member entitled to class `entitled` may not stay in `requested`, or None.

    Asking for the entitled class itself is no upgrade and no problem.
    """
    if requested not in ROOM_CLASSES or entitled not in ROOM_CLASSES[:3]:
        return f"Unknown class: entitled {entitled!r}, requested {requested!r}."
    step = ROOM_CLASSES.index(requested) - ROOM_CLASSES.index(entitled)
    if step < 0:
        return (
            f"{CLASS_NAMES[requested]} is below the {CLASS_NAMES[entitled]} the insurer covers; "
            "requested_class is only for a higher class."
        )
    if step > 0 and entitled == "3":
        return (
            "A member entitled to KELAS III may not move up a class (Perpres 82/2018 Pasal "
            "51(3)); admit in KELAS III, or as a patient paying the whole tariff."
        )
    if step > 1:
        return (
            f"Only one class above the entitlement may be asked for (Permenkes 51/2018 Pasal "
            f"10(5)): from {CLASS_NAMES[entitled]} that is "
            f"{CLASS_NAMES[ROOM_CLASSES[ROOM_CLASSES.index(entitled) + 1]]}."
        )
    return None


def is_upgrade(entitled: str, requested: str | None) -> bool:
    """Whether `requested` is above the entitlement (only meaningful once it has no problem)."""
    return requested in ROOM_CLASSES and ROOM_CLASSES.index(requested) > ROOM_CLASSES.index(
        entitled
    )


def upgrade_difference(entitled: str, requested: str, tariff: Mapping[str, int]) -> int:
    """What the member pays for one class above the entitlement, in whole rupiah.

    To class I (or II): the class tariff minus the entitled class's tariff. Above class I:
    the difference too, but at most 75% of the class I tariff (rounded down: "at most").
    """
    difference = int(tariff[requested]) - int(tariff[entitled])
    if requested == "VIP":
        cap = int(tariff["1"]) * ABOVE_CLASS_I_CAP_PERCENT // 100
        difference = min(difference, cap)
    return max(difference, 0)


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


def request_fingerprint(body: Mapping[str, Any]) -> str:
    """A one-way fingerprint of an admission request, to tell a retry from another request
    sent with the same Idempotency-Key. It is not a copy: nothing can be read back from it."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def token_hash(token: str) -> str:
    """Desk tokens are kept hashed, so a copy of the database cannot log anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()
