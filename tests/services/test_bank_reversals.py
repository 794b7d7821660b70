"""A payment its biller refuses for good is reversed: money back, VA closed, biller told."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sandbox.services.bank.reversals import final_refusal
from tests.conftest import Services
from tests.services.test_bank_mobile import BUYER, MERCHANT, VA, balance, log_in, outbox, pay, store
from tests.services.test_bank_snap import CREATE, Partner, va_body


def refusing_biller(answers: list[tuple[int, str]]) -> tuple[FastAPI, list[dict[str, Any]]]:
    """A biller answering each notification with the next (status, responseCode)."""
    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.post("/v1.0/transfer-va/payment")
    async def notified(request: Request) -> JSONResponse:
        received.append(json.loads(await request.body()))
        status, code = answers.pop(0) if answers else (200, "2002500")
        return JSONResponse({"responseCode": code, "code": "x", "message": "x"}, status_code=status)

    return app, received


async def test_a_payment_the_biller_refuses_for_good_is_reversed(services: Services) -> None:
    biller, received = refusing_biller([(404, "4042519")])
    services.wire.mount("marketplace", biller)
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    before, total = await balance(services, auth), store(services).total_balance()
    assert (await pay(services, auth, "key-1")).status_code == 201
    assert await balance(services, auth) == before - 185000
    await services.settle()  # the notification, refused: the reversal is queued...
    await services.settle()  # ...and its notice delivered
    paid, reversal = received
    assert paid["paymentFlagStatus"] == "00"
    assert reversal["paymentFlagStatus"] == "01"
    assert reversal["paymentFlagReason"]["english"].startswith("Reversed")
    assert await balance(services, auth) == before, "the buyer has her money back"
    assert store(services).total_balance() == total
    debit, credit = store(services).ledger_totals()
    assert debit == credit
    assert store(services).va(f"   {VA}")["status"] == "REVERSED"
    [dead] = outbox(services).dead()
    assert "refused the payment for good (4042519); reversed as 990" in dead["last_error"]
    assert outbox(services).pending() == []
    moved = (
        store(services)
        .db.execute("SELECT kind, from_account, to_account, amount FROM movements ORDER BY id")
        .fetchall()
    )
    assert moved[-2:] == [
        ("va_payment", BUYER, MERCHANT, 185000),
        ("va_reversal", MERCHANT, BUYER, 185000),
    ]
    again = await pay(services, auth, "key-2")
    assert (again.status_code, again.json()["code"]) == (404, "va_deleted")


async def test_a_passing_failure_is_retried_not_reversed(services: Services) -> None:
    biller, received = refusing_biller([(503, "5032501"), (404, "4042501")])
    services.wire.mount("marketplace", biller)
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    await pay(services, auth, "key-1")
    for _ in range(3):
        await services.settle()
        services.clock.advance(60)
    assert [r["paymentFlagStatus"] for r in received] == ["00", "00", "00"]
    assert store(services).va(f"   {VA}")["status"] == "PAID"
    assert outbox(services).dead() == []


def test_only_the_bill_cases_are_final() -> None:
    assert final_refusal(404, b'{"responseCode":"4042519"}') == "4042519"
    assert final_refusal(404, b'{"responseCode":"4042512"}') == "4042512"
    assert final_refusal(404, b'{"responseCode":"4042501"}') is None
    assert final_refusal(500, b'{"responseCode":"4042519"}') is None
    assert final_refusal(404, b"not json") is None
    assert final_refusal(404, b"[]") is None
