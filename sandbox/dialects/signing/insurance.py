"""The national health insurer's (VClaim-style) partner signature.

Every request carries `X-cons-id` (the facility's consumer id), `X-timestamp` (Unix seconds, as
a string), `user_key` and `X-signature` = base64(HMAC-SHA256(secret, cons_id + "&" + timestamp)).

Note what is *not* signed: the method, the path and the body. The signature only proves that the
caller knows the secret and that the timestamp is recent, so a captured request can be replayed
within the freshness window, and two honest requests in the same second carry the same
signature (the insurer cannot tell a replay from a second call). That is a lesson in itself:
compare it with the bank's and the registry's schemes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from sandbox.dialects.signing.common import same


def signature(cons_id: str, secret: str, timestamp: str) -> str:
    """The `X-signature` header for a request made at `timestamp` (Unix seconds)."""
    message = f"{cons_id}&{timestamp}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)
