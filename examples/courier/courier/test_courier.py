"""The courier against the real marketplace and bank, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from sandbox.extend.testing import Harness

CONFIG = Path(__file__).resolve().parent.parent / "sandbox.toml"


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[Harness]:
    async with Harness(CONFIG) as running:
        yield running


async def paid_order(sandbox: Harness) -> str:
    story = await sandbox.story("checkout")  # a buyer pays; the marketplace books the courier
    return str(story.facts["order_id"])


@pytest.mark.asyncio
async def test_a_paid_order_is_shipped_and_tracked(sandbox: Harness) -> None:
    order_id = await paid_order(sandbox)
    booked = [c for c in sandbox.calls if c.caller == "marketplace" and c.callee == "courier"]
    assert [c.status for c in booked] == [200]
    assert '"SHIPMENT_REQUEST"' in booked[0].request_body
    pushed = [c for c in sandbox.calls if c.caller == "courier" and c.callee == "marketplace"]
    assert pushed and pushed[-1].status == 200
    assert f"/shipments/{order_id}/tracking" in pushed[-1].path
    shipment = sandbox.apps["courier"].state.store.by_order(order_id)
    tracking = shipment["tracking_no"]
    for status in ("IN_TRANSIT", "DELIVERED"):
        scanned = await sandbox.client("courier", "driver").post(
            f"/v1/shipments/{tracking}/scans", json={"status": status})
        assert scanned.status_code == 200, scanned.text
    await sandbox.settle()
    public = (await sandbox.client("courier").get(f"/v1/shipments/{tracking}")).json()
    assert [s["status"] for s in public["scans"]] == ["PICKED_UP", "IN_TRANSIT", "DELIVERED"]
    assert "address" not in str(public).lower()


@pytest.mark.asyncio
async def test_forged_and_repeated_bookings(sandbox: Harness) -> None:
    forged = await sandbox.client("courier", "stranger").post(
        "/webhooks/marketplace", json={"type": "SHIPMENT_REQUEST", "data": {"order_id": "1"}},
        headers={"authorization": "0" * 64})
    assert forged.status_code == 401
    await paid_order(sandbox)
    store = sandbox.apps["courier"].state.store
    assert store.count() == 1
    booking = next(c for c in sandbox.calls if c.callee == "courier" and c.status == 200)
    again = await sandbox.client("courier", "marketplace").post(
        "/webhooks/marketplace", content=booking.request_body.encode(),
        headers={"authorization": dict(booking.request_headers).get("authorization", "")})
    # The recorded Authorization is redacted, so a replay from the trace cannot pass either.
    assert again.status_code == 401
    assert store.count() == 1


@pytest.mark.asyncio
async def test_a_scan_cannot_go_backwards(sandbox: Harness) -> None:
    order_id = await paid_order(sandbox)
    tracking = sandbox.apps["courier"].state.store.by_order(order_id)["tracking_no"]
    driver = sandbox.client("courier", "driver")
    assert (await driver.post(f"/v1/shipments/{tracking}/scans",
                              json={"status": "DELIVERED"})).status_code == 409
    assert (await driver.post("/v1/shipments/KC0/scans",
                              json={"status": "IN_TRANSIT"})).status_code == 404
