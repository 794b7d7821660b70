"""The civil registry's partner dialect: its signature, its Auth, its credentials.

`IdentityAuth` signs a partner's calls; `REGISTRY_SIGNED` and `REGISTRY_WEBHOOK` are how the
OpenAPI documents declare the same recipe.

Headers `X-Client-Id`, `X-Timestamp` (ISO-8601 with offset), `X-Nonce` (random, once per
request) and `X-Signature` = hex HMAC-SHA256(client secret,
"METHOD:path:lowerhex(sha256(minified body)):X-Timestamp:X-Nonce"). The nonce lets the registry
refuse a captured request replayed within the freshness window.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Generator

import httpx

from sandbox.dialects.common import TIMESTAMP_ISO, Clock, body_hash, same, timestamp
from sandbox.framework.contract import Security, api_key, header
from sandbox.wire.context import random_hex


def signature(secret: str, method: str, path: str, body: bytes, ts: str, nonce: str) -> str:
    """The `X-Signature` header for a request to the registry."""
    text = f"{method.upper()}:{path}:{body_hash(body)}:{ts}:{nonce}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)


class IdentityAuth(httpx.Auth):
    """Signs requests to the civil registry as a partner agency."""

    requires_request_body = True

    def __init__(self, client_id: str, client_secret: str, clock: Clock = time.time) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ts, nonce = timestamp(self.clock()), random_hex()
        request.headers["X-Client-Id"] = self.client_id
        request.headers["X-Timestamp"] = ts
        request.headers["X-Nonce"] = nonce
        request.headers["X-Signature"] = signature(
            self.client_secret, request.method, request.url.path, request.content, ts, nonce
        )
        yield request


REGISTRY_SIGNED = Security(
    {"registryClientId": api_key("registryClientId", "header", "X-Client-Id", "Client id.")},
    (
        header("X-Timestamp", TIMESTAMP_ISO),
        header("X-Nonce", "Fresh for every request, at most 64 characters."),
        header(
            "X-Signature",
            "hex(HMAC-SHA256(client secret, METHOD + ':' + path + ':' + "
            "lowerhex(sha256(minified body)) + ':' + X-Timestamp + ':' + X-Nonce)).",
        ),
    ),
)
"""A partner's signed request to the civil registry."""

REGISTRY_WEBHOOK = Security(
    {
        "registryWebhook": api_key(
            "registryWebhook",
            "header",
            "X-Client-Id",
            "Your own client id at the registry: it signs the webhook with your client secret.",
        )
    },
    REGISTRY_SIGNED.parameters,
)
"""A webhook from the civil registry (the person's answer to a consent request), signed as a
partner signs its requests there, with the receiving partner's own secret."""
