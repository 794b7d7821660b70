"""The health-records platform's dialect (SATUSEHAT-style): OAuth 2 client credentials, FHIR.

`RecordsAuth` is the httpx `Auth` a facility sends its calls with; `RECORDS_TOKEN` and
`RECORDS_BEARER` declare the same credentials in the OpenAPI document; `FHIR_ERROR` is the
OperationOutcome every error answers with. A facility trades `client_id` and `client_secret`
for a bearer token, caches it until shortly before it expires, and fetches a new one once if
the platform says the token expired (or no longer knows it, e.g. after a reset).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import httpx

from sandbox.dialects.common import EXPIRY_MARGIN, Clock
from sandbox.framework.contract import FRAMEWORK_ERROR, Security

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


RECORDS_TOKEN = Security({}, in_body="Form fields client_id and client_secret.")
"""The token endpoint itself: client_id and client_secret travel in its form body."""

RECORDS_BEARER = Security(
    {
        "satusehatOAuth": {
            "type": "oauth2",
            "description": "Client credentials in the form body; the token lasts 3599 s.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/oauth2/v1/accesstoken?grant_type=client_credentials",
                    "scopes": {},
                }
            },
        }
    }
)
"""A facility's bearer token at the records platform (OAuth 2 client credentials)."""

FHIR_ERROR: dict[str, Any] = {
    "title": "OperationOutcome",
    "type": "object",
    "required": ["resourceType", "issue", "code", "message"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code", "diagnostics"],
                "properties": {
                    "severity": {"enum": ["fatal", "error", "warning", "information"]},
                    "code": {
                        "type": "string",
                        "description": "FHIR issue type (invalid, login...).",
                    },
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        **FRAMEWORK_ERROR["properties"],
    },
}
"""A FHIR R4 OperationOutcome with the sandbox's `code` and `message` added."""
