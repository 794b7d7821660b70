"""Every institution on one virtual clock: jumping it forward fires what falls due, in order,
at its own virtual instant (in-process; `tests/runtime/test_clock.py` does it over loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from sandbox.wire.clock import VirtualClock
from sandbox.wire.faults import Fault
from tests.conftest import WORLD_START, FakeClock, Services
from tests.services.test_bank_snap import CREATE, Partner, va_body


@pytest.fixture
def clock() -> VirtualClock:
    """Real time is a fake that never moves by itself; the institutions read a virtual clock."""
    return VirtualClock(FakeClock())


@pytest.fixture
async def services(world: dict[str, Any], clock: VirtualClock) -> AsyncIterator[Services]:
    built = Services(world, clock)  # type: ignore[arg-type]
    yield built
    await built.aclose()


def _as(services: Services, persona: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.world['personas'][persona]['session_token']}"}


async def _buy(services: Services) -> tuple[dict[str, Any], dict[str, Any]]:
    """The buyer taps Buy in the social app; the order and its checkout page's payment."""
    bought = await services.client("social", "buyer").post(
        "/api/v1/videos/1/buy",
        json={"product_id": 100101, "quantity": 1},
        headers=_as(services, "buyer"),
    )
    assert bought.status_code == 201, bought.text
    order = bought.json()
    page = await services.client("marketplace", "buyer").get(urlsplit(order["checkout_url"]).path)
    assert page.status_code == 200, page.text
    await services.settle()
    return order, page.json()["payment"]


async def _status_in_social(services: Services, order_id: str) -> str:
    mine = await services.client("social", "buyer").get(
        f"/api/v1/me/orders/{order_id}", headers=_as(services, "buyer")
    )
    assert mine.status_code == 200, mine.text
    status: str = mine.json()["status"]
    return status


async def _pay(services: Services, payment: dict[str, Any]) -> Any:
    buyer = services.world["personas"]["buyer"]
    bank = services.client("bank", "buyer")
    session = await bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    assert session.status_code == 201, session.text
    return await bank.post(
        "/mobile/v1/va-payments",
        json={"virtual_account_no": payment["virtual_account_no"], "amount": payment["amount"]},
        headers={
            "Authorization": f"Bearer {session.json()['session_token']}",
            "Idempotency-Key": "clock-1",
        },
    )


async def test_advancing_25h_expires_the_order_where_it_would_and_the_bank_refuses(
    services: Services, clock: VirtualClock
) -> None:
    order, payment = await _buy(services)
    assert await _status_in_social(services, order["order_id"]) == "UNPAID"
    await clock.advance(25 * 3600)

    # The marketplace's sweep ran at the VA's deadline (24 h), not at the end of the jump:
    # it closed the VA at the bank and told the storefront, both recorded at that instant.
    deadline = WORLD_START + 24 * 3600
    closing = [c for c in services.calls if c.caller == "marketplace" and c.callee == "bank"]
    told = [c for c in services.calls if c.caller == "marketplace" and c.callee == "social"]
    assert closing[-1].started_at == deadline
    assert told[-1].started_at == deadline and told[-1].status == 200
    assert await _status_in_social(services, order["order_id"]) == "CANCELLED"
    assert clock() == WORLD_START + 25 * 3600

    refused = await _pay(services, payment)
    assert refused.status_code == 404, refused.text


async def test_a_va_past_its_date_is_refused_by_the_bank_after_a_jump(
    services: Services, clock: VirtualClock
) -> None:
    partner = Partner(services)
    created = await partner.call("POST", CREATE, va_body(expired="2024-03-01T16:00:00+07:00"))
    assert created.status_code == 200, created.text  # expires an hour after WORLD_START
    payment = {"virtual_account_no": va_body()["virtualAccountNo"], "amount": 185000}
    await clock.advance(2 * 3600)
    refused = await _pay(services, payment)
    assert refused.status_code == 410, refused.text
    assert refused.json()["code"] == "va_expired"


async def test_a_token_is_refused_after_advancing_901_seconds(
    services: Services, clock: VirtualClock
) -> None:
    partner = Partner(services)
    token = await partner.token()
    assert (await partner.signed("POST", CREATE, va_body("1"), token)).status_code == 200
    await clock.advance(901)
    late = await partner.signed("POST", CREATE, va_body("2"), token)
    assert late.status_code == 401
    assert late.json()["responseCode"] == "4012701"


async def test_webhook_retries_are_delivered_at_their_virtual_times_in_order(
    services: Services, clock: VirtualClock
) -> None:
    """The marketplace is offline when the buyer pays her VA: the bank's payment notification
    is retried on the outbox's backoff (1, 2, 4, 8 ... s), each try recorded at its own
    virtual instant; back online, the next retry is delivered and the order is paid."""
    order, payment = await _buy(services)
    clock.freeze()
    paid_at = clock()
    services.wire.set_fault("marketplace", Fault(offline=True))
    assert (await _pay(services, payment)).status_code == 201
    await services.settle()  # the first try, at once
    await clock.advance(60)
    services.wire.set_fault("marketplace", Fault())
    await clock.advance(60)

    tries = [
        (c.started_at - paid_at, c.error)
        for c in services.calls
        if c.caller == "bank" and c.callee == "marketplace"
    ]
    offline = [(t, "offline") for t in (0, 1, 3, 7, 15, 31)]
    assert tries == [*offline, (63, None)]
    assert services.apps["bank"].state.outbox.pending() == []
    await clock.advance(1)  # the storefront hears it at once (a webhook of the marketplace)
    assert await _status_in_social(services, order["order_id"]) == "AWAITING_SHIPMENT"
