"""The civil registry's partner signature.

Headers `X-Client-Id`, `X-Timestamp` (ISO-8601 with offset), `X-Nonce` (random, once per
request) and `X-Signature` = hex HMAC-SHA256(client secret,
"METHOD:path:lowerhex(sha256(minified body)):X-Timestamp:X-Nonce"). The nonce lets the registry
refuse a captured request replayed within the freshness window.
"""

from __future__ import annotations

import hashlib
import hmac

from sandbox.dialects.signing.common import body_hash, same


def signature(secret: str, method: str, path: str, body: bytes, ts: str, nonce: str) -> str:
    """The `X-Signature` header for a request to the registry."""
    text = f"{method.upper()}:{path}:{body_hash(body)}:{ts}:{nonce}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)
