"""The registry's error dialect: plain JSON `{"code", "message"}`, plus `field` where it helps.

Dukcapil's partner gateway answers with short machine codes and an explanation; the sandbox keeps
that shape minimal so students can compare it with the bank's SNAP codes. Routes never build an
error body themselves: they raise one of the helpers below.
"""

from __future__ import annotations

from typing import Any

from sandbox.framework.errors import ApiError


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of every registry error."""
    body: dict[str, Any] = {"code": code, "message": message}
    if extra.get("field"):
        body["field"] = extra["field"]
    return body


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    """400: the caller sent something malformed (say what and how to fix it)."""
    return ApiError(400, code, message, field=field)


def unauthorized(code: str, message: str) -> ApiError:
    """401: a credential, header or signature is missing or wrong."""
    return ApiError(401, code, message)


def forbidden(code: str, message: str, field: str | None = None) -> ApiError:
    """403: the partner is known but this is not allowed by its agreement or the consent."""
    return ApiError(403, code, message, field=field)


def not_found(code: str, message: str) -> ApiError:
    """404: the thing named in the path or body does not exist for this caller."""
    return ApiError(404, code, message)


def conflict(code: str, message: str) -> ApiError:
    """409: the change clashes with what the register already holds."""
    return ApiError(409, code, message)


def too_many(code: str, message: str) -> ApiError:
    """429: the partner used up its quota."""
    return ApiError(429, code, message)


def refusal(status: int, code: str, message: str) -> ApiError:
    """Any status a rule decided (rules return the status with their reason)."""
    return ApiError(status, code, message)
