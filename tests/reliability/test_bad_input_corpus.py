"""Every endpoint of every institution answers the malformed-request corpus with a 4xx JSON error.

Extends `tests/services/test_bad_input.py` (a few bad bodies at four institutions) to all seven
institutions and to the whole corpus of `corpus.py`, sent with the credentials of the party
allowed to call each endpoint, so the bad input reaches the code behind authentication. After
the corpus the institution must still answer its health check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Services
from tests.reliability.callers import SERVICES, Caller
from tests.reliability.corpus import (
    REGION_BLIND,
    REGION_NIKS,
    BadRequest,
    body_problems,
    nik_problems,
    operations,
    unknown_ids,
)

pytestmark = pytest.mark.reliability


async def _chunks(content: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


async def _send(caller: Caller, service: str, bad: BadRequest) -> tuple[int, Any, str]:
    """(status, JSON body or None, where) of one corpus request."""
    headers = dict(bad.headers)
    content: Any = bad.content
    if headers.pop("x-corpus-stream", None):
        content = _chunks(bad.content or b"")
    response = await caller.request(service, bad.method, bad.path, content=content, headers=headers)
    try:
        data = response.json()
    except ValueError:
        data = None
    return response.status_code, data, f"{service}: {bad.method} {bad.path[:80]} ({bad.what})"


def _no_consent(status: int, data: Any) -> bool:
    """A 403 consent_missing in the institution's dialect: a well-formed NIK is someone, and
    nothing about a person is looked up before her consent is quoted (no consent can exist for
    a NIK nobody has, so the corpus quotes none)."""
    return status == 403 and isinstance(data, dict) and data.get("code") == "consent_missing"


def _corpus(doc: dict[str, Any]) -> list[BadRequest]:
    found: list[BadRequest] = []
    for endpoint in operations(doc):
        if endpoint.has_body:
            found.extend(body_problems(doc, endpoint))
        found.extend(nik_problems(doc, endpoint))
        found.extend(unknown_ids(endpoint))
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_malformed_requests_get_a_4xx_json_error(services: Services, service: str) -> None:
    caller = Caller(services.wire, services.world)
    corpus = _corpus(services.apps[service].openapi())
    wrong = []
    for bad in corpus:
        status, data, where = await _send(caller, service, bad)
        if service in REGION_BLIND and bad.what.removeprefix("NIK ") in REGION_NIKS:
            if not _no_consent(status, data):
                wrong.append(f"{where} -> HTTP {status} {str(data)[:200]}, not consent_missing")
        elif not 400 <= status < 500:
            wrong.append(f"{where} -> HTTP {status} {str(data)[:200]}")
        elif not (isinstance(data, dict) and data.get("code") and data.get("message")):
            wrong.append(f"{where} -> HTTP {status} without a JSON code and message: {data}")
    print(f"bad input {service}: {len(corpus)} requests, {len(wrong)} wrong")
    assert len(corpus) >= 10
    assert not wrong, f"{len(wrong)} of {len(corpus)}:\n" + "\n".join(wrong)
    health = await caller.request(service, "GET", "/health")
    assert health.status_code == 200, "the institution is still healthy after the corpus"
