"""SNAP BI, the bank's dialect (Bank Indonesia's open-API payment standard).

Its strings to sign, the checks a callee makes, the httpx `Auth` a partner sends its calls
with (`SnapAuth`: B2B token, then signed transactions), its credentials as the OpenAPI
documents declare them and its error body. The payment notification every biller receives is
`snap.payment`.

- Token request: `X-SIGNATURE` = base64 HMAC-SHA256(client secret, "clientKey|X-TIMESTAMP").
  (Real SNAP uses SHA256withRSA over the same string; the sandbox has no key pairs.)
- Transactions: base64 HMAC-SHA512(client secret,
  "METHOD:path:accessToken:lowerhex(sha256(minified body)):X-TIMESTAMP").
- Notifications the bank sends: base64 HMAC-SHA512(notification secret,
  "METHOD:path:lowerhex(sha256(minified body)):X-TIMESTAMP").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Generator, Mapping
from typing import Any

import httpx

from sandbox.dialects.common import (
    EXPIRY_MARGIN,
    TIMESTAMP_ISO,
    Clock,
    body_hash,
    freshness_problem,
    same,
    timestamp,
)
from sandbox.framework.contract import PLAIN_ERROR, Security, api_key, header


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def token_signature(client_key: str, secret: str, ts: str) -> str:
    """Signature of a B2B access-token request."""
    return _b64(hmac.new(secret.encode(), f"{client_key}|{ts}".encode(), hashlib.sha256).digest())


def transaction_signature(
    secret: str, method: str, path: str, token: str, body: bytes, ts: str
) -> str:
    """Signature of a transaction request (create VA, status...)."""
    text = f"{method.upper()}:{path}:{token}:{body_hash(body)}:{ts}"
    return _b64(hmac.new(secret.encode(), text.encode(), hashlib.sha512).digest())


def notification_signature(secret: str, method: str, path: str, body: bytes, ts: str) -> str:
    """Signature of a payment notification the bank sends to a biller."""
    text = f"{method.upper()}:{path}:{body_hash(body)}:{ts}"
    return _b64(hmac.new(secret.encode(), text.encode(), hashlib.sha512).digest())


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)


NOTIFICATION_PROBLEMS = (
    "missing_partner_id",
    "unknown_partner_id",
    "invalid_timestamp",
    "missing_signature",
    "invalid_signature",
)
"""Every code `notification_problem` answers (a biller refuses the notification with 401)."""


def notification_problem(
    *,
    partner_id: str,
    secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
) -> tuple[str, str] | None:
    """Why a payment notification did not come from our bank, as (code, message), or None.

    Every biller (the marketplace, the hospital) checks notifications the same way: its own
    partner id, a fresh X-TIMESTAMP, and the signature made with the shared notification
    secret. Header names are looked up lower-case.
    """
    given_id = headers.get("x-partner-id")
    if not given_id:
        return "missing_partner_id", "Missing X-PARTNER-ID header."
    if not secret or not same(partner_id, given_id):
        return "unknown_partner_id", f"X-PARTNER-ID {given_id[:40]!r} is not our biller id."
    ts = headers.get("x-timestamp")
    problem = freshness_problem(ts, now)
    if problem:
        return "invalid_timestamp", f"X-TIMESTAMP: {problem}."
    assert ts is not None
    given = headers.get("x-signature")
    if not given:
        return "missing_signature", "Missing X-SIGNATURE header."
    if not matches(notification_signature(secret, method, path, body, ts), given):
        return (
            "invalid_signature",
            "X-SIGNATURE does not match the notification signature "
            "(HMAC-SHA512 over METHOD:path:sha256(minified body):X-TIMESTAMP).",
        )
    return None


class SnapAuth(httpx.Auth):
    """SNAP B2B: fetch an access token, then sign each transaction with it."""

    requires_request_body = True
    requires_response_body = True
    TOKEN_PATH = "/v1.0/access-token/b2b"

    def __init__(
        self,
        client_key: str,
        client_secret: str,
        partner_id: str,
        channel_id: str,
        clock: Clock = time.time,
    ) -> None:
        self.client_key = client_key
        self.client_secret = client_secret
        self.partner_id = partner_id
        self.channel_id = channel_id
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        ts = timestamp(self.clock())
        return httpx.Request(
            "POST",
            request.url.copy_with(path=self.TOKEN_PATH, query=None),
            json={"grantType": "client_credentials"},
            headers={
                "X-TIMESTAMP": ts,
                "X-CLIENT-KEY": self.client_key,
                "X-SIGNATURE": token_signature(self.client_key, self.client_secret, ts),
            },
        )

    def _sign(self, request: httpx.Request) -> None:
        assert self._token is not None
        ts = timestamp(self.clock())
        request.headers["Authorization"] = f"Bearer {self._token}"
        request.headers["X-TIMESTAMP"] = ts
        request.headers["X-PARTNER-ID"] = self.partner_id
        request.headers["CHANNEL-ID"] = self.channel_id
        request.headers.setdefault("X-EXTERNAL-ID", str(secrets.randbelow(10**18)).zfill(18))
        request.headers["X-SIGNATURE"] = transaction_signature(
            self.client_secret, request.method, request.url.path, self._token, request.content, ts
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for attempt in range(2):
            if self._token is None or self.clock() >= self._expires_at:
                response = yield self._token_request(request)
                if response.status_code != 200:
                    return  # the caller sees the token error on its own request below
                body: dict[str, Any] = response.json()
                self._token = body["accessToken"]
                self._expires_at = self.clock() + float(body["expiresIn"]) - EXPIRY_MARGIN
            self._sign(request)
            response = yield request
            if (
                response.status_code == 401
                and attempt == 0
                and str(response.json().get("responseCode", "")).endswith("01")
            ):
                self._token = None  # token expired or revoked: fetch a new one once
                continue
            return


SNAP_TOKEN = Security(
    {"snapClientKey": api_key("snapClientKey", "header", "X-CLIENT-KEY", "Your client key.")},
    (
        header("X-TIMESTAMP", TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA256(client secret, X-CLIENT-KEY + '|' + X-TIMESTAMP)). "
            "(Real SNAP signs the same string with SHA256withRSA.)",
        ),
    ),
)
"""SNAP's B2B access-token request (service 73)."""

