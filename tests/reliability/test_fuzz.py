"""Fuzzing every institution from its own OpenAPI document (schemathesis).

For each operation schemathesis generates requests that fit the document (positive) and
requests that break it (negative); each is sent in-process through the recording wire, once
with the credentials of the party allowed to call it and once as a stranger. Every answer must
be below 500 and, where the document describes it, match the document's own response schema
and content type. Examples per operation and mode: `SANDBOX_FUZZ_EXAMPLES` (CI: a few, with a
fixed seed so a failure repeats).
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, reject, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import FakeClock, Services
from tests.reliability.callers import SERVICES, Caller
from tests.reliability.conftest import env_int

pytestmark = pytest.mark.reliability

EXAMPLES = env_int("SANDBOX_FUZZ_EXAMPLES", 6)
"""Generated requests per operation and generation mode."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
"""No 5xx, and no answer that contradicts the service's own document: its status is one the
document lists for the operation, and its body and content type are the ones listed for it."""
BASE = "http://fuzz.sandbox"


def _request_of(case: Any) -> tuple[str, str, dict[str, str], bytes | None]:
    """(method, path with query, headers, body) of a generated case, as it would be sent."""
    kwargs = case.as_transport_kwargs(base_url=BASE)
    url = urlsplit(kwargs["url"])
    path = url.path + (f"?{url.query}" if url.query else "")
    params = kwargs.get("params") or {}
    if params:
        path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
    headers = {
        k: str(v)
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in ("connection", "accept-encoding", "user-agent")
    }
    body: bytes | None = None
    if "json" in kwargs:
        body = httpx.Request("POST", BASE, json=kwargs["json"]).content
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(kwargs.get("data"), dict):
        body = urlencode(kwargs["data"], doseq=True).encode()
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode()
    return kwargs["method"], path, headers, body


def _fuzz_operation(
    loop: asyncio.AbstractEventLoop,
    caller: Caller,
    service: str,
    operation: Any,
    mode: GenerationMode,
    tried: list[int],
) -> None:
    """Send `EXAMPLES` generated cases; raises (after shrinking) on the first bad answer."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        method, path, headers, body = _request_of(case)
        try:
            response = loop.run_until_complete(
                caller.request(service, method, path, content=body, headers=headers)
            )
        except (UnicodeEncodeError, httpx.LocalProtocolError):
            reject()  # a header httpx itself refuses to send never reaches the service
        response.elapsed = datetime.timedelta(0)  # schemathesis reads it; in-process calls
        tried[0] += 1  # have no network time to speak of
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("stranger", [False, True], ids=["with-credentials", "as-stranger"])
@pytest.mark.parametrize("service", SERVICES)
def test_fuzzed_requests_get_no_5xx_and_match_the_schema(
    world: dict[str, Any], service: str, stranger: bool
) -> None:
    loop = asyncio.new_event_loop()
    services = Services(world, FakeClock())
    caller = Caller(services.wire, world, stranger=stranger)
    schema = schemathesis.openapi.from_dict(services.apps[service].openapi())
    failures: list[str] = []
    tried = [0]
    try:
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                failures.append(f"the document itself is invalid: {result.err()}")
                continue
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _fuzz_operation(loop, caller, service, operation, mode, tried)
                except Unsatisfiable:
                    continue  # nothing to break: the operation takes no input
                except Exception as exc:  # collected, so one run reports every operation
                    failures.append(f"{operation.label} ({mode.value}): {exc}"[:1500])
        health = loop.run_until_complete(caller.request(service, "GET", "/health"))
    finally:
        loop.run_until_complete(services.aclose())
        loop.close()
    print(
        f"fuzz {service} {'as a stranger' if stranger else 'with credentials'}: "
        f"{tried[0]} requests, {len(failures)} failing operations"
    )
    assert not failures, "\n\n".join(failures)
    assert tried[0] >= EXAMPLES, "schemathesis generated (almost) nothing"
    assert health.status_code == 200
