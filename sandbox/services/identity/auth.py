"""Who is calling: partner agencies (signed requests) and the registry's own administrators.

A partner (lembaga pengguna) signs every request with its client secret:

    X-Client-Id, X-Timestamp, X-Nonce and
    X-Signature = hex HMAC-SHA256(secret, "METHOD:path:sha256(minified body):X-Timestamp:X-Nonce")

The checks run in a fixed order, and the order is part of the lesson: first *who* (credential and
signature, 401), then *whether allowed* (agreement, 403; quota, 429). Once the signature is good the
call is counted, refused or not, because the usage report must show every attempt.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from sandbox.dialects import registry, schemes
from sandbox.dialects.common import FRESHNESS_SECONDS, parse_timestamp
from sandbox.dialects.registry import REGISTRY_SIGNED
from sandbox.framework.contract import secured
from sandbox.services.identity import errors, rules
from sandbox.wire import attribution

SIGNED_HEADERS = ("X-Client-Id", "X-Timestamp", "X-Nonce", "X-Signature")
MAX_NONCE = 64
"""A nonce longer than this is not a nonce (and would bloat the replay memory)."""


@dataclass(frozen=True, slots=True)
class Partner:
    """An authenticated partner and its agreement (PKS) with the registry."""

    name: str
    """The institution's slug: marketplace, bank."""
    client_id: str
    purpose: str
    """The one purpose its agreement allows (SELLER_KYC, ACCOUNT_OPENING)."""
    allowed_fields: frozenset[str]


@secured(REGISTRY_SIGNED)
async def authenticate_partner(request: Request) -> Partner:
    """FastAPI dependency: verify the signature, count the call, check the agreement."""
    app = request.app
    store, guard, now = app.state.store, app.state.replay_guard, app.state.clock()
    headers = {name: request.headers.get(name) for name in SIGNED_HEADERS}
    for name, value in headers.items():
        if not value:
            raise errors.unauthorized(
                "missing_header",
                f"Header {name} is required; sign the "
                "request as the registry's partner scheme says (see /docs).",
            )
    client_id, ts, nonce, given = (str(headers[n]) for n in SIGNED_HEADERS)
    app.state.partners.refresh()  # a partner registered a moment ago is known now
    agreement = store.agreement_by_client_id(client_id)
    if agreement is None:
        raise errors.unauthorized(
            "unknown_client",
            f"X-Client-Id {client_id!r} is not a registered partner of the registry.",
        )
    _check_timestamp(ts, now)
    if len(nonce) > MAX_NONCE:
        raise errors.unauthorized(
            "invalid_nonce", f"X-Nonce must be at most {MAX_NONCE} characters."
        )
    body = await request.body()
    expected = registry.signature(
        agreement["client_secret"], request.method, request.url.path, body, ts, nonce
    )
    if not registry.matches(expected, given):  # constant-time comparison
        raise errors.unauthorized(
            "invalid_signature",
            "X-Signature does not match the request; "
            "sign METHOD:path:sha256(minified body):X-Timestamp:X-Nonce "
            "with your client secret (hex HMAC-SHA256).",
        )
    # Checked after the signature, so nobody can burn another partner's nonces with junk.
    if not guard.first_time(f"{client_id}:{nonce}", now):
        raise errors.unauthorized(
            "replayed_request",
            "This X-Nonce was already used; every "
            "request needs a fresh nonce and a fresh signature.",
        )
    attribution.verified(agreement["partner"])  # who the trace says called: proven, not claimed
    calls_before = store.count_call(agreement["partner"], rules.semester_of(now))
    problem = rules.agreement_problem(agreement, now)
    if problem:
        raise errors.forbidden(*problem)
    if not rules.quota_left(agreement, calls_before):
        raise errors.too_many(
            "quota_exceeded",
            f"Your agreement allows {agreement['quota']} calls per semester and they are used up.",
        )
    return Partner(
        agreement["partner"],
        client_id,
        agreement["purpose"],
        frozenset(agreement["allowed_fields"]),
    )


def _check_timestamp(ts: str, now: float) -> None:
    moment = parse_timestamp(ts)
    if moment is None:
        raise errors.unauthorized(
            "invalid_timestamp",
            "X-Timestamp must be ISO-8601 with an offset, e.g. 2024-03-01T15:00:00+07:00.",
        )
    if abs(now - moment) > FRESHNESS_SECONDS:
        raise errors.unauthorized(
            "stale_timestamp",
            f"X-Timestamp is more than "
            f"{FRESHNESS_SECONDS} seconds away from the registry's clock; "
            "sign with the current time.",
        )


def require_purpose(partner: Partner, purpose: str) -> None:
    """A partner may only act for the purpose written in its agreement."""
    if purpose != partner.purpose:
        raise errors.forbidden(
            "purpose_not_allowed",
            f"Your agreement allows purpose {partner.purpose}, not {purpose}.",
            field="purpose",
        )


def require_fields(partner: Partner, fields: list[str]) -> None:
    """A partner may only ask about the fields its agreement lists."""
    for field in fields:
        if field not in partner.allowed_fields:
            raise errors.forbidden(
                "field_not_allowed",
                f"Your agreement does not allow verifying field {field!r}.",
                field=field,
            )


@secured(schemes.REGISTRY_ADMIN)
async def authenticate_admin(request: Request) -> None:
    """FastAPI dependency: the registry's own staff present `X-Admin-Key`."""
    expected: Any = request.app.state.admin_key
    given = request.headers.get("X-Admin-Key")
    if not given:
        raise errors.unauthorized(
            "missing_header", "Header X-Admin-Key is required for the admin API."
        )
    if not expected:
        raise errors.forbidden("admin_disabled", "This registry has no admin key configured.")
    if not hmac.compare_digest(str(expected).encode(), given.encode()):
        raise errors.unauthorized("invalid_admin_key", "X-Admin-Key is wrong.")