SNAP_TRANSACTION = Security(
    {"snapAccessToken": {"type": "http", "scheme": "bearer", "description": "The B2B token."}},
    (
        header("X-TIMESTAMP", TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA512(client secret, METHOD + ':' + path + ':' + access token + ':' "
            "+ lowerhex(sha256(minified body)) + ':' + X-TIMESTAMP)).",
        ),
        header("X-PARTNER-ID", "Your client key."),
        header("X-EXTERNAL-ID", "Unique per partner and day: a repeat is 409xx00."),
        header("CHANNEL-ID", "SNAP channel id, e.g. 95221."),
    ),
)
"""A SNAP transaction signed with the B2B token."""

SNAP_CUSTOMER = Security(
    {
        **SNAP_TRANSACTION.schemes,
        "snapCustomerToken": api_key(
            "snapCustomerToken",
            "header",
            "Authorization-Customer",
            "'Bearer <customer token>' from the account binding.",
        ),
    },
    SNAP_TRANSACTION.parameters,
)
"""A SNAP transaction on behalf of a bound customer."""

SNAP_NOTIFICATION = Security(
    {"snapPartnerId": api_key("snapPartnerId", "header", "X-PARTNER-ID", "The sender's id.")},
    (
        header("X-TIMESTAMP", TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA512(notification secret, METHOD + ':' + path + ':' + "
            "lowerhex(sha256(minified body)) + ':' + X-TIMESTAMP)).",
        ),
        header("X-EXTERNAL-ID", "The notification's unique id."),
    ),
    errors={401: NOTIFICATION_PROBLEMS},
)
"""A SNAP notification the bank sends a biller."""

SNAP_ERROR: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "responseCode": {
            "type": "string",
            "pattern": "^[0-9]{7}$",
            "description": "SNAP paths: HTTP status + service code + case, e.g. 4012701.",
        },
        "responseMessage": {"type": "string", "description": "SNAP's fixed English message."},
        **PLAIN_ERROR["properties"],
    },
}
"""The plain error, with SNAP's `responseCode` and `responseMessage` on SNAP paths."""
