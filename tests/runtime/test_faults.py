"""Injected faults change what institutions do, for our clients and for callers from outside."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime.models import CallFilter
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.scenarios import PhoneReader, checkout
from sandbox.scenarios.base import StoryFailed
from sandbox.wire import Wire
from sandbox.wire.faults import Fault
from tests.conftest import Services

# -- in-process: the Wire applies faults on both sides --------------------------------------


async def test_offline_refuses_our_calls_before_sending(services: Services) -> None:
    services.wire.set_fault("bank", Fault(offline=True))
    with pytest.raises(httpx.ConnectError, match=r"^bank is offline \(fault injected\)$"):
        await services.client("bank").get("/health")
    last = services.calls[-1]
    assert (last.callee, last.status, last.error) == ("bank", None, "offline")
    assert last.outcome == "failed"
    services.wire.set_fault("bank", Fault())
    assert (await services.client("bank").get("/health")).status_code == 200
    assert services.wire.faults == {}


async def test_error_rate_fails_the_same_calls_each_run(services: Services) -> None:
    async def run() -> list[int]:
        services.wire.set_fault("identity", Fault(error_rate=0.5))
        client = services.client("identity")
        return [(await client.get("/nope")).status_code for _ in range(40)]

    first, second = await run(), await run()
    assert first == second, "the dice are seeded per service"
    assert set(first) == {404, 500} and 8 < first.count(500) < 32
    failed = next(c for c in services.calls if c.status == 500)
    assert '"injected_fault"' in failed.response_body


async def test_health_reflects_only_offline(services: Services) -> None:
    services.wire.set_fault("social", Fault(error_rate=1.0, latency_ms=60_000))
    assert (await services.client("social").get("/health")).status_code == 200


def test_a_fault_with_nothing_set_is_no_fault() -> None:
    wire = Wire()
    wire.set_fault("bank", Fault(latency_ms=0, error_rate=0.0))
    assert wire.faults == {} and wire.fault("bank") == Fault()
    assert Fault.from_dict(Fault(True, 5, 0.5).to_dict()) == Fault(True, 5, 0.5)


# -- over real loopback: the control API drives them -----------------------------------------


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


@pytest.fixture
async def control(runtime: Runtime) -> AsyncIterator[ControlClient]:
    client = ControlClient(runtime.control_url, token=runtime.control_token)
    yield client
    await client.aclose()


@pytest.fixture
async def wire(runtime: Runtime) -> AsyncIterator[Wire]:
    """A story's own wire in this process: it knows nothing of the runtime's faults."""
    outside = Wire()
    for name, url in runtime.urls.items():
        outside.set_url(name, url)
    yield outside
    await outside.aclose()


def _quiet(_: str) -> None:
    pass


async def _get(url: str) -> httpx.Response:
    """A call from outside the sandbox (curl, a student's script)."""
    async with httpx.AsyncClient() as http:
        return await http.get(url)


@pytest.mark.slow
async def test_bank_offline_stops_the_checkout_at_the_payment_step(
    runtime: Runtime, control: ControlClient, wire: Wire
) -> None:
    async def pull_the_plug(step: str) -> None:
        if step.startswith("She opens her bank app"):
            await control.set_fault("bank", Fault(offline=True))

    with pytest.raises(StoryFailed, match=r"bank login: .* 503: bank is offline"):
        await checkout(wire, runtime.world, _quiet, gate=pull_the_plug, pay="va")
    [login] = await control.calls(0, 5, CallFilter(text="/mobile/v1/sessions"))
    assert (login.caller, login.callee, login.status) == ("buyer", "bank", 503)
    assert '"service_offline"' in login.response_body
    health = await _get(f"{runtime.urls['bank']}/health")
    assert (health.status_code, health.json()["code"]) == (503, "service_offline")

    await control.clear_fault("bank")
    story = await checkout(wire, runtime.world, _quiet, phone=PhoneReader(control.sms))
    assert story.facts["moved"] == story.facts["amount"], "restored: the checkout works again"


@pytest.mark.slow
async def test_partner_calls_to_an_offline_bank_are_refused_and_recorded(
    runtime: Runtime, control: ControlClient, wire: Wire
) -> None:
    await control.set_fault("bank", Fault(offline=True))
    with pytest.raises(StoryFailed, match="buy: expected HTTP 201"):
        await checkout(wire, runtime.world, _quiet, pay="va")
    refused = await control.calls(0, 10, CallFilter(service="bank", outcome="failed"))
    assert refused, "the marketplace's call to the bank is in the log"
    assert all((c.caller, c.error, c.status) == ("marketplace", "offline", None) for c in refused)
    assert "/v1.0/access-token/b2b" in {c.path for c in refused}


@pytest.mark.slow
async def test_latency_shows_in_duration(runtime: Runtime, control: ControlClient) -> None:
    await control.set_fault("identity", Fault(latency_ms=300))
    await _get(f"{runtime.urls['identity']}/nope")
    await _get(f"{runtime.urls['identity']}/health")
    slowed, health = await control.calls(0, 10, CallFilter(service="identity"))
    assert slowed.path == "/nope" and slowed.duration_ms >= 300
    assert health.path == "/health" and health.duration_ms < 300


@pytest.mark.slow
async def test_error_rate_one_answers_injected_fault(
    runtime: Runtime, control: ControlClient
) -> None:
    await control.set_fault("marketplace", Fault(error_rate=1.0))
    response = await _get(f"{runtime.urls['marketplace']}/api/v2/product/detail?item_id=1")
    body: dict[str, Any] = response.json()
    assert (response.status_code, body["code"]) == (500, "injected_fault")
    assert "marketplace" in body["message"]
    [call] = await control.calls(0, 10, CallFilter(outcome="5xx"))
    assert (call.callee, call.status) == ("marketplace", 500)
    await control.clear_fault("marketplace")
    again = await _get(f"{runtime.urls['marketplace']}/api/v2/product/detail?item_id=1")
    assert again.status_code != 500
