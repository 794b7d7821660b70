"""The bank's SNAP-style signatures.

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
from collections.abc import Mapping

from sandbox.dialects.signing.common import body_hash, freshness_problem, same


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
