"""Bodies of consent given by the person: a partner's request, her IKD app, the webhook.

Same conventions as `schemas`: snake_case as the registry writes it, every string bounded,
unknown fields refused.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NIK_EXAMPLE = "9971015403960001"
Scope = Literal["identity_verification", "health_records", "insurance_eligibility"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsentRequestCreate(_Body):
    """A partner asks the person, through her IKD app, for consent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "nik": NIK_EXAMPLE,
                    "purpose": "SELLER_KYC",
                    "scopes": ["identity_verification"],
                    "reason": "Verifikasi pemilik toko",
                }
            ]
        },
    )

    nik: str = Field(min_length=1, max_length=64, description="16-digit NIK of the person.")
    purpose: str = Field(min_length=1, max_length=40, description="Your agreement's purpose.")
    scopes: list[Scope] = Field(
        min_length=1, max_length=3, description="What the consent must cover."
    )
    reason: str | None = Field(
        default=None, max_length=120, description="Shown to her in the app, as plain text."
    )


class ConsentRequestView(BaseModel):
    """A consent request as the partner (or the person) sees it."""

    request_id: str = Field(examples=["CRQ-20240301-000001"])
    status: Literal["PENDING", "APPROVED", "DECLINED", "EXPIRED"]
    partner: str = Field(examples=["marketplace"])
    purpose: str = Field(examples=["SELLER_KYC"])
    scopes: list[str] = Field(examples=[["identity_verification"]])
    reason: str | None = None
    nik_last4: str = Field(examples=["0001"])
    created_at: str = Field(examples=["2024-03-01T15:00:00+07:00"])
    expires_at: str = Field(
        examples=["2024-03-01T15:15:00+07:00"], description="She must answer before this."
    )
    answered_at: str | None = None
    consent_id: str | None = Field(default=None, description="Set once she approved.")
    consent_valid_seconds: int = Field(
        examples=[86400],
        description="How long the consent lasts once she approves: her app tells her before "
        "she answers.",
    )


class ConsentView(BaseModel):
    """A consent the person gave: what, to whom, until when, and whether it still holds."""

    consent_id: str = Field(examples=["CNS-20240301-000001"])
    status: Literal["ACTIVE", "REVOKED", "EXPIRED"]
    partner: str = Field(examples=["hospital"])
    purpose: str = Field(examples=["PATIENT_ADMISSION"])
    scopes: list[str]
    nik_last4: str = Field(examples=["0001"])
    request_id: str | None = None
    granted_at: str = Field(examples=["2024-03-01T15:01:00+07:00"])
    expires_at: str = Field(examples=["2024-03-02T15:01:00+07:00"])
    revoked_at: str | None = None


class IntrospectionRequest(_Body):
    """A checker (records, insurance) asks whether a consent quoted to it covers its call."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "consent_id": "CNS-20240301-000001",
                    "nik": NIK_EXAMPLE,
                    "purpose": "PATIENT_ADMISSION",
                }
            ]
        },
    )

    consent_id: str = Field(min_length=1, max_length=40)
    nik: str = Field(min_length=1, max_length=64, description="Whom the call is about.")
    purpose: str = Field(min_length=1, max_length=40)


class IntrospectionResult(BaseModel):
    """Whether the consent covers the checker's call; never more than it needs."""

    consent_id: str
    active: bool = Field(description="True: the call may go ahead.")
    code: str | None = Field(default=None, description="Why not, when not active.")
    message: str | None = None
    partner: str | None = Field(default=None, description="Who holds the consent.")
    scopes: list[str] = []
    expires_at: str | None = None


class SessionRequest(_Body):
    """Log in to IKD with NIK and PIN."""

    nik: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=12)


class SessionCreated(BaseModel):
    """An IKD session: send `Authorization: Bearer <session_token>`."""

    session_token: str
    expires_in: int = Field(examples=[900])


class Notification(BaseModel):
    """One notice in her IKD app."""

    notification_id: str = Field(examples=["NTF-000001"])
    request_id: str | None
    title: str
    body: str
    status: str | None = Field(default=None, description="The request's status now.")
    created_at: str
