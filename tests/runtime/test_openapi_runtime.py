"""The OpenAPI documents hold over a real runtime: every story and every probe on loopback.

The same check as tests/framework/test_openapi_conformance.py, but against the sandbox a developer
runs: uvicorn servers on 127.0.0.1, documents fetched from each `/openapi.json`, and the calls
as the runtime recorded them (its event stream). Recorded bodies are redacted (a token or a
NIK masked) and capped, so a body cut short is not validated; everything else is.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import SCENARIOS, TAKES_PHONE, PhoneReader
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from tests.conformance import Exchange, judge, probe

pytestmark = pytest.mark.slow


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _exchange(call: HttpCall) -> Exchange:
    path, _, query = call.path.partition("?")
    return Exchange(
        call.callee,
        call.method,
        path,
        query,
        {k.lower(): v for k, v in call.request_headers},
        call.request_body.encode(),
        int(call.status or 0),
        {k.lower(): v for k, v in call.response_headers},
        call.response_body.encode(),
    )


async def _stories_and_probes(runtime: Runtime, documents: dict[str, dict[str, Any]]) -> None:
    wire = Wire()
    for name, url in runtime.urls.items():
        wire.set_url(name, url)
    control = ControlClient(runtime.control_url)
    clients: dict[str, httpx.AsyncClient] = {}
    try:
        for name, story in SCENARIOS.items():
            options: dict[str, Any] = {}
            if name in TAKES_PHONE:
                options["phone"] = PhoneReader(control.sms)
            if name == "checkout":  # the jump to the bank's app too, not only the debit
                await story(wire, runtime.world, lambda _: None, pay="va")
            await story(wire, runtime.world, lambda _: None, **options)
        for name, url in runtime.urls.items():
            clients[name] = httpx.AsyncClient(base_url=url, timeout=10)
        await probe(lambda service: clients[service], documents)
    finally:
        for client in clients.values():
            await client.aclose()
        await wire.aclose()
        await control.aclose()


def _settle(recorded: list[HttpCall], lock: threading.Lock) -> None:
    """Wait (bounded) until the servers have published the last calls they recorded."""
    before = -1
    for _ in range(50):
        with lock:
            now = len(recorded)
        if now == before:
            return
        before = now
        time.sleep(0.1)


def test_answers_over_a_real_runtime_conform_to_the_documents(runtime: Runtime) -> None:
    recorded: list[HttpCall] = []
    lock = threading.Lock()

    def keep(event: object) -> None:
        if isinstance(event, HttpCall):
            with lock:
                recorded.append(event)

    unsubscribe = runtime.stream.subscribe(keep)
    documents = {
        name: httpx.get(f"{url}/openapi.json", timeout=10).json()
        for name, url in runtime.urls.items()
    }
    try:
        asyncio.run(_stories_and_probes(runtime, documents))
        _settle(recorded, lock)
    finally:
        unsubscribe()
    with lock:
        calls = [c for c in recorded if c.status and not c.truncated and c.callee in documents]
    verdict = judge(documents, [_exchange(c) for c in calls])
    print("\n" + verdict.report("real runtime"))
    assert verdict.seen > 200, "the stories and probes made (almost) no calls"
    assert verdict.conforming >= 0.99 * verdict.seen, "\n".join(verdict.failures)
    assert not verdict.unsecured, sorted(verdict.unsecured)
