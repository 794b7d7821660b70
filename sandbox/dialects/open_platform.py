"""The marketplace's open platform: app_key and `sign`, its Auth, its webhook signature.

Its strings to sign, the httpx `Auth` a partner sends its calls with (`MarketplaceAuth`: OAuth
client credentials, then signed query parameters) and its credentials as the OpenAPI documents
declare them.

- Requests: sort query parameters except `sign` and `access_token`, join each as key+value,
  prefix the path, append the raw body, wrap the whole string in the app secret on both sides,
  then hex HMAC-SHA256 keyed by the app secret. Sent as the `sign` query parameter with
  `app_key` and `timestamp` (Unix seconds).
- Webhooks: header `Authorization` = hex HMAC-SHA256(app secret, app_key + raw body).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Generator, Mapping
from typing import Any

import httpx

from sandbox.dialects.common import EXPIRY_MARGIN, Clock, same
from sandbox.framework.contract import Security, api_key, query
from sandbox.wire.client import with_params
from sandbox.wire.context import random_hex

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


class MarketplaceAuth(httpx.Auth):
    """Open-platform partner: OAuth client credentials, then signed query parameters."""

    requires_request_body = True
    requires_response_body = True
    TOKEN_PATH = "/oauth/token"

    def __init__(self, app_key: str, app_secret: str, clock: Clock = time.time) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        token_request = httpx.Request(
            "POST",
            request.url.copy_with(path=self.TOKEN_PATH, query=None),
            data={"grant_type": "client_credentials"},
        )
        return next(httpx.BasicAuth(self.app_key, self.app_secret).auth_flow(token_request))

    def _sign(self, request: httpx.Request) -> None:
        assert self._token is not None
        params = {
            k: v
            for k, v in request.url.params.multi_items()
            if k not in ("sign", "app_key", "timestamp", "nonce")
        }
        params.update(app_key=self.app_key, timestamp=str(int(self.clock())), nonce=random_hex())
        params["sign"] = request_signature(
            self.app_secret, request.url.path, params, request.content
        )
        request.url = with_params(request.url, params)
        request.headers["x-tts-access-token"] = self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for attempt in range(2):
            if self._token is None or self.clock() >= self._expires_at:
                response = yield self._token_request(request)
                if response.status_code != 200:
                    return
                body: dict[str, Any] = response.json()
                self._token = body["access_token"]
                self._expires_at = self.clock() + float(body["expires_in"]) - EXPIRY_MARGIN
            self._sign(request)
            response = yield request
            if (
                response.status_code == 401
                and attempt == 0
                and _json_code(response) in TOKEN_PROBLEMS
            ):
                self._token = None  # expired or revoked: fetch a new token once
                continue
            return


TOKEN_PROBLEMS = frozenset({"invalid_access_token", "expired_access_token"})
"""The only 401s worth a new token; a bad signature would fail again the same way."""


def _json_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""


MARKETPLACE_TOKEN = Security(
    {
        "appKeyBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "app_key:app_secret; form body grant_type=client_credentials.",
        }
    }
)
"""The open platform's token endpoint (OAuth 2 client credentials, client_secret_basic)."""

MARKETPLACE_SIGNED = Security(
    {
        "appKey": api_key("appKey", "query", "app_key", "Your app key."),
        "accessToken": api_key(
            "accessToken", "header", "x-tts-access-token", "The token from POST /oauth/token."
        ),
    },
    (
        query("timestamp", "Unix seconds; 5 minutes of skew.", pattern="^[0-9]{1,12}$"),
        query("nonce", "Fresh for every request (a replay is refused)."),
        query(
            "sign",
            "hex(HMAC-SHA256(app secret, app secret + path + every query parameter but sign "
            "and access_token sorted by name as name+value + raw body + app secret)).",
        ),
    ),
)
"""A signed open-platform request."""

MARKETPLACE_WEBHOOK = Security(
    {
        "webhookSignature": api_key(
            "webhookSignature",
            "header",
            "Authorization",
            "hex(HMAC-SHA256(app secret, app_key + raw body)).",
        )
    }
)
"""A webhook the marketplace sends a partner."""
