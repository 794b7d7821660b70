"""Who is calling: a health facility presenting VClaim headers.

Every request carries four headers:

    X-cons-id    the facility's consumer id
    X-timestamp  Unix seconds, as a string
    X-signature  base64(HMAC-SHA256(secret, cons_id + "&" + X-timestamp))
    user_key     the facility's API key for this web service

The checks run in a fixed order: headers present, consumer known, timestamp fresh, signature
right, user key right. Each failure is a 401 that says which header to fix.

Why no replay check, as the registry has? The signature covers only cons_id and the timestamp,
not the request, so two honest calls in the same second carry the same signature: refusing a
repeated signature would refuse them. A captured request can therefore be replayed for up to
five minutes; that weakness of the dialect is a lesson, not something to hide.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request

from sandbox.dialects import vclaim
from sandbox.dialects.vclaim import VCLAIM
from sandbox.framework.contract import secured
from sandbox.services.insurance import errors, rules
from sandbox.wire import attribution

HEADERS = ("X-cons-id", "X-timestamp", "X-signature", "user_key")
MAX_HEADER = 200
"""No header of this dialect is longer; longer values are refused before any work."""


@dataclass(frozen=True, slots=True)
class Facility:
    """An authenticated health facility (PPK: pemberi pelayanan kesehatan)."""

    name: str
    """The sandbox slug of the caller: hospital."""
    cons_id: str
    ppk_code: str
    """Its 8-character facility code, e.g. 0301R001; SEPs carry it."""


@secured(VCLAIM)
async def authenticate_facility(request: Request) -> Facility:
    """FastAPI dependency: check the four VClaim headers, in order."""
    store, now = request.app.state.store, request.app.state.clock()
    values: dict[str, str] = {}
    for name in HEADERS:
        value = request.headers.get(name)
        if not value:
            raise errors.unauthorized(
                "missing_header", f"Header {name} is required on every VClaim request (see /docs)."
            )
        if len(value) > MAX_HEADER:
            raise errors.unauthorized("invalid_header", f"Header {name} is too long.")
        values[name] = value
    cons_id, ts, given, user_key = (values[n] for n in HEADERS)
    request.app.state.partners.refresh()  # a facility registered a moment ago is known now
    partner = store.partner_by_cons_id(cons_id)
    if partner is None:
        raise errors.unauthorized(
            "unknown_cons_id", f"X-cons-id {cons_id!r} is not a registered facility."
        )
    problem = rules.timestamp_problem(ts, now)
    if problem:
        raise errors.unauthorized("invalid_timestamp", problem)
    expected = vclaim.signature(cons_id, partner["secret"], ts)
    if not vclaim.matches(expected, given):  # constant-time comparison
        raise errors.unauthorized(
            "invalid_signature",
            "X-signature does not match; send base64(HMAC-SHA256(secret, "
            "X-cons-id + '&' + X-timestamp)) with your secret.",
        )
    if not hmac.compare_digest(partner["user_key"].encode(), user_key.encode()):
        raise errors.unauthorized(
            "invalid_user_key", "user_key is not the key issued to this X-cons-id."
        )
    attribution.verified(partner["partner"])
    return Facility(partner["partner"], cons_id, partner["ppk_code"])
