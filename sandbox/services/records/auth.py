"""Who is calling: a health facility (organization) with its client credentials and token.

SATUSEHAT gives each facility one credential pair. The facility trades it for a bearer token at
`POST /oauth2/v1/accesstoken?grant_type=client_credentials` (form fields `client_id` and
`client_secret`) and sends `Authorization: Bearer <token>` on every FHIR call. The token is
what tells the platform *which organization* is asking, and that decides what it may see.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from sandbox.dialects.fhir import RECORDS_BEARER
from sandbox.framework.contract import secured
from sandbox.services.records import errors, rules
from sandbox.services.records.store import RecordsStore
from sandbox.wire import attribution

_MAX_FIELD = 200
"""Longer client ids or secrets are not ours; refuse them before any lookup."""


@dataclass(frozen=True, slots=True)
class Organization:
    """An authenticated health facility."""

    org_id: str
    """Its id on the platform (the `Organization/{org_id}` in references)."""
    client_id: str


def issue_token(
    store: RecordsStore, grant_type: str | None, form: bytes, now: float
) -> dict[str, Any]:
    """Client-credentials grant: a facility's id and secret -> a one-hour bearer token."""
    if grant_type != "client_credentials":
        raise errors.bad_request(
            "unsupported_grant_type",
            "Add the query parameter grant_type=client_credentials to the token URL.",
            field="grant_type",
        )
    fields = parse_qs(form.decode("utf-8", "replace"))
    client_id = fields.get("client_id", [""])[0]
    client_secret = fields.get("client_secret", [""])[0]
    if not client_id or not client_secret:
        raise errors.unauthorized(
            "missing_credentials",
            "Send the form fields client_id and client_secret "
            "(Content-Type: application/x-www-form-urlencoded).",
        )
    client = store.client(client_id) if len(client_id) <= _MAX_FIELD else None
    # One message for "unknown id" and "wrong secret": the reply must not tell a guesser
    # which client ids exist.
    if client is None or not hmac.compare_digest(
        client["client_secret"].encode(), client_secret.encode()
    ):
        raise errors.unauthorized(
            "invalid_client", "client_id or client_secret is wrong; check your credentials."
        )
    attribution.verified(client["partner"])
    token = secrets.token_urlsafe(32)
    store.save_token(token, client_id, client["org_id"], now, now + rules.TOKEN_SECONDS)
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": rules.EXPIRES_IN,
        "issued_at": str(int(now * 1000)),
        "organization_name": client["org_name"],
        "client_id": client_id,
    }


@secured(RECORDS_BEARER)
async def authenticate_org(request: Request) -> Organization:
    """FastAPI dependency: the organization behind the bearer token, or a 401."""
    store: RecordsStore = request.app.state.store
    now: float = request.app.state.clock()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized(
            "missing_access_token",
            "Send Authorization: Bearer <token>, with a token from "
            "POST /oauth2/v1/accesstoken?grant_type=client_credentials.",
        )
    request.app.state.partners.refresh()  # a client removed meanwhile loses its tokens
    row = store.token(token.strip())
    if row is None:
        raise errors.unauthorized(
            "invalid_access_token",
            "The access token is unknown; get a new one at POST /oauth2/v1/accesstoken.",
            issue="security",
        )
    if now >= row["expires_at"]:
        raise errors.unauthorized(
            "expired_access_token",
            "The access token has expired (tokens last one hour); get a new one.",
            issue="expired",
        )
    if row["partner"]:
        attribution.verified(row["partner"])
    return Organization(org_id=row["org_id"], client_id=row["client_id"])
