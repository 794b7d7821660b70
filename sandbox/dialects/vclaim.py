"""VClaim, the national health insurer's dialect: its signature, Auth, credentials and errors.

Every request carries `X-cons-id` (the facility's consumer id), `X-timestamp` (Unix seconds, as
a string), `user_key` and `X-signature` = base64(HMAC-SHA256(secret, cons_id + "&" + timestamp)).

Note what is *not* signed: the method, the path and the body. The signature only proves that the
caller knows the secret and that the timestamp is recent, so a captured request can be replayed
within the freshness window, and two honest requests in the same second carry the same
signature (the insurer cannot tell a replay from a second call). That is a lesson in itself:
compare it with the bank's and the registry's schemes.

`InsuranceAuth` stamps a partner's calls:

    auth = InsuranceAuth(cons_id, secret, user_key, clock)
    await client.get("/vclaim-rest/Peserta/nik/9971015403960001/tglSEP/2024-03-01", auth=auth)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Generator
from typing import Any

import httpx

from sandbox.dialects.common import Clock, same
from sandbox.framework.contract import PLAIN_ERROR, Security, api_key, header


def signature(cons_id: str, secret: str, timestamp: str) -> str:
    """The `X-signature` header for a request made at `timestamp` (Unix seconds)."""
    message = f"{cons_id}&{timestamp}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature is a mismatch."""
    return same(expected, given)


class InsuranceAuth(httpx.Auth):
    """Adds `X-cons-id`, `X-timestamp`, `X-signature` and `user_key` to every request."""

    def __init__(self, cons_id: str, secret: str, user_key: str, clock: Clock = time.time) -> None:
        self.cons_id = str(cons_id)
        self.secret = secret
        self.user_key = user_key
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ts = str(int(self.clock()))  # whole Unix seconds, sent as a string
        request.headers["X-cons-id"] = self.cons_id
        request.headers["X-timestamp"] = ts
        request.headers["X-signature"] = signature(self.cons_id, self.secret, ts)
        request.headers["user_key"] = self.user_key
        yield request


VCLAIM = Security(
    {"consId": api_key("consId", "header", "X-cons-id", "Your consumer id.")},
    (
        header("X-timestamp", "Unix seconds, as a string.", pattern="^[0-9]{1,12}$"),
        header(
            "X-signature",
            "base64(HMAC-SHA256(consumer secret, X-cons-id + '&' + X-timestamp)).",
        ),
        header("user_key", "Your user key."),
    ),
)
"""VClaim's four headers."""

VCLAIM_ERROR: dict[str, Any] = {
    "title": "VClaimError",
    "type": "object",
    "required": ["metaData", "response", "code", "message"],
    "properties": {
        "metaData": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "VClaim's code, a string: '201', '400'...",
                },
                "message": {"type": "string"},
            },
        },
        "response": {"type": "null"},
        **PLAIN_ERROR["properties"],
    },
}
"""VClaim's envelope `{metaData, response: null}` with `code`, `message` (and `field`)."""
