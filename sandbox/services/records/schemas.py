"""FHIR R4 bodies as SATUSEHAT accepts them, reduced to the elements the sandbox uses.

Field names are FHIR's own camelCase (`birthDate`, `serviceProvider`, `statusHistory`), mapped to
snake_case Python names with aliases. Every string has a maximum length and every list a
maximum size. Elements the sandbox does not use (`meta`, `text`, `location`...) are ignored, as
on a FHIR server that does not support them - and an address or phone sent with a Patient is
dropped, because the platform keeps only minimal demographics.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NIK_EXAMPLE = "9971015403960001"


class _Element(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class Identifier(_Element):
    """A business identifier: which numbering `system`, and the `value` in it."""

    use: str | None = Field(default=None, max_length=20)
    system: str = Field(min_length=1, max_length=200)
    value: str = Field(min_length=1, max_length=64)


class Reference(_Element):
    """A literal reference to another resource: `Patient/P10000000001`."""

    reference: str = Field(min_length=1, max_length=100)
    display: str | None = Field(default=None, max_length=200)


class HumanName(_Element):
    """A person's name; the sandbox uses `text` (the full name as written)."""

    use: str | None = Field(default=None, max_length=20)
    text: str = Field(min_length=1, max_length=100)


class Coding(_Element):
    """A code from a code system."""

    system: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=40)
    display: str | None = Field(default=None, max_length=200)


class CodeableConcept(_Element):
    """Codings plus free text."""

    coding: list[Coding] = Field(min_length=1, max_length=10)
    text: str | None = Field(default=None, max_length=200)


class Period(_Element):
    """A start and optional end, ISO-8601 with an offset (the platform stores UTC)."""

    start: str = Field(min_length=1, max_length=40)
    end: str | None = Field(default=None, max_length=40)


class Participant(_Element):
    """Who took part in the visit: `individual` references a Practitioner."""

    type: list[CodeableConcept] | None = Field(default=None, max_length=5)
    individual: Reference


class StatusHistoryEntry(_Element):
    """One step of the visit and when it happened."""

    status: Literal["arrived", "in-progress", "finished"]
    period: Period


# --- Patient -----------------------------------------------------------------------------------


class PatientCreate(_Element):
    """A new patient, known by NIK; the platform answers with its IHS number."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "resourceType": "Patient",
                    "identifier": [
                        {
                            "use": "official",
                            "system": "https://fhir.kemkes.go.id/id/nik",
                            "value": NIK_EXAMPLE,
                        }
                    ],
                    "name": [{"use": "official", "text": "SARI WULANDARI"}],
                    "gender": "female",
                    "birthDate": "1996-03-14",
                }
            ]
        },
    )

    resource_type: Literal["Patient"] = Field(alias="resourceType")
    identifier: list[Identifier] = Field(min_length=1, max_length=5)
    name: list[HumanName] = Field(min_length=1, max_length=3)
    gender: Literal["male", "female"]
    birth_date: str = Field(
        alias="birthDate", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD."
    )


# --- Encounter ---------------------------------------------------------------------------------


class EncounterCreate(_Element):
    """A visit at the caller's own facility."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "resourceType": "Encounter",
                    "identifier": [
                        {
                            "system": "http://sys-ids.kemkes.go.id/encounter/10000001",
                            "value": "ADM-000001",
                        }
                    ],
                    "status": "arrived",
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "AMB",
                        "display": "ambulatory",
                    },
                    "subject": {"reference": "Patient/P10000000001", "display": "AGUS PRATAMA"},
                    "participant": [{"individual": {"reference": "Practitioner/N10000001"}}],
                    "period": {"start": "2024-03-01T08:00:00+00:00"},
                    "statusHistory": [
                        {"status": "arrived", "period": {"start": "2024-03-01T08:00:00+00:00"}}
                    ],
                    "serviceProvider": {"reference": "Organization/10000001"},
                }
            ]
        },
    )

    resource_type: Literal["Encounter"] = Field(alias="resourceType")
    identifier: list[Identifier] = Field(min_length=1, max_length=5)
    status: Literal["arrived", "in-progress", "finished"]
    class_: Coding = Field(alias="class", description="AMB outpatient, IMP inpatient, EMER.")
    subject: Reference
    participant: list[Participant] = Field(min_length=1, max_length=10)
    period: Period
    status_history: list[StatusHistoryEntry] = Field(
        alias="statusHistory", min_length=1, max_length=3
    )
    service_provider: Reference = Field(alias="serviceProvider")


# --- Condition ---------------------------------------------------------------------------------


class ConditionCreate(_Element):
    """One diagnosis (exactly one ICD-10 code) made during an encounter."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "resourceType": "Condition",
                    "code": {
                        "coding": [
                            {
                                "system": "http://hl7.org/fhir/sid/icd-10",
                                "code": "J06.9",
                                "display": "Acute upper respiratory infection",
                            }
                        ]
                    },
                    "subject": {"reference": "Patient/P10000000001"},
                    "encounter": {"reference": "Encounter/E00000001"},
                }
            ]
        },
    )

    resource_type: Literal["Condition"] = Field(alias="resourceType")
    clinical_status: CodeableConcept | None = Field(default=None, alias="clinicalStatus")
    category: list[CodeableConcept] | None = Field(default=None, max_length=5)
    code: CodeableConcept
    subject: Reference
    encounter: Reference


# --- token -------------------------------------------------------------------------------------


class AccessToken(BaseModel):
    """The token reply, SATUSEHAT style (`expires_in` and `issued_at` are strings)."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: str = Field(examples=["3599"])
    issued_at: str = Field(examples=["1709280000000"], description="Milliseconds since 1970.")
    organization_name: str = Field(examples=["RSUD Sukamaju"])
    client_id: str


class Bundle(BaseModel):
    """A search result: `total` matches, each in `entry[].resource`."""

    resource_type: Literal["Bundle"] = Field(default="Bundle", alias="resourceType")
    type: Literal["searchset"] = "searchset"
    total: int
    entry: list[dict[str, Any]] = Field(default_factory=list)

    model_config = ConfigDict(populate_by_name=True)
