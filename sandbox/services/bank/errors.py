"""The bank's error dialect, built in one place.

SNAP endpoints answer with `responseCode` = HTTP status (3 digits) + service code (2) + case
(2), e.g. 4012701 = 401 on create-va (27), case 01 "Invalid Token (B2B)", and a fixed English
`responseMessage`. Every error also carries the sandbox's own `code` (stable, snake_case) and
`message` (what went wrong and how to fix it), so any client can rely on those two fields.
The mobile app endpoints speak plain `{code, message}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sandbox.wire.errors import ApiError, describe_validation

SERVICE_CODES = {
    "/v1.0/access-token/b2b": "73",
    "/v1.0/transfer-va/status": "26",
    "/v1.0/transfer-va/create-va": "27",
    "/v1.0/transfer-va/delete-va": "31",
}
"""SNAP service code of each SNAP endpoint the bank serves (24 and 25 live at the biller)."""


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every bank error; SNAP's fields come first when present."""
    body: dict[str, Any] = {}
    if "responseCode" in extra:
        body["responseCode"] = extra["responseCode"]
        body["responseMessage"] = extra["responseMessage"]
    body.update(code=code, message=message)
    body.update({k: v for k, v in extra.items() if k not in body})
    return body


def success(service: str) -> dict[str, str]:
    """The SNAP success pair, e.g. {"responseCode": "2002700", "responseMessage": "Successful"}."""
    return {"responseCode": f"200{service}00", "responseMessage": "Successful"}


def snap_error(
    status: int, service: str, case: str, response_message: str, code: str, message: str
) -> ApiError:
    """An ApiError in SNAP form; raise it from an endpoint."""
    return ApiError(
        status,
        code,
        message,
        responseCode=f"{status}{service}{case}",
        responseMessage=response_message,
    )


# -- the SNAP cases the bank uses (DOMAIN.md's table) ------------------------------------------


def invalid_format(service: str, field: str, message: str) -> ApiError:
    """400xx01: a field or header is present but malformed."""
    return snap_error(
        400, service, "01", f"Invalid Field Format {field}", "invalid_field_format", message
    )


def missing_field(service: str, field: str, message: str | None = None) -> ApiError:
    """400xx02: a mandatory field or header is missing."""
    return snap_error(
        400,
        service,
        "02",
        f"Invalid Mandatory Field {field}",
        "invalid_mandatory_field",
        message or f"'{field}' is required.",
    )


def unauthorized(service: str, reason: str, code: str, message: str) -> ApiError:
    """401xx00: the request is not signed correctly (signature, timestamp, client, partner)."""
    return snap_error(401, service, "00", f"Unauthorized. {reason}", code, message)


def invalid_token(service: str, message: str) -> ApiError:
    """401xx01: the Bearer token is missing, unknown or expired; fetch a new one."""
    return snap_error(401, service, "01", "Invalid Token (B2B)", "invalid_token", message)


def conflict(service: str, message: str) -> ApiError:
    """409xx00: this X-EXTERNAL-ID was already used by this partner today."""
    return snap_error(409, service, "00", "Conflict", "duplicate_external_id", message)


def duplicate_va(service: str, message: str) -> ApiError:
    """409xx01: a VA with this number already exists."""
    return snap_error(409, service, "01", "Duplicate virtualAccountNo", "duplicate_va", message)


def va_not_found(service: str, message: str) -> ApiError:
    """404xx12: no such VA for this biller (or it was deleted)."""
    return snap_error(404, service, "12", "Invalid Bill/Virtual Account", "va_not_found", message)


def paid_bill(service: str, message: str) -> ApiError:
    """404xx14: the VA was already paid."""
    return snap_error(404, service, "14", "Paid Bill", "va_already_paid", message)


# -- validation errors -------------------------------------------------------------------------


async def validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """Pydantic's complaints, in SNAP form on SNAP paths and plain form elsewhere."""
    assert isinstance(exc, RequestValidationError)
    code, message, field = describe_validation(exc.errors())
    service = SERVICE_CODES.get(request.url.path)
    if service is None:
        error = ApiError(400, code, message, field=field) if field else \
            ApiError(400, code, message)
    elif code == "missing_field":
        error = missing_field(service, field or "body", message)
    else:
        error = invalid_format(service, field or "body", message)
    return JSONResponse(
        render(error.status, error.code, error.message, error.extra), status_code=error.status
    )
