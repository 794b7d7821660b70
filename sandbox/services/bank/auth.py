"""Who may call the bank's SNAP API, and how each call is checked.

A partner (a biller such as the marketplace) first gets a B2B access token by signing its client
key and a timestamp; then every transaction carries that token and an HMAC-SHA512 signature
over the method, path, token, body hash and timestamp. The checks below follow SNAP's order
of headers; each refusal says which header is missing or wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from sandbox.dialects import snap
from sandbox.dialects.common import freshness_problem, parse_timestamp, same
from sandbox.services.bank import errors, rules
from sandbox.services.bank.store import BankStore
from sandbox.wire import attribution

TOKEN_SECONDS = 900
"""A B2B access token lives 15 minutes of the bank's clock (SNAP's `expiresIn: "900"`)."""


@dataclass(frozen=True, slots=True)
class Partner:
    """A biller's SNAP credentials at the bank (from the seed's `accepts`)."""

    name: str
    """The partner's service slug, e.g. "marketplace"; also where its notifications go."""
    client_key: str
    client_secret: str
    partner_id: str
    channel_id: str
    partner_service_id: str
    """Its VA prefix, 8 characters left-padded with spaces."""
    account_no: str
    """Its settlement account: VA payments are credited here."""
    notification_secret: str


@dataclass(frozen=True, slots=True)
class Caller:
    """A verified transaction: which partner sent it, under which X-EXTERNAL-ID."""

    partner: Partner
    external_id: str


def partners_from_seed(accepts: Mapping[str, Mapping[str, Any]]) -> dict[str, Partner]:
    """Every partner allowed to call the bank, by client key."""
    return {
        creds["client_key"]: Partner(
            name=name,
            client_key=creds["client_key"],
            client_secret=creds["client_secret"],
            partner_id=str(creds["partner_id"]),
            channel_id=str(creds["channel_id"]),
            partner_service_id=creds["partner_service_id"],
            account_no=creds["account_no"],
            notification_secret=creds["notification_secret"],
        )
        for name, creds in accepts.items()
    }


def _checked_timestamp(request: Request, service: str, now: float) -> str:
    """X-TIMESTAMP, present, well formed and within 5 minutes of the bank's clock."""
    ts = request.headers.get("X-TIMESTAMP")
    if not ts:
        raise errors.missing_field(
            service,
            "X-TIMESTAMP",
            "Header X-TIMESTAMP is required, e.g. 2024-03-01T15:00:00+07:00.",
        )
    if parse_timestamp(ts) is None:
        raise errors.invalid_format(
            service,
            "X-TIMESTAMP",
            "X-TIMESTAMP must be ISO-8601 with an offset, e.g. 2024-03-01T15:00:00+07:00.",
        )
    problem = freshness_problem(ts, now)
    if problem:
        # A stale timestamp is how a captured request replayed later gets caught.
        raise errors.unauthorized(
            service,
            "Timestamp",
            "stale_timestamp",
            f"X-TIMESTAMP refused: {problem}; sign with the current time.",
        )
    return ts


def issue_token(
    request: Request, store: BankStore, partners: dict[str, Partner], now: float
) -> str:
    """Check a B2B token request's headers and return a fresh access token."""
    service = "73"
    ts = _checked_timestamp(request, service, now)
    client_key = request.headers.get("X-CLIENT-KEY")
    if not client_key:
        raise errors.missing_field(service, "X-CLIENT-KEY", "Header X-CLIENT-KEY is required.")
    partner = partners.get(client_key)
    if partner is None:
        raise errors.unauthorized(
            service,
            "Unknown client",
            "unknown_client",
            f"X-CLIENT-KEY '{client_key[:40]}' is not a partner of this "
            "bank; use the client key from your onboarding.",
        )
    expected = snap.token_signature(partner.client_key, partner.client_secret, ts)
    if not snap.matches(expected, request.headers.get("X-SIGNATURE")):
        raise errors.unauthorized(
            service,
            "Signature",
            "invalid_signature",
            "X-SIGNATURE is missing or wrong: it must be base64 "
            "HMAC-SHA256(client secret, 'clientKey|X-TIMESTAMP').",
        )
    attribution.verified(partner.name)  # the trace names the caller by this, not by headers
    token = secrets.token_urlsafe(32)
    store.save_token(rules.token_hash(token), partner.client_key, now + TOKEN_SECONDS)
    return token


async def verify_transaction(
    request: Request, service: str, store: BankStore, partners: dict[str, Partner], now: float
) -> Caller:
    """Check every SNAP transaction header; returns the verified caller or raises."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise errors.invalid_token(
            service,
            "Header 'Authorization: Bearer <accessToken>' is "
            "required; get a token at POST /v1.0/access-token/b2b.",
        )
    client_key = store.token_partner(rules.token_hash(token), now)
    partner = partners.get(client_key) if client_key else None
    if partner is None:
        raise errors.invalid_token(
            service,
            "The access token is unknown or expired (tokens "
            "last 900 s); get a new one at POST /v1.0/access-token/b2b.",
        )
    ts = _checked_timestamp(request, service, now)
    partner_id = request.headers.get("X-PARTNER-ID")
    if not partner_id:
        raise errors.missing_field(service, "X-PARTNER-ID", "Header X-PARTNER-ID is required.")
    if not same(partner.partner_id, partner_id):
        raise errors.unauthorized(
            service,
            "Partner",
            "wrong_partner_id",
            "X-PARTNER-ID does not belong to the partner this access token was issued to.",
        )
    channel_id = request.headers.get("CHANNEL-ID")
    if not channel_id:
        raise errors.missing_field(service, "CHANNEL-ID", "Header CHANNEL-ID is required.")
    if not rules.channel_id_ok(channel_id):
        raise errors.invalid_format(
            service, "CHANNEL-ID", "CHANNEL-ID must be exactly 5 characters, e.g. 95221."
        )
    external_id = request.headers.get("X-EXTERNAL-ID")
    if not external_id:
        raise errors.missing_field(
            service, "X-EXTERNAL-ID", "Header X-EXTERNAL-ID is required (digits, unique per day)."
        )
    if not rules.external_id_ok(external_id):
        raise errors.invalid_format(
            service, "X-EXTERNAL-ID", "X-EXTERNAL-ID must be digits only, at most 36 of them."
        )
    # The signature covers the exact bytes received, so read the raw body, not the parsed model.
    body = await request.body()
    expected = snap.transaction_signature(
        partner.client_secret, request.method, request.url.path, token, body, ts
    )
    if not snap.matches(expected, request.headers.get("X-SIGNATURE")):
        raise errors.unauthorized(
            service,
            "Signature",
            "invalid_signature",
            "X-SIGNATURE is missing or wrong: it must be base64 "
            "HMAC-SHA512(client secret, 'METHOD:path:accessToken:"
            "lowerhex(sha256(minified body)):X-TIMESTAMP').",
        )
    attribution.verified(partner.name)
    return Caller(partner, external_id)
