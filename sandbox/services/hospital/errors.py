"""The front desk's error dialect: plain JSON `{"code", "message"}` plus helpful details.

The desk is an application for people, so its errors are plain. The one exception is the bank's
payment notification, which is SNAP: those errors also carry `responseCode` and
`responseMessage`, because the bank reads those. Routes never build an error body themselves.
"""

from __future__ import annotations

from typing import Any

from sandbox.dialects.snap.payment import snap_error as snap
from sandbox.framework.errors import ApiError


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every error: SNAP fields first when present, then code and message."""
    body: dict[str, Any] = {}
    if "responseCode" in extra:
        body["responseCode"] = extra.pop("responseCode")
        body["responseMessage"] = extra.pop("responseMessage", message)
    body.update(code=code, message=message)
    if "admission_status" in extra:  # `status` is ApiError's own argument, so renamed here
        body["status"] = extra.pop("admission_status")
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    """400: the desk sent something malformed."""
    return ApiError(400, code, message, field=field)


def unauthorized(code: str, message: str) -> ApiError:
    """401: the desk token is missing or wrong."""
    return ApiError(401, code, message)


def not_found(code: str, message: str) -> ApiError:
    """404: no such admission."""
    return ApiError(404, code, message)


def identity_mismatch(admission_id: str, mismatched: list[str], reason: str | None) -> ApiError:
    """422: the registry did not confirm the patient; nothing else was done."""
    return ApiError(
        422,
        "identity_mismatch",
        "The civil registry did not confirm: "
        f"{', '.join(mismatched)}. Check them against the patient's KTP and admit again; "
        "no record, insurance or bill was created.",
        admission_id=admission_id,
        mismatched=mismatched,
        reason=reason,
    )


def upgrade_not_allowed(admission_id: str, problem: str, done: list[str]) -> ApiError:
    """422: the patient asked for a class the rules do not allow; no SEP and no bill."""
    return ApiError(
        422,
        "upgrade_not_allowed",
        f"{problem} Already done: {'; '.join(done)}. No SEP was issued and nothing was billed; "
        f"the admission {admission_id} is stored as REJECTED.",
        admission_id=admission_id,
        admission_status="REJECTED",
        done=done,
    )


def idempotency_key_reused(key: str, admission_id: str) -> ApiError:
    """422: the key already made an admission from another request."""
    return ApiError(
        422,
        "idempotency_key_reused",
        f"Idempotency-Key {key!r} already made admission {admission_id} from another request; "
        "send a new key with a new admission.",
        admission_id=admission_id,
    )


def admission_in_progress(key: str, admission_id: str) -> ApiError:
    """409: the first request with this key is still running."""
    return ApiError(
        409,
        "admission_in_progress",
        f"The first request with Idempotency-Key {key!r} is still admitting ({admission_id}); "
        "retry with the same key in a moment.",
        admission_id=admission_id,
        admission_status="IN_PROGRESS",
    )


def admission_rejected(key: str, admission_id: str, failure: str | None) -> ApiError:
    """422: the first request with this key was refused; a retry would be refused again."""
    return ApiError(
        422,
        "admission_rejected",
        f"The admission {admission_id} made with Idempotency-Key {key!r} was rejected "
        f"({failure or 'refused'}); correct the request and send it with a new key.",
        admission_id=admission_id,
        admission_status="REJECTED",
    )


def backend_failed(
    admission_id: str, institution: str, detail: str, done: list[str], missing: list[str]
) -> ApiError:
    """502: a back end failed mid-admission; say which, and what already exists."""
    already = "; ".join(done) if done else "nothing was done yet"
    return ApiError(
        502,
        f"{institution}_failed",
        f"The {institution} service failed ({detail}). Already done: {already}. "
        f"Not done: {', '.join(missing)}. The admission {admission_id} is stored as "
        "INCOMPLETE; finish it by hand or admit again once the service is back.",
        admission_id=admission_id,
        institution=institution,
        admission_status="INCOMPLETE",
        done=done,
        missing=missing,
    )


def snap_va_not_found(va: str) -> ApiError:
    """4042512: no bill of ours has this VA."""
    return snap(
        404,
        "12",
        "Invalid Bill/Virtual Account [Not Found]",
        "va_not_found",
        f"No hospital bill has virtual account {va.strip()!r}.",
    )


def snap_invalid_amount(paid: int, total: int) -> ApiError:
    """4042513: a closed VA takes the exact amount only."""
    return snap(
        404,
        "13",
        "Invalid Amount",
        "invalid_amount",
        f"paidAmount {paid} differs from the bill of {total}.",
    )


def snap_paid_bill(admission_id: str) -> ApiError:
    """4042514: the bill was already paid by another payment; the bank gives this one back."""
    return snap(
        404,
        "14",
        "Paid Bill",
        "bill_already_paid",
        f"The bill of admission {admission_id} was already paid by another payment.",
    )


def consent_refused(admission_id: str, institution: str, message: str, done: list[str]) -> ApiError:
    """403: the patient's consent no longer covers the next step (she revoked it, it expired)."""
    return ApiError(
        403,
        "consent_refused",
        f"Admission {admission_id} stopped at {institution}: {message} Ask the patient to "
        "approve a new consent request in her IKD app.",
        admission_id=admission_id,
        done=done,
    )


def consent_declined(admission_id: str) -> ApiError:
    """409: the patient declined, so nothing may be done about her at the back ends."""
    return ApiError(
        409,
        "consent_declined",
        f"The patient declined the consent request of admission {admission_id} in her IKD app; "
        "nothing was checked at the back ends.",
        admission_id=admission_id,
    )
