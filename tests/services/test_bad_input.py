"""Every endpoint of every institution answers bad input with a clear 4xx JSON error.

Built from the services' own OpenAPI documents, so a new endpoint is covered the day it
appears: invalid JSON, an empty object, a list, wrong types and unknown ids, both as a stranger
and with the right partner credentials.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sandbox.scenarios.identities import ANONYMOUS, Actor
from tests.conftest import Services

BAD_BODIES: list[tuple[str, bytes]] = [
    ("invalid json", b"{not json"),
    ("empty object", b"{}"),
    ("a list", b"[1, 2]"),
    (
        "wrong types",
        b'{"nik": 12, "amount": "lots", "quantity": "two", "pin": [], '
        b'"product_id": {"a": 1}, "consent": "yes", "totalAmount": 5}',
    ),
    ("huge number", b'{"amount": 1e309, "quantity": 99999999999999999999999}'),
]
PARTNER_OF = {"identity": "bank", "bank": "marketplace", "marketplace": "social", "social": "buyer"}


def _operations(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, ops in doc["paths"].items():
        for method in ops:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "99999", path)))
    return found


@pytest.mark.parametrize("service", ["social", "marketplace", "bank", "identity"])
async def test_bad_input_never_gets_a_5xx(services: Services, service: str) -> None:
    doc = services.apps[service].openapi()
    callers = [
        Actor(services.wire, services.world, who) for who in (ANONYMOUS, PARTNER_OF[service])
    ]
    checked = 0
    for method, path in _operations(doc):
        for caller in callers:
            for what, body in BAD_BODIES if method != "GET" else [("no body", b"")]:
                response = await caller.request(
                    service,
                    method,
                    path,
                    content=body,
                    headers={"content-type": "application/json", "Idempotency-Key": "bad-1"},
                )
                where = f"{caller.who}: {method} {path} with {what}"
                assert response.status_code < 500, f"{where} -> {response.text[:300]}"
                if response.status_code >= 400:
                    data = response.json()
                    assert data.get("code") and data.get("message"), f"{where}: {data}"
                checked += 1
    assert checked >= 10
    health = await services.client(service).get("/health")
    assert health.status_code == 200, "the service is still healthy after all that"
