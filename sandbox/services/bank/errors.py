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

from sandbox.framework.errors import ApiError, describe_validation

SERVICE_CODES = {
    "/v1.0/access-token/b2b": "73",
    "/v1.0/transfer-va/status": "26",
    "/v1.0/transfer-va/create-va": "27",
    "/v1.0/transfer-va/delete-va": "31",
    "/v1.0/otp-verification": "04",
    "/v1.0/registration-account-binding": "07",
    "/v1.0/registration-account-unbinding": "09",
    "/v1.0/debit/payment-host-to-host": "54",
    "/v1.0/debit/status": "55",
    "/v1.0/debit/refund": "58",
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


def in_progress(service: str) -> dict[str, str]:
    """The SNAP pending pair, e.g. 2020700: accepted, waiting for the customer's code."""
    return {"responseCode": f"202{service}00", "responseMessage": "Request In Progress"}


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


# -- account binding, one-time codes and direct debit ------------------------------------------


def invalid_customer_token(service: str, message: str) -> ApiError:
    """401xx02: the customer's binding token is unknown (or another partner's)."""
    return snap_error(
        401, service, "02", "Invalid Customer Token", "invalid_customer_token", message
    )


def over_limit(service: str, message: str) -> ApiError:
    """403xx02: more than the bank allows in one transaction."""
    return snap_error(
        403, service, "02", "Exceeds Transaction Amount Limit", "over_debit_maximum", message
    )


def code_blocked(service: str, message: str) -> ApiError:
    """403xx11: the third wrong code ended this attempt."""
    return snap_error(403, service, "11", "OTP Blocked", "otp_blocked", message)


def code_expired(service: str, message: str) -> ApiError:
    """403xx12: the code was typed after its 5 minutes."""
    return snap_error(403, service, "12", "OTP Lifetime Expired", "otp_expired", message)


def insufficient_funds(service: str, message: str) -> ApiError:
    """403xx14: the account holds less than the amount."""
    return snap_error(403, service, "14", "Insufficient Funds", "insufficient_funds", message)


def do_not_honor(service: str, message: str) -> ApiError:
    """403xx05: the account or its holder is abnormal; the bank will not pay from it."""
    return snap_error(403, service, "05", "Do Not Honor", "do_not_honor", message)


def not_permitted(service: str, code: str, message: str) -> ApiError:
    """403xx15: the transaction cannot be done in its current state."""
    return snap_error(403, service, "15", "Transaction Not Permitted", code, message)


def binding_revoked(service: str, message: str) -> ApiError:
    """403xx18: the binding behind the customer token was ended (unbound)."""
    return snap_error(
        403, service, "18", "Inactive Card/Account/Customer", "binding_revoked", message
    )


def not_found(service: str, code: str, message: str) -> ApiError:
    """404xx01: no such transaction (binding, debit) for this partner."""
    return snap_error(404, service, "01", "Transaction Not Found", code, message)


def invalid_transition(service: str, code: str, message: str) -> ApiError:
    """404xx10: the request does not fit where the transaction is (a code already used)."""
    return snap_error(404, service, "10", "Invalid API Transition", code, message)


def unknown_customer(service: str, code: str, message: str) -> ApiError:
    """404xx11: no customer account matches (a phone number the bank does not know)."""
    return snap_error(404, service, "11", "Invalid Card/Account/Customer", code, message)


def invalid_amount(service: str, code: str, message: str) -> ApiError:
    """404xx13: an amount the transaction cannot take (a refund above what was paid)."""
    return snap_error(404, service, "13", "Invalid Amount", code, message)


def wrong_code(service: str, attempts_left: int) -> ApiError:
    """404xx15: the code is wrong; says how many tries are left."""
    return ApiError(
        404,
        "wrong_otp",
        f"The code is wrong; {attempts_left} more "
        f"{'try' if attempts_left == 1 else 'tries'} before this attempt ends.",
        responseCode=f"404{service}15",
        responseMessage="Invalid OTP",
        attempts_left=attempts_left,
    )


def duplicate_reference(service: str, code: str, message: str) -> ApiError:
    """409xx01: this partner reference was already used for a different request."""
    return snap_error(409, service, "01", "Duplicate partnerReferenceNo", code, message)


# -- validation errors -------------------------------------------------------------------------


async def validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """Pydantic's complaints, in SNAP form on SNAP paths and plain form elsewhere."""
    assert isinstance(exc, RequestValidationError)
    code, message, field = describe_validation(exc.errors())
    service = SERVICE_CODES.get(request.url.path)
    if service is None:
        error = ApiError(400, code, message, field=field) if field else ApiError(400, code, message)
    elif code == "missing_field":
        error = missing_field(service, field or "body", message)
    else:
        error = invalid_format(service, field or "body", message)
    return JSONResponse(
        render(error.status, error.code, error.message, error.extra), status_code=error.status
    )
