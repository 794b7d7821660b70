"""httpx `Auth` for the health-records platform (SATUSEHAT-style OAuth client credentials).

Kept in its own module (next to `auth.py`) so the records dialect could be added without
touching the other dialects. A facility trades `client_id` and `client_secret` for a bearer
token, caches it until shortly before it expires, and fetches a new one once if the platform
says the token expired (or no longer knows it, e.g. after a reset).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import httpx

from sandbox.dialects.auth import EXPIRY_MARGIN, Clock

TOKEN_PATH = "/oauth2/v1/accesstoken"
TOKEN_PROBLEMS = frozenset({"expired_access_token", "invalid_access_token"})
"""The only 401s worth a new token; wrong credentials would fail again the same way."""


class RecordsAuth(httpx.Auth):
    """Bearer token from the records platform's token endpoint, fetched and cached."""

    requires_response_body = True

    def __init__(self, client_id: str, client_secret: str, clock: Clock = time.time) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        return httpx.Request(
            "POST",
            request.url.copy_with(path=TOKEN_PATH, query=b"grant_type=client_credentials"),
            data={"client_id": self.client_id, "client_secret": self.client_secret},
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for attempt in range(2):
            if self._token is None or self.clock() >= self._expires_at:
                response = yield self._token_request(request)
                if response.status_code != 200:
                    return  # the caller sees the token error on its own request below
                body: dict[str, Any] = response.json()
                self._token = str(body["access_token"])
                self._expires_at = self.clock() + float(body["expires_in"]) - EXPIRY_MARGIN
            request.headers["Authorization"] = f"Bearer {self._token}"
            response = yield request
            if response.status_code == 401 and attempt == 0 and _code(response) in TOKEN_PROBLEMS:
                self._token = None  # expired or unknown: fetch a new token once
                continue
            return


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""
