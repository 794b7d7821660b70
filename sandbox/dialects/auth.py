"""httpx `Auth` flows for each institution's partner dialect.

The same classes serve the institutions (marketplace calling the bank), the scenarios, the
tests and a developer's own script, so everyone signs exactly the same way. Each fetches and
caches its access token where the dialect has one, and signs every request with fresh time.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx

from sandbox.dialects.signing import bank as snap
from sandbox.dialects.signing import identity as registry
from sandbox.dialects.signing import marketplace as platform
from sandbox.dialects.signing.common import timestamp
from sandbox.wire.context import random_hex

Clock = Callable[[], float]
EXPIRY_MARGIN = 30.0
"""Refresh a token this many seconds before it expires."""


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
        request.headers["X-Signature"] = registry.signature(
            self.client_secret, request.method, request.url.path, request.content, ts, nonce
        )
        yield request


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
                "X-SIGNATURE": snap.token_signature(self.client_key, self.client_secret, ts),
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
        request.headers["X-SIGNATURE"] = snap.transaction_signature(
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
        params["sign"] = platform.request_signature(
            self.app_secret, request.url.path, params, request.content
        )
        request.url = request.url.copy_with(params=params)
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
