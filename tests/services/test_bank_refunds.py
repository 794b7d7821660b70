"""Refunds of direct debits at the bank (SNAP 58): partial, full, never more than paid."""

from __future__ import annotations

from typing import Any

from tests.conftest import Services
from tests.services.snap_debit import REFUND, STATUS, Merchant, balance, code, texts


def _refund(ref: str, refund_no: str, value: str) -> dict[str, Any]:
    return {
        "originalPartnerReferenceNo": ref,
        "partnerRefundNo": refund_no,
        "refundAmount": {"value": value, "currency": "IDR"},
        "reason": "item out of stock",
    }


async def _paid(services: Services) -> Merchant:
    merchant = Merchant(services)
    token = await merchant.bound()
    assert (await merchant.debit(token, "ORD-1")).status_code == 200
    return merchant


async def test_a_partial_then_the_rest_then_nothing_more(services: Services) -> None:
    merchant = await _paid(services)
    buyer = services.world["personas"]["buyer"]["account_no"]
    before = balance(services, buyer)
    part = await merchant.call(REFUND, _refund("ORD-1", "RF-1", "85000.00"))
    assert part.status_code == 200 and code(part) == "2005800", part.text
    assert part.json()["refundNo"].startswith("RF")
    assert balance(services, buyer) == before + 85_000
    assert "pengembalian dana Rp85.000" in texts(services)[-1]
    rest = await merchant.call(REFUND, _refund("ORD-1", "RF-2", "100000.00"))
    assert rest.status_code == 200
    status = await merchant.call(STATUS, {"originalPartnerReferenceNo": "ORD-1"})
    assert status.json()["latestTransactionStatus"] == "04"
    assert status.json()["refundedAmount"]["value"] == "185000.00"
    more = await merchant.call(REFUND, _refund("ORD-1", "RF-3", "1.00"))
    assert more.status_code == 404 and code(more) == "4045813"
    assert balance(services, buyer) == before + 185_000


async def test_a_refund_above_the_paid_amount_is_refused(services: Services) -> None:
    merchant = await _paid(services)
    buyer = services.world["personas"]["buyer"]["account_no"]
    before = balance(services, buyer)
    refused = await merchant.call(REFUND, _refund("ORD-1", "RF-1", "185001.00"))
    assert refused.status_code == 404 and code(refused) == "4045813"
    assert refused.json()["code"] == "refund_exceeds_paid"
    assert balance(services, buyer) == before


async def test_the_same_refund_number_replays_and_another_amount_conflicts(
    services: Services,
) -> None:
    merchant = await _paid(services)
    buyer = services.world["personas"]["buyer"]["account_no"]
    first = await merchant.call(REFUND, _refund("ORD-1", "RF-1", "50000.00"))
    after = balance(services, buyer)
    again = await merchant.call(REFUND, _refund("ORD-1", "RF-1", "50000.00"))
    assert again.status_code == 200 and again.json() == first.json()
    assert balance(services, buyer) == after
    other = await merchant.call(REFUND, _refund("ORD-1", "RF-1", "10000.00"))
    assert other.status_code == 409 and code(other) == "4095801"


async def test_no_refund_of_an_unknown_or_unpaid_debit(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    unknown = await merchant.call(REFUND, _refund("ORD-NONE", "RF-1", "1.00"))
    assert unknown.status_code == 404 and code(unknown) == "4045801"
    await merchant.debit(token, "ORD-BIG", "400000.00")  # waits for her code
    waiting = await merchant.call(REFUND, _refund("ORD-BIG", "RF-2", "1.00"))
    assert waiting.status_code == 403 and code(waiting) == "4035815"
    foreign = await Merchant(services, "hospital").call(REFUND, _refund("ORD-BIG", "RF-3", "1.00"))
    assert foreign.status_code == 404
