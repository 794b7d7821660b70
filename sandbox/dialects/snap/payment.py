"""The bank's SNAP payment notification, as every biller receives it (service 25).

The marketplace and the hospital are both billers at the bank: the bank calls the same
`POST /v1.0/transfer-va/payment` on each with the same body, and each answers in the same SNAP
form. The body, the acknowledgement and the SNAP errors live here once, beside the signature
check (`sandbox.dialects.snap.notification_problem`); each biller keeps what it does with a
payment.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.dialects import snap
from sandbox.framework.errors import ApiError
from sandbox.wire import attribution

SNAP_PAYMENT_SERVICE = "25"
"""SNAP service code of the payment notification: the middle of every responseCode."""


class SnapAmount(BaseModel):
    value: str = Field(max_length=20, examples=["185000.00"])
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
                    "partnerServiceId": "   88001",
                    "customerNo": "240301000001",
                    "virtualAccountNo": "   88001240301000001",
                    "virtualAccountName": "Sari Wulandari",
                    "trxId": "240301000001",
                    "paymentRequestId": "PAY-0001",
                    "paidAmount": {"value": "185000.00", "currency": "IDR"},
                    "totalAmount": {"value": "185000.00", "currency": "IDR"},
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


def openapi_body(model: type[BaseModel] = PaymentNotification) -> dict[str, Any]:
    """The notification's request body for `openapi_extra`: the route reads the raw bytes
    (the signature covers them), so FastAPI cannot document the model by itself. Nested models
    are inlined, as the Swagger UI shows them best. (Another SNAP notification's `model` too.)"""
    schema = model.model_json_schema(by_alias=True)
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }


def parse(raw: bytes) -> PaymentNotification:
    """The SNAP body; errors become SNAP 4002501 (format) / 4002502 (mandatory field)."""
    try:
        return PaymentNotification.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise bad_field(field, missing=first["type"] == "missing") from None


def ack(note: PaymentNotification, code: str, message: str) -> dict[str, Any]:
    """The 2002500 acknowledgement (also for a duplicate, which changed nothing)."""
    return {
        "responseCode": "2002500",
        "responseMessage": "Successful",
        "code": code,
        "message": message,
        "virtualAccountData": {
            "partnerServiceId": note.partner_service_id,
            "customerNo": note.customer_no,
            "virtualAccountNo": note.virtual_account_no,
            "virtualAccountName": note.virtual_account_name,
            "trxId": note.trx_id,
            "paymentRequestId": note.payment_request_id,
            "paidAmount": note.paid_amount.model_dump(),
            "paymentFlagStatus": note.payment_flag_status,
        },
    }


def snap_error(
    status: int,
    case: str,
    response_message: str,
    code: str,
    message: str,
    *,
    service: str = SNAP_PAYMENT_SERVICE,
    **extra: Any,
) -> ApiError:
    """An error in SNAP form: responseCode = HTTP status + service (25 unless another
    notification's, such as the direct debit's 56) + case."""
    return ApiError(
        status,
        code,
        message,
        responseCode=f"{status}{service}{case}",
        responseMessage=response_message,
        **extra,
    )


def unauthorized(code: str, message: str) -> ApiError:
    """4012500: the notification's partner id, timestamp or signature is wrong."""
    return snap_error(401, "00", "Unauthorized. " + message, code, message)


class NotificationGate:
    """What a biller holds to check that a notification really comes from its bank.

    The bank signs with the notification secret it shares with the biller (`holds["bank"]`):
    base64 HMAC-SHA512 over "POST:path:lowerhex(sha256(minified body)):X-TIMESTAMP". There is no
    nonce to remember: a replayed notification carries a paymentRequestId already recorded, and
    SNAP says to acknowledge such a duplicate without any effect.
    """

    def __init__(
        self, holds: Mapping[str, Any] | None, clock: Callable[[], float], bank: str = "bank"
    ) -> None:
        creds = dict(holds or {})
        self.bank = bank
        """The bank's service name, which the trace records for a verified notification."""
        self.partner_id = str(creds.get("partner_id", ""))
        self.secret = str(creds.get("notification_secret", ""))
        self.clock = clock

    def problem(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[str, str] | None:
        """Why this notification is not our bank's, as (code, message), or None."""
        return snap.notification_problem(
            partner_id=self.partner_id,
            secret=self.secret,
            method=method,
            path=path,
            headers=headers,
            body=body,
            now=self.clock(),
        )

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> None:
        """Raise a SNAP 401 (4012500) naming the problem, or return if all is well."""
        problem = self.problem(method, path, headers, body)
        if problem:
            raise unauthorized(*problem)
        attribution.verified(self.bank)  # the only party holding our notification secret


def bad_field(field: str, missing: bool, service: str = SNAP_PAYMENT_SERVICE) -> ApiError:
    """4002502 (mandatory field missing) or 4002501 (bad format); another notification's
    service code in the middle when given (4005602, 4005601 for the direct debit's)."""
    if missing:
        return snap_error(
            400,
            "02",
            f"Invalid Mandatory Field {field}",
            "missing_field",
            f"Field '{field}' is required.",
            service=service,
            field=field,
        )
    return snap_error(
        400,
        "01",
        f"Invalid Field Format {field}",
        "invalid_field",
        f"Field '{field}' has the wrong format.",
        service=service,
        field=field,
    )
