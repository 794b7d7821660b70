"""Request and response bodies of the front desk, in plain snake_case JSON (its own dialect).

The payment notification from the bank is the exception: it is SNAP, in camelCase, because the
bank sends the same body to every biller.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NIK = Field(pattern=r"^[0-9]{16}$", examples=["9972013005720001"], description="16-digit NIK.")


class AdmissionRequest(BaseModel):
    """What the desk types from the patient's KTP, plus the visit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nik": "9972013005720001",
                    "name": "AGUS PRATAMA",
                    "birth_date": "1972-05-30",
                    "birth_place": "SUMBER JAYA",
                    "sex": "L",
                    "complaint": "Demam dan batuk tiga hari",
                    "icd10": "J06.9",
                    "service": "outpatient",
                    "consent": True,
                },
                {
                    "nik": "9972013005720001",
                    "name": "AGUS PRATAMA",
                    "birth_date": "1972-05-30",
                    "birth_place": "SUMBER JAYA",
                    "sex": "L",
                    "complaint": "Demam tinggi empat hari, bintik merah di kulit",
                    "icd10": "A91",
                    "service": "inpatient",
                    "requested_class": "1",
                    "consent": True,
                },
            ]
        },
    )

    nik: str = NIK
    name: str = Field(min_length=1, max_length=100)
    birth_date: date = Field(description="YYYY-MM-DD, as on the KTP.")
    birth_place: str = Field(min_length=1, max_length=60)
    sex: Literal["L", "P"] = Field(description="L (laki-laki) or P (perempuan), as on the KTP.")
    complaint: str = Field(min_length=1, max_length=500)
    icd10: str | None = Field(
        default=None,
        pattern=r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$",
        examples=["J06.9"],
        description="Initial diagnosis (ICD-10), when the doctor already gave one.",
    )
    service: Literal["outpatient", "inpatient"]
    requested_class: Literal["1", "2", "3", "VIP"] | None = Field(
        default=None,
        description="Inpatient only: the class the patient asks to stay in. One class above "
        'what the insurer covers ("naik kelas") is billed: the patient pays the difference.',
    )
    consent: bool = Field(
        default=True,
        description="False stops the desk before anyone is asked. The consent itself is the "
        "patient's: the desk asks the registry, and she approves in her IKD app.",
    )


class IdentityPart(BaseModel):
    """The registry's answer: match flags only, never the register's values."""

    verification_id: str | None
    fields: dict[str, str]


class PatientPart(BaseModel):
    ihs_number: str | None
    name: str = Field(description="As typed at the desk (and confirmed by the registry).")


class InsurancePart(BaseModel):
    status: str = Field(examples=["ACTIVE", "INACTIVE", "NOT_INSURED"])
    covered: bool
    reason: str | None = None
    card_no_last4: str | None = None
    class_: str | None = Field(default=None, alias="class", examples=["KELAS II"])
    upgrade_class: str | None = Field(
        default=None,
        examples=["KELAS I"],
        description="The higher class noted on the SEP, when the patient asked for one.",
    )
    sep_no: str | None = None

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RecordsPart(BaseModel):
    encounter_id: str | None
    condition_id: str | None = None


class BillPart(BaseModel):
    amount: int = Field(description="What the patient pays at the desk, in rupiah.")
    virtual_account_no: str | None
    status: str = Field(examples=["NONE", "UNPAID", "PAID"])
    reason: str | None = Field(
        default=None,
        examples=["class_upgrade", "not_covered"],
        description="Why there is a bill: the difference of a higher class, or no cover.",
    )
    expires_at: str | None = None


class DiagnosisRequest(BaseModel):
    """The doctor's diagnosis of an admitted visit."""

    model_config = ConfigDict(extra="forbid")

    icd10: str = Field(pattern=r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$", examples=["A91"])


class ConsentAck(BaseModel):
    """The desk's acknowledgement of a registry webhook."""

    event_id: str
    result: str = Field(examples=["admission_continued", "duplicate", "consent_declined"])


class ConsentPart(BaseModel):
    request_id: str | None = Field(
        default=None, description="The consent request put before the patient in her IKD app."
    )
    consent_id: str | None = Field(
        default=None, description="Quoted on every call about her, once she approved."
    )
    status: str | None = Field(
        default=None, examples=["PENDING", "ACTIVE", "DECLINED", "REVOKED", "EXPIRED"]
    )


class AdmissionSummary(BaseModel):
    """One admission as the desk's screen shows it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    admission_id: str
    status: str = Field(examples=["AWAITING_CONSENT", "ADMITTED", "INCOMPLETE", "REJECTED"])
    service: str
    nik_last4: str
    patient: PatientPart
    identity: IdentityPart
    insurance: InsurancePart | None
    records: RecordsPart
    consent: ConsentPart
    failure: dict[str, Any] | None = Field(
        default=None,
        description="How an admission the patient's approval started stopped: the error the "
        "desk would have answered (http_status, code, message, done, missing).",
    )
    bill: BillPart
    created_at: str


# --- SNAP payment notification (bank -> hospital) ---------------------------------------------
