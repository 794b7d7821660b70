"""The marketplace open platform's signatures.

- Requests: sort query parameters except `sign` and `access_token`, join each as key+value,
  prefix the path, append the raw body, wrap the whole string in the app secret on both sides,
  then hex HMAC-SHA256 keyed by the app secret. Sent as the `sign` query parameter with
  `app_key` and `timestamp` (Unix seconds).
- Webhooks: header `Authorization` = hex HMAC-SHA256(app secret, app_key + raw body).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from sandbox.dialects.signing.common import same

UNSIGNED = frozenset({"sign", "access_token"})


def request_signature(app_secret: str, path: str, params: Mapping[str, str], body: bytes) -> str:
    """The `sign` parameter for a request."""
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in UNSIGNED)
    text = app_secret.encode() + path.encode() + joined.encode() + body + app_secret.encode()
    return hmac.new(app_secret.encode(), text, hashlib.sha256).hexdigest()


def webhook_signature(app_secret: str, app_key: str, body: bytes) -> str:
    """The `Authorization` header of a webhook to a partner."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)
