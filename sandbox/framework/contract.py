"""What an institution's OpenAPI document says about credentials and errors, declared once.

A developer takes `/openapi.json` into Prism, a code generator or their own tests, so the
document must say how to authenticate and what can go wrong. Each dialect declares its
credentials as a `Security` in its own module (`sandbox.dialects.snap` and the others), next to
its signing code; an institution marks the dependency (or endpoint)
that checks them with `@secured(...)`, and `framework/openapi.py` puts the scheme, its signing
headers and query parameters (with the string to sign) on every operation that depends on it.
A route added later that uses the same dependency is documented with no further work.

An error body is a JSON schema: `PLAIN_ERROR` and `FRAMEWORK_ERROR` are here; each dialect's
own (`snap.SNAP_ERROR`, `fhir.FHIR_ERROR`, `vclaim.VCLAIM_ERROR`) is in its module, built on
these; `new_app(..., error_schema=...)` says which one an institution speaks. Every schema
requires `code` and `message`, which every dialect carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

MARK = "__sandbox_security__"
"""The attribute `secured` sets on a function: the `Security` declarations it checks."""


@dataclass(frozen=True, slots=True)
class Security:
    """One way to prove who is calling: the schemes to send together, and signing parameters."""

    schemes: dict[str, dict[str, Any]]
    """OpenAPI security schemes by name, all required together (AND)."""
    parameters: tuple[dict[str, Any], ...] = field(default=())
    """Header or query parameters of the signature, each with its description."""
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Codes the check answers that no `ApiError` in the service's code names (a shared
    checker returns them), by status."""
    in_body: str = ""
    """Credentials sent in the request body (a token endpoint, a PIN log-in), said as
    `x-credentials-in-body`: OpenAPI has no security scheme for them."""


def secured(*declarations: Security) -> Callable[[F], F]:
    """Mark a dependency or endpoint as checking these credentials (any one of them)."""

    def mark(fn: F) -> F:
        setattr(fn, MARK, (*getattr(fn, MARK, ()), *declarations))
        return fn

    return mark


ENFORCED: dict[str, Any] = {"x-sandbox-required": True}
"""`json_schema_extra` of a parameter declared optional to FastAPI only so the institution can
answer its own error when it is missing (`400 missing_idempotency_key`): the document says
it is required."""


CREDENTIAL = "x-sandbox-credential"
"""Marks a parameter a partner's credentials fill in (signing headers, `sign`): a tool that
signs for the caller (the UI's composer) leaves it to the signing."""


def header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A required header parameter."""
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
        CREDENTIAL: True,
    }


def query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A required query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
        CREDENTIAL: True,
    }


def bearer(name: str, description: str) -> Security:
    """`Authorization: Bearer <token>`, a session or desk token."""
    return Security({name: {"type": "http", "scheme": "bearer", "description": description}})


def api_key(name: str, where: str, key: str, description: str) -> dict[str, Any]:
    """An apiKey scheme: a credential sent in a header or query parameter."""
    return {"type": "apiKey", "in": where, "name": key, "description": description}


_CODE_AND_MESSAGE: dict[str, Any] = {
    "code": {"type": "string", "description": "Stable, snake_case: what went wrong."},
    "message": {"type": "string", "description": "For a person: what to fix."},
}

PLAIN_ERROR: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        **_CODE_AND_MESSAGE,
        "field": {"type": ["string", "null"], "description": "The field at fault, if one."},
    },
}
"""`{code, message, field?}` plus details some errors add."""

FRAMEWORK_ERROR: dict[str, Any] = {
    "title": "FrameworkError",
    "type": "object",
    "required": ["code", "message"],
    "properties": _CODE_AND_MESSAGE,
}
"""What the wire itself answers in every dialect's place (an injected fault, offline)."""
