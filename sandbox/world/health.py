"""The hospital story's world: the hospital and its desk staff, insured members (some in
arrears, some not insured at all) and the health records of part of the population.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sandbox.world.sources import _WORLD_EPOCH, _secret

_CLINICS = [
    ("0301U001", "Klinik Pratama Sukamaju"),
    ("0301U002", "Puskesmas Bandar Barat"),
    ("0301U003", "Klinik Sumber Jaya Sehat"),
]
_CLASS_NAMES = {"1": "KELAS I", "2": "KELAS II", "3": "KELAS III"}
_STATUS_NAMES = {"0": "AKTIF", "2": "TIDAK AKTIF - TUNGGAKAN"}
_ICD10 = [
    ("J06.9", "Acute upper respiratory infection"),
    ("A09", "Infectious gastroenteritis"),
    ("I10", "Essential hypertension"),
    ("E11.9", "Type 2 diabetes mellitus"),
    ("K29.7", "Gastritis"),
    ("M54.5", "Low back pain"),
]


def _health(
    named: dict[str, Any],
    rng: random.Random,
    persons: list[dict[str, Any]],
    nik_of: dict[str, str],
    seed: int,
) -> dict[str, Any]:
    """Hospitals, insured members (some in arrears, some not insured) and health records."""
    by_nik = {p["nik"]: p for p in persons}
    members = []
    for m in named["insurance"]["members"]:
        members.append(
            _member(by_nik[nik_of[m["person"]]], m["card_no"], m["class"], m["status"], _CLINICS[0])
        )
    named_niks = set(nik_of.values())
    serial = 100
    for person in persons:
        if person["nik"] in named_niks or rng.random() > 0.7:
            continue  # about three in ten people are not insured
        serial += 1
        status = "2" if rng.random() < 0.15 else "0"
        members.append(
            _member(person, f"9999{serial:09d}", rng.choice("123"), status, rng.choice(_CLINICS))
        )
    patients: list[dict[str, Any]] = []
    encounters: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    keep = {nik_of[k] for k in named["records"]["patients"]}
    for person in persons:
        if person["nik"] in keep or (person["nik"] not in named_niks and rng.random() < 0.4):
            ihs = f"P{10_000_000_000 + len(patients) + 1:011d}"
            patients.append(
                {
                    "ihs_number": ihs,
                    "nik": person["nik"],
                    "name": person["name"],
                    "birth_date": person["birth_date"],
                    "gender": "female" if person["sex"] == "P" else "male",
                }
            )
            for _ in range(rng.choice([0, 0, 1, 2])):
                encounter_id = f"E{len(encounters) + 1:08d}"
                day = _WORLD_EPOCH - timedelta(days=rng.randint(30, 900))
                code, text = rng.choice(_ICD10)
                encounters.append(
                    {
                        "encounter_id": encounter_id,
                        "ihs_number": ihs,
                        "org_id": named["hospitals"][0]["org_id"],
                        "date": day.isoformat(),
                        "class": "AMB",
                    }
                )
                conditions.append(
                    {
                        "condition_id": f"C{len(conditions) + 1:08d}",
                        "encounter_id": encounter_id,
                        "ihs_number": ihs,
                        "icd10": code,
                        "display": text,
                    }
                )
    staff = [
        {**s, "token": "desk_" + _secret(seed, "desk", s["staff_id"])} for s in named["desk_staff"]
    ]
    return {
        "hospital": {"hospitals": named["hospitals"], "staff": staff},
        "insurance": {"members": members, "clinics": [{"code": c, "name": n} for c, n in _CLINICS]},
        "records": {
            "organizations": [
                {"org_id": h["org_id"], "name": h["name"]} for h in named["hospitals"]
            ],
            "patients": patients,
            "encounters": encounters,
            "conditions": conditions,
        },
    }


def _member(
    person: dict[str, Any], card_no: str, klass: str, status: str, clinic: tuple[str, str]
) -> dict[str, Any]:
    return {
        "card_no": card_no,
        "nik": person["nik"],
        "name": person["name"],
        "sex": person["sex"],
        "birth_date": person["birth_date"],
        "class": {"kode": klass, "keterangan": _CLASS_NAMES[klass]},
        "type": {"kode": "14", "keterangan": "PEKERJA PENERIMA UPAH"},
        "status": {"kode": status, "keterangan": _STATUS_NAMES[status]},
        "primary_care": {"kdProvider": clinic[0], "nmProvider": clinic[1]},
    }
