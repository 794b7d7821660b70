"""The records platform's error dialect: a FHIR `OperationOutcome`, plus `code` and `message`.

SATUSEHAT answers every failure with an OperationOutcome resource:

    {"resourceType": "OperationOutcome",
     "issue": [{"severity": "error", "code": "business-rule", "diagnostics": "..."}]}

`issue[0].code` comes from FHIR's own small vocabulary (invalid, required, login, forbidden,
not-found, duplicate, business-rule...). The sandbox adds the top-level `code` and `message`
every service in the sandbox has, so a client can handle all institutions the same way. Routes
never build an error body themselves: they raise one of the helpers below. Pydantic validation
errors reach `render` too (through `sandbox.framework.errors`), so they are OperationOutcomes as
well.
"""

from __future__ import annotations

from typing import Any

from sandbox.framework.errors import ApiError

BUSINESS_RULE = "resource cannot be accessed due to business rule"
"""The platform's own words when an organization reaches for another organization's data."""

_ISSUE_BY_STATUS = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "duplicate",
    413: "too-long",
}
"""The FHIR issue type used when a helper does not name one."""


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every records error: an OperationOutcome with `code` and `message`."""
    issue: dict[str, Any] = {
        "severity": "error",
        "code": extra.get("issue") or _issue_for(status, code),
        "diagnostics": message,
    }
    if extra.get("field"):
        # FHIRPath-ish location of the problem, as FHIR servers report it.
        issue["expression"] = [str(extra["field"])]
    return {
        "resourceType": "OperationOutcome",
        "issue": [issue],
        "code": code,
        "message": message,
    }


def _issue_for(status: int, code: str) -> str:
    if code == "missing_field":
        return "required"
    if status >= 500:
        return "exception"
    return _ISSUE_BY_STATUS.get(status, "processing")


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    """400: the caller sent something malformed (say what and how to fix it)."""
    return ApiError(400, code, message, field=field)


def unauthorized(code: str, message: str, issue: str = "login") -> ApiError:
    """401: the client credentials or the bearer token are missing, wrong or expired."""
    return ApiError(401, code, message, issue=issue)


def business_rule(message: str = BUSINESS_RULE, field: str | None = None) -> ApiError:
    """403: the organization is known but may not touch this resource."""
    return ApiError(403, "business_rule", message, issue="business-rule", field=field)


def not_found(code: str, message: str, field: str | None = None) -> ApiError:
    """404: the resource named in the path, query or a reference does not exist."""
    return ApiError(404, code, message, field=field)


def conflict(code: str, message: str, field: str | None = None) -> ApiError:
    """409: the resource already exists (one NIK has one IHS number)."""
    return ApiError(409, code, message, field=field)


def consent_refused(code: str, message: str) -> ApiError:
    """403: the call is about a person whose consent, quoted in X-Consent-Id, does not cover it
    (missing, unknown, revoked, expired, another person or purpose)."""
    return ApiError(403, code, message, issue="forbidden", field="X-Consent-Id")
