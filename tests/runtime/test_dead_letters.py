"""A payment nobody can take is reversed, and its notification shows as a dead letter: through
the control API, ControlClient and `sandbox webhooks`, over real loopback HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.config import Settings
from sandbox.dialects.common import timestamp
from sandbox.dialects.partners import partner_auth
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime

pytestmark = pytest.mark.slow


@pytest.fixture
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("dead"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def _a_va_the_marketplace_never_asked_for(runtime: Runtime) -> str:
    """Created with the marketplace's own SNAP key, but for no order of the marketplace."""
    creds: dict[str, Any] = runtime.world["partners"]["bank"]["marketplace"]
    prefix: str = creds["partner_service_id"]
    customer = "777000111"
    body = {
        "partnerServiceId": prefix,
        "customerNo": customer,
        "virtualAccountNo": prefix + customer,
        "virtualAccountName": "NOBODY",
        "trxId": customer,
        "totalAmount": {"value": "50000.00", "currency": "IDR"},
        "expiredDate": timestamp(time.time() + 3600),
        "additionalInfo": {},
    }
    auth = partner_auth("bank", creds, time.time)
    created = httpx.post(f"{runtime.urls['bank']}/v1.0/transfer-va/create-va", json=body, auth=auth)
    assert created.status_code == 200, created.text
    return prefix + customer


def test_a_refused_payment_is_reversed_and_listed_as_a_dead_letter(runtime: Runtime) -> None:
    va = _a_va_the_marketplace_never_asked_for(runtime)
    with httpx.Client(base_url=runtime.urls["bank"], timeout=10) as bank:
        _pay_and_see_it_reversed(runtime, bank, va)


def _pay_and_see_it_reversed(runtime: Runtime, bank: httpx.Client, va: str) -> None:
    buyer = runtime.world["personas"]["buyer"]
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    bank.headers["Authorization"] = f"Bearer {login.json()['session_token']}"
    before = bank.get("/mobile/v1/accounts/me").json()["balance"]
    paid = bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "dl-1"},
        json={"virtual_account_no": va.replace(" ", ""), "amount": 50000},
    )
    assert paid.status_code == 201, paid.text

    deadline = time.monotonic() + 20
    dead: list[dict[str, Any]] = []
    while len(dead) < 2 and time.monotonic() < deadline:
        dead = httpx.get(f"{runtime.control_url}/webhooks", params={"state": "dead"}).json()
        time.sleep(0.1)
    # The payment notification, refused for good, and then the notice of its reversal, which
    # the marketplace does not know either.
    letter, notice = dead
    assert (letter["service"], letter["target"], letter["state"]) == ("bank", "marketplace", "dead")
    assert "refused the payment for good (4042512)" in letter["gave_up_reason"]
    assert notice["event_id"] == letter["event_id"] + "-REVERSED"
    assert "refused the reversal notice" in notice["gave_up_reason"]
    assert bank.get("/mobile/v1/accounts/me").json()["balance"] == before, "money back"
    inquiry = bank.post("/mobile/v1/va-inquiries", json={"virtual_account_no": va})
    assert inquiry.json()["status"] == "REVERSED"

    async def listed() -> list[Any]:
        async with ControlClient(runtime.control_url) as control:
            return await control.webhooks("dead")

    import asyncio

    ids = [letter["event_id"], notice["event_id"]]
    assert [w.event_id for w in asyncio.run(listed())] == ids
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "webhooks",
            "--dead",
            "--json",
            "--data-dir",
            str(runtime.settings.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 1, cli.stderr
    assert [w["event_id"] for w in json.loads(cli.stdout)] == ids
    assert httpx.get(f"{runtime.control_url}/webhooks", params={"state": "x"}).status_code == 400
