"""Request and response bodies of the front desk, in plain snake_case JSON (its own dialect).

The payment notification from the bank is the exception: it is SNAP, in camelCase, because the
bank sends the same body to every biller.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NIK = Field(pattern=r"^\d{16}$", examples=["9972013005720001"], description="16-digit NIK.")


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
                }
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
        pattern=r"^[A-Z]\d{2}(\.\d{1,2})?$",
        examples=["J06.9"],
        description="Initial diagnosis (ICD-10), when the doctor already gave one.",
    )
    service: Literal["outpatient", "inpatient"]
    consent: bool = Field(description="The patient agreed to be checked at the back ends.")


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
    sep_no: str | None = None

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class RecordsPart(BaseModel):
    encounter_id: str | None
    condition_id: str | None = None


class BillPart(BaseModel):
    amount: int = Field(description="What the patient pays at the desk, in rupiah.")
    virtual_account_no: str | None
    status: str = Field(examples=["NONE", "UNPAID", "PAID"])
    expires_at: str | None = None


class AdmissionSummary(BaseModel):
    """One admission as the desk's screen shows it."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    admission_id: str
    status: str = Field(examples=["ADMITTED", "INCOMPLETE", "REJECTED"])
    service: str
    nik_last4: str
    patient: PatientPart
    identity: IdentityPart
    insurance: InsurancePart | None
    records: RecordsPart
    bill: BillPart
    created_at: str


# --- SNAP payment notification (bank -> hospital) ---------------------------------------------


class SnapAmount(BaseModel):
    value: str = Field(max_length=20, examples=["150000.00"])
    currency: Literal["IDR"] = "IDR"


class FlagReason(BaseModel):
    english: str = Field(default="", max_length=200)
    indonesia: str = Field(default="", max_length=200)


class PaymentNotification(BaseModel):
    """SNAP `transfer-va/payment` body (service 25), sent by the bank when a VA is paid."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "partnerServiceId": "   77001",
                    "customerNo": "20240301000001",
                    "virtualAccountNo": "   7700120240301000001",
                    "virtualAccountName": "RINA KUSUMA",
                    "trxId": "ADM-20240301-000001",
                    "paymentRequestId": "PRQ000001",
                    "paidAmount": {"value": "150000.00", "currency": "IDR"},
                    "totalAmount": {"value": "150000.00", "currency": "IDR"},
                    "trxDateTime": "2024-03-01T15:10:00+07:00",
                    "referenceNo": "REF0001",
                    "paymentFlagStatus": "00",
                    "paymentFlagReason": {"english": "Success", "indonesia": "Sukses"},
                }
            ]
        },
    )

    partner_service_id: str = Field(alias="partnerServiceId", max_length=8)
    customer_no: str = Field(alias="customerNo", max_length=20)
    virtual_account_no: str = Field(alias="virtualAccountNo", max_length=28)
    virtual_account_name: str = Field(default="", alias="virtualAccountName", max_length=255)
    trx_id: str | None = Field(default=None, alias="trxId", max_length=64)
    payment_request_id: str = Field(alias="paymentRequestId", min_length=1, max_length=128)
    paid_amount: SnapAmount = Field(alias="paidAmount")
    total_amount: SnapAmount | None = Field(default=None, alias="totalAmount")
    trx_date_time: str | None = Field(default=None, alias="trxDateTime", max_length=32)
    reference_no: str | None = Field(default=None, alias="referenceNo", max_length=64)
    payment_flag_status: str = Field(default="00", alias="paymentFlagStatus", max_length=2)
    payment_flag_reason: FlagReason | None = Field(default=None, alias="paymentFlagReason")


class PaymentAck(BaseModel):
    """The biller's answer: 2002500 for a new payment and for a duplicate alike."""

    model_config = ConfigDict(populate_by_name=True)

    response_code: str = Field(alias="responseCode", examples=["2002500"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    code: str = Field(examples=["payment_recorded"])
    message: str
    virtual_account_data: dict[str, Any] = Field(alias="virtualAccountData")
