"""The bank throttles a partner over its rate (SNAP 429 with Retry-After), and the marketplace's
bank client waits it out and sends the same request again."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from sandbox.services.bank.throttle import Throttle
from sandbox.services.marketplace.clients.bank import (
    JITTER_S,
    MAX_THROTTLED,
    BankClient,
    retry_after,
)
from sandbox.wire.faults import Fault
from tests.conftest import Services
from tests.services.test_bank_snap import CREATE, Partner, va_body

NOW = 1_700_000_000.0


def test_throttle_grants_a_second_s_worth_then_waits() -> None:
    throttle = Throttle()
    assert [throttle.wait_s("mp", 2, NOW) for _ in range(2)] == [0.0, 0.0]
    assert throttle.wait_s("mp", 2, NOW) == pytest.approx(0.5)
    assert throttle.wait_s("other", 2, NOW) == 0.0  # per partner
    assert throttle.wait_s("mp", 2, NOW - 60) > 0  # a clock set back refills nothing
    assert throttle.wait_s("mp", 2, NOW + 0.5) == 0.0
    assert all(throttle.wait_s("mp", 0, NOW) == 0.0 for _ in range(100))  # 0: no limit


def test_retry_after_is_bounded_whatever_the_header_says() -> None:
    assert retry_after("2") == 2.0
    assert retry_after(None) == retry_after("soon") == retry_after("nan") == 1.0
    assert retry_after("-3") == 0.0
    assert retry_after("1e9") == retry_after("inf") == 5.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 1.0


async def test_bank_answers_429_with_retry_after_and_the_same_request_goes_through(
    services: Services,
) -> None:
    services.wire.set_fault("bank", Fault(rate_limit=1))
    partner = Partner(services)
    assert (await partner.call("POST", CREATE, va_body("100000001"))).status_code == 200
    external = {"X-EXTERNAL-ID": str(secrets.randbelow(10**18)).zfill(18)}
    body = va_body("100000002")
    throttled = await partner.client.post(CREATE, json=body, auth=partner.auth, headers=external)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["responseCode"] == "4292700"
    assert "X-EXTERNAL-ID" in throttled.json()["message"]
    services.clock.advance(1)
    # Throttled before its X-EXTERNAL-ID was claimed: the same request is not a duplicate.
    again = await partner.client.post(CREATE, json=body, auth=partner.auth, headers=external)
    assert again.status_code == 200, again.text
    services.wire.set_fault("bank", Fault())
    unlimited = [await partner.call("POST", CREATE, va_body(f"10000001{i}")) for i in range(5)]
    assert [r.status_code for r in unlimited] == [200] * 5


async def test_marketplace_waits_retry_after_and_retries_with_the_same_external_id(
    services: Services,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        services.clock.advance(seconds)  # the bank's allowance refills on its own clock

    holds = services.world["partners"]["bank"]["marketplace"]
    bank = BankClient(services.wire, holds, services.clock, sleep=sleep)
    services.wire.set_fault("bank", Fault(rate_limit=1))
    first, second = await asyncio.gather(
        bank.create_va("1001", "SARI", 185_000, services.clock() + 3600),
        bank.create_va("1002", "BUDI", 185_000, services.clock() + 3600),
    )
    assert first.ok and second.ok, (first.describe(), second.describe())
    [waited] = waits
    assert 1.0 <= waited <= 1.0 + JITTER_S  # Retry-After, and a little jitter
    creates = [c for c in services.calls if c.path == CREATE and c.caller == "marketplace"]
    assert sorted(c.status or 0 for c in creates) == [200, 200, 429]
    ids = [dict(c.request_headers).get("x-external-id") for c in creates]
    assert len(set(ids)) == 2  # the retried call kept its X-EXTERNAL-ID


async def test_marketplace_gives_up_after_a_bounded_number_of_retries(
    services: Services,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)  # the clock stands still: the bank stays over its limit

    holds = services.world["partners"]["bank"]["marketplace"]
    bank = BankClient(services.wire, holds, services.clock, sleep=sleep)
    services.wire.set_fault("bank", Fault(rate_limit=1))
    assert (await bank.create_va("1001", "SARI", 185_000, services.clock() + 3600)).ok
    answer = await bank.create_va("1002", "BUDI", 185_000, services.clock() + 3600)
    assert answer.status == 429 and not answer.ok and not answer.unsure
    assert len(waits) == MAX_THROTTLED
