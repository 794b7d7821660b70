"""The insurer's dialect: every answer is a VClaim envelope `{"metaData", "response"}`.

VClaim puts its own status in `metaData.code`, a *string* ("200" OK, "201" a refusal such as
"Peserta tidak ditemukan", ...). Errors also carry the sandbox's common `code` (stable,
snake_case) and `message` at the top level, so any client can read every institution's errors
the same way. Both the success envelope (`envelope`) and the error body (`render`) are built
here and nowhere else; routes raise one of the helpers below.
"""

from __future__ import annotations

from typing import Any

from sandbox.framework.errors import ApiError

OK = {"code": "200", "message": "OK"}
NOT_FOUND = "201"
"""VClaim's general "refused / not found" code (it is not an HTTP status here)."""


def envelope(response: Any) -> dict[str, Any]:
    """A successful answer: metaData code "200" and the payload under `response`."""
    return {"metaData": dict(OK), "response": response}


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every insurer error (also used for framework and validation errors).

    `metaData.code` is VClaim's code: the one the route chose (`meta_code`), else the HTTP
    status as a string ("400" for a malformed request, "401" for a bad header...).
    """
    meta_code = str(extra.get("meta_code") or status)
    body: dict[str, Any] = {
        "metaData": {"code": meta_code, "message": message},
        "response": None,
        "code": code,
        "message": message,
    }
    if extra.get("field"):
        body["field"] = extra["field"]
    return body


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    """400: the caller sent something malformed (say what and how to fix it)."""
    return ApiError(400, code, message, field=field)


def unauthorized(code: str, message: str) -> ApiError:
    """401: a header (cons id, timestamp, signature, user key) is missing or wrong."""
    return ApiError(401, code, message)


def forbidden(code: str, message: str) -> ApiError:
    """403: the facility is known but may not do this (another facility's SEP)."""
    return ApiError(403, code, message)


def member_not_found(message: str = "Peserta tidak ditemukan") -> ApiError:
    """Eligibility of someone who is not a member: HTTP 200, metaData code "201".

    VClaim answers a lookup that found nobody as a normal HTTP 200 whose metaData says "201".
    The sandbox keeps that quirk on purpose: a client that only looks at the HTTP status would
    believe an uninsured patient is covered. Always read `metaData.code`.
    """
    return ApiError(200, "member_not_found", message, meta_code=NOT_FOUND)


def not_found(code: str, message: str) -> ApiError:
    """404 (metaData "201"): the card or SEP named in the request does not exist."""
    return ApiError(404, code, message, meta_code=NOT_FOUND)


def refused(code: str, message: str) -> ApiError:
    """422 (metaData "201"): well formed, but the insurer's rules refuse it (e.g. arrears)."""
    return ApiError(422, code, message, meta_code=NOT_FOUND)


def consent_refused(code: str, message: str) -> ApiError:
    """403: the call is about a member whose consent, quoted in X-Consent-Id, does not cover
    it (missing, unknown, revoked, expired, another person or purpose)."""
    return ApiError(403, code, message, field="X-Consent-Id")
