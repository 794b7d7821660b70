"""Request and response bodies in the registry's dialect (Dukcapil's field names).

Field names stay as Dukcapil writes them (`nama_lgkp` = nama lengkap, full name; `tmpt_lhr` =
tempat lahir, birthplace; `tgl_lhr` = tanggal lahir, birth date; `jenis_klmin` = jenis kelamin,
sex; `kab_name` = kabupaten/kota). Every string has a maximum length and unknown fields are
refused, so a typo such as `nama_lengkap` fails loudly instead of being silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sandbox.services.identity.rules import DEFAULT_THRESHOLD, VERIFY_FIELDS, Flag

NIK_EXAMPLE = "9971015403960001"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- consents ----------------------------------------------------------------------------------


class ConsentWithdrawn(BaseModel):
    """A consent the person took back; it can no longer cover a verification."""

    consent_id: str = Field(examples=["CNS-20240301-000001"])
    status: Literal["WITHDRAWN"] = "WITHDRAWN"
    withdrawn_at: str = Field(examples=["2024-03-01T16:00:00+07:00"])


# --- verification ------------------------------------------------------------------------------


class VerifyRequest(_Body):
    """What the partner already holds; the registry answers match or no match per field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nik": NIK_EXAMPLE,
                    "consent_id": "CNS-20240301-000001",
                    "purpose": "SELLER_KYC",
                    "threshold": 80,
                    "nama_lgkp": "SARI WULANDARI",
                    "tmpt_lhr": "BANDAR CONTOH",
                    "tgl_lhr": "14-03-1996",
                    "jenis_klmin": "PEREMPUAN",
                }
            ]
        },
    )

    nik: str = Field(min_length=1, max_length=64)
    consent_id: str = Field(min_length=1, max_length=40)
    purpose: str = Field(min_length=1, max_length=40)
    threshold: int = Field(
        default=DEFAULT_THRESHOLD,
        ge=50,
        le=100,
        description="Name similarity (percent) needed for nama_lgkp to be SESUAI. Below 50 "
        "almost any name would match, so the registry refuses it.",
    )
    nama_lgkp: str | None = Field(default=None, min_length=1, max_length=100)
    tmpt_lhr: str | None = Field(default=None, min_length=1, max_length=60)
    tgl_lhr: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$",
        description="dd-mm-yyyy, e.g. 14-03-1996.",
    )
    jenis_klmin: Literal["LAKI-LAKI", "PEREMPUAN"] | None = None
    alamat: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Street line, e.g. Jl. Melati No. 12.",
    )
    kab_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Regency or city, e.g. KOTA BANDAR CONTOH.",
    )

    def sent_fields(self) -> dict[str, str]:
        """The person fields the partner actually sent, in a fixed order."""
        sent = self.model_dump(include=set(VERIFY_FIELDS), exclude_none=True)
        return {name: sent[name] for name in VERIFY_FIELDS if name in sent}


class VerifyResult(BaseModel):
    """Match flags for the fields sent, never the register's values."""

    verification_id: str = Field(examples=["VRF-20240301-000001"])
    nik_last4: str = Field(examples=["0001"])
    found: bool
    reason: Literal["NIK_NOT_FOUND"] | None = Field(
        default=None, description="Set when the NIK is not in the register."
    )
    fields: dict[str, Flag] = Field(examples=[{"nama_lgkp": "SESUAI", "tgl_lhr": "SESUAI"}])
    name_score: int | None = Field(
        default=None, ge=0, le=100, description="0-100; null when nama_lgkp was not sent."
    )
    threshold: int = Field(examples=[80])
    purpose: str = Field(examples=["SELLER_KYC"])
    consent_id: str = Field(examples=["CNS-20240301-000001"])


# --- admin -------------------------------------------------------------------------------------


class PersonRequest(_Body):
    """A birth or a new resident entered by registry staff (fixtures and lessons only)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nik": "9971016502240001",
                    "name": "ANISA PUTRI",
                    "birth_place": "BANDAR CONTOH",
                    "birth_date": "2024-02-25",
                    "sex": "P",
                    "district_code": "997101",
                    "street": "Jl. Melati No. 12",
                }
            ]
        },
    )

    nik: str = Field(min_length=1, max_length=64)
    kk: str | None = Field(default=None, pattern=r"^[0-9]{16}$", description="Family card number.")
    name: str = Field(min_length=1, max_length=100)
    birth_place: str = Field(min_length=1, max_length=60)
    birth_date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="YYYY-MM-DD.")
    sex: Literal["L", "P"]
    district_code: str = Field(pattern=r"^[0-9]{6}$", description="District of registration.")
    street: str = Field(min_length=1, max_length=120)
    rt: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    rw: str | None = Field(default=None, pattern=r"^[0-9]{3}$")
    village: str | None = Field(default=None, max_length=60)
    phone: str | None = Field(default=None, max_length=30)
    occupation: str | None = Field(default=None, max_length=60)
    marital: str | None = Field(default=None, max_length=30)


class PersonRegistered(BaseModel):
    """Acknowledgement of a registration (no copy of the row)."""

    nik_last4: str = Field(examples=["0001"])
    district_code: str = Field(examples=["997101"])
    registered_at: str = Field(examples=["2024-03-01T15:00:00+07:00"])


class AgreementStatus(_Body):
    """Suspend, revoke or reactivate a partner's agreement."""

    status: Literal["ACTIVE", "SUSPENDED", "REVOKED"]


class AgreementChanged(BaseModel):
    """The agreement's new status."""

    partner: str = Field(examples=["marketplace"])
    status: str = Field(examples=["SUSPENDED"])


class PartnerUsage(BaseModel):
    """One partner's line in the semester usage report."""

    partner: str
    client_id: str
    purpose: str
    status: str
    quota: int
    calls: int = Field(description="Authenticated calls, refused or not (the billable count).")
    verifications: int = Field(description="Verifications answered.")


class UsageReport(BaseModel):
    """Usage per partner for one semester (partners owe this report every six months)."""

    semester: str = Field(examples=["2024-1"])
    partners: list[PartnerUsage]
