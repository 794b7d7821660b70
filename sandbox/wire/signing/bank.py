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

from sandbox.wire.signing.common import body_hash


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def token_signature(client_key: str, secret: str, ts: str) -> str:
    """Signature of a B2B access-token request."""
    return _b64(hmac.new(secret.encode(), f"{client_key}|{ts}".encode(), hashlib.sha256).digest())


def transaction_signature(secret: str, method: str, path: str, token: str, body: bytes,
                          ts: str) -> str:
    """Signature of a transaction request (create VA, status...)."""
    text = f"{method.upper()}:{path}:{token}:{body_hash(body)}:{ts}"
    return _b64(hmac.new(secret.encode(), text.encode(), hashlib.sha512).digest())


def notification_signature(secret: str, method: str, path: str, body: bytes, ts: str) -> str:
    """Signature of a payment notification the bank sends to a biller."""
    text = f"{method.upper()}:{path}:{body_hash(body)}:{ts}"
    return _b64(hmac.new(secret.encode(), text.encode(), hashlib.sha512).digest())


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison that treats a missing signature as a mismatch."""
    return given is not None and hmac.compare_digest(expected, given)
