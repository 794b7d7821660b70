"""Stored rows turned into FHIR resources, the only shape the platform answers with.

Kept apart from `routes` so what leaves the platform is visible in one place: a Patient carries
its IHS number, a masked NIK, name, gender and birth date - nothing else.
"""

from __future__ import annotations

from typing import Any

from sandbox.services.records import rules

FHIR_BASE = "/fhir-r4/v1"


def patient(row: dict[str, Any]) -> dict[str, Any]:
    """A Patient with minimal demographics; the NIK shows only its last 4 digits."""
    return {
        "resourceType": "Patient",
        "id": row["ihs_number"],
        "identifier": [
            {"use": "official", "system": rules.NIK_SYSTEM, "value": rules.mask_nik(row["nik"])},
            {"use": "official", "system": rules.IHS_SYSTEM, "value": row["ihs_number"]},
        ],
        "name": [{"use": "official", "text": row["name"]}],
        "gender": row["gender"],
        "birthDate": row["birth_date"],
    }


def encounter(row: dict[str, Any]) -> dict[str, Any]:
    """An Encounter as stored."""
    period = {"start": row["period_start"]}
    if row.get("period_end"):
        period["end"] = row["period_end"]
    return {
        "resourceType": "Encounter",
        "id": row["encounter_id"],
        "identifier": [
            {"system": rules.encounter_system(row["org_id"]), "value": row["identifier_value"]}
        ],
        "status": row["status"],
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": row["class_code"],
        },
        "subject": {"reference": f"Patient/{row['ihs_number']}"},
        "participant": row["participant"],
        "period": period,
        "statusHistory": row["status_history"],
        "serviceProvider": {"reference": f"Organization/{row['org_id']}"},
    }


def condition(row: dict[str, Any]) -> dict[str, Any]:
    """A Condition with its one ICD-10 coding."""
    coding: dict[str, Any] = {"system": rules.ICD10_SYSTEM, "code": row["icd10"]}
    if row.get("display"):
        coding["display"] = row["display"]
    return {
        "resourceType": "Condition",
        "id": row["condition_id"],
        "code": {"coding": [coding]},
        "subject": {"reference": f"Patient/{row['ihs_number']}"},
        "encounter": {"reference": f"Encounter/{row['encounter_id']}"},
    }


def bundle(kind: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of `resources`, each with its full URL."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"fullUrl": f"{FHIR_BASE}/{kind}/{r['id']}", "resource": r} for r in resources],
    }
