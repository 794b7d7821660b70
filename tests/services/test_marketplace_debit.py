"""Paying with Bank Contoh inside the checkout: the buyer calls only the marketplace.

The marketplace, the bank and the storefront run in-process with their real code; every call
is recorded, so each test can also say who called whom.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest

from sandbox.services.bank import rules as bank_rules
from sandbox.wire.faults import Fault
from tests.conftest import Services
from tests.services.snap_debit import BUYER_PHONE, last_code, texts
from tests.services.test_marketplace_flow import FS, _bank_session, _order, _va

PAID, WAITING = 220, 103


def _token(order: dict[str, Any]) -> str:
    return str(order["checkout_url"].rsplit("/", 1)[1])


async def _step(
    services: Services, token: str, path: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    return await services.client("marketplace", "buyer").post(
        f"/checkout/{token}/{path}",
        json=body,
        headers={"Idempotency-Key": key or secrets.token_hex(8)},
    )


async def _page(services: Services, token: str) -> dict[str, Any]:
    page = await services.client("marketplace", "buyer").get(f"/checkout/{token}")
    assert page.status_code == 200, page.text
    body: dict[str, Any] = page.json()
    return body


async def _bind_and_pay(services: Services, token: str) -> httpx.Response:
    started = await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    assert started.status_code == 202, started.text
    return await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})


def _status(services: Services, order_id: str) -> int:
    return int(services.apps["marketplace"].state.store.order(order_id)["order_status"])


def _debited(services: Services, order_id: str) -> int:
    """Rupiah the bank took from buyers by direct debit for this order (minus refunds)."""
    store = services.apps["bank"].state.store
    rows = list(
        store.db.query(
            "SELECT amount, refunded FROM debits WHERE partner_reference_no = ? "
            "AND status = 'SUCCESS'",
            [order_id],
        )
    )
    return sum(r["amount"] - r["refunded"] for r in rows)


def _va_paid(services: Services, va: str) -> int:
    rows = (
        services.apps["bank"]
        .state.store.db.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM movements WHERE note = ? AND kind = 'va_payment'",
            [va],
        )
        .fetchone()
    )
    return int(rows[0])


async def test_the_first_purchase_binds_then_pays_and_the_buyer_never_calls_the_bank(
    services: Services,
) -> None:
    order = await _order(services)
    token = _token(order)
    started = await _step(services, token, "direct-debit", {"phone": "0812 0000 0001"})
    assert started.status_code == 202, started.text
    body = started.json()
    assert (body["status"], body["code_for"]) == ("OTP_SENT", "binding")
    assert body["masked_phone"] == "+62*******0001" and "texted a code" in body["message"]
    paid = await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "PAID" and paid.json()["masked_account"] == "******0001"
    assert _status(services, order["order_id"]) == PAID
    await services.settle()
    assert _debited(services, order["order_id"]) == 185_000
    buyer_calls = {c.callee for c in services.calls if c.caller == "buyer"}
    assert buyer_calls == {"marketplace"}
    to_bank = [c.path for c in services.calls if (c.caller, c.callee) == ("marketplace", "bank")]
    assert "/v1.0/registration-account-binding" in to_bank
    assert to_bank.index("/v1.0/transfer-va/delete-va") < to_bank.index(
        "/v1.0/debit/payment-host-to-host"
    ), "the VA is closed before the debit"
    notified = [c for c in services.calls if c.path == "/v1.0/debit/notify"]
    assert len(notified) == 1 and notified[0].status == 200
    hooks = [c for c in services.calls if (c.caller, c.callee) == ("marketplace", "social")]
    assert hooks, "the storefront hears the order is paid"


async def test_the_checkout_page_offers_both_ways_and_says_how_it_was_paid(
    services: Services,
) -> None:
    order = await _order(services)
    token = _token(order)
    page = await _page(services, token)
    assert page["payment"]["status"] == "UNPAID" and page["paid_with"] is None
    assert page["direct_debit"] == {
        "bank": "Bank Contoh",
        "bound": False,
        "masked_account": None,
        "limit_without_code": None,
        "state": "NOT_STARTED",
        "code_for": None,
        "masked_phone": None,
        "otp_expires_at": None,
    }
    await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    waiting = (await _page(services, token))["direct_debit"]
    assert (waiting["state"], waiting["code_for"]) == ("OTP_SENT", "binding")
    await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})
    page = await _page(services, token)
    assert page["paid_with"] == "direct_debit" and page["payment"]["status"] == "CLOSED"
    assert page["direct_debit"]["state"] == "PAID" and page["direct_debit"]["bound"]
    assert page["direct_debit"]["limit_without_code"] == 250_000


async def test_a_bound_buyer_pays_the_next_order_in_one_step(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    codes_before = sum("kode OTP" in t for t in texts(services))
    order = await _order(services)
    paid = await _step(services, _token(order), "direct-debit", {})
    assert paid.status_code == 200 and paid.json()["status"] == "PAID", paid.text
    assert sum("kode OTP" in t for t in texts(services)) == codes_before, "no code this time"
    assert _status(services, order["order_id"]) == PAID


async def test_a_retried_step_gets_the_first_answer_and_nothing_is_charged_twice(
    services: Services,
) -> None:
    order = await _order(services)
    token = _token(order)
    await _step(services, token, "direct-debit", {"phone": BUYER_PHONE}, key="k-start")
    code = last_code(services)
    first = await _step(services, token, "direct-debit/otp", {"otp": code}, key="k-otp")
    again = await _step(services, token, "direct-debit/otp", {"otp": code}, key="k-otp")
    assert again.status_code == first.status_code == 200 and again.json() == first.json()
    assert _debited(services, order["order_id"]) == 185_000
    assert sum("didebit" in t for t in texts(services)) == 1
    other = await _step(services, token, "direct-debit/otp", {"otp": "000000"}, key="k-otp")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    paid_again = await _step(services, token, "direct-debit", {})
    assert paid_again.status_code == 409 and paid_again.json()["code"] == "order_not_payable"


async def test_each_step_needs_an_idempotency_key(services: Services) -> None:
    token = _token(await _order(services))
    bare = await services.client("marketplace", "buyer").post(
        f"/checkout/{token}/direct-debit", json={"phone": BUYER_PHONE}
    )
    assert bare.status_code == 400 and bare.json()["code"] == "missing_idempotency_key"
    unknown = await _step(services, "no-such-token", "direct-debit", {})
    assert unknown.status_code == 404 and unknown.json()["code"] == "checkout_not_found"


async def test_the_first_time_she_types_her_phone_and_the_bank_must_know_it(
    services: Services,
) -> None:
    token = _token(await _order(services))
    bare = await _step(services, token, "direct-debit", {})
    assert bare.status_code == 400 and bare.json()["code"] == "phone_required"
    unknown = await _step(services, token, "direct-debit", {"phone": "+62 899 9999 9999"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "phone_not_registered"
    assert "Bank Contoh" in unknown.json()["message"]
    nonsense = await _step(services, token, "direct-debit", {"phone": "call me"})
    assert nonsense.status_code == 400
    early = await _step(services, token, "direct-debit/otp", {"otp": "123456"})
    assert early.status_code == 409 and early.json()["code"] == "no_code_expected"


async def test_three_wrong_codes_stop_the_binding_and_she_can_start_again(
    services: Services,
) -> None:
    order = await _order(services)
    token = _token(order)
    await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    wrong = f"{(int(last_code(services)) + 1) % 10**6:06d}"
    first = await _step(services, token, "direct-debit/otp", {"otp": wrong})
    assert first.status_code == 422 and first.json()["code"] == "wrong_otp"
    assert first.json()["attempts_left"] == 2
    await _step(services, token, "direct-debit/otp", {"otp": wrong})
    third = await _step(services, token, "direct-debit/otp", {"otp": wrong})
    assert third.status_code == 422 and third.json()["code"] == "otp_blocked"
    assert (await _page(services, token))["direct_debit"]["state"] == "FAILED"
    assert (await _bind_and_pay(services, token)).status_code == 200
    assert _debited(services, order["order_id"]) == 185_000


async def test_an_expired_code_is_its_own_error(services: Services) -> None:
    token = _token(await _order(services))
    await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    services.clock.advance(bank_rules.CODE_SECONDS + 1)
    late = await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})
    assert late.status_code == 422 and late.json()["code"] == "otp_expired"


async def test_above_the_limit_the_payment_itself_needs_a_code(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    order = await _order(services, quantity=2)  # Rp370,000: above the limit without a code
    token = _token(order)
    asked = await _step(services, token, "direct-debit", {})
    assert asked.status_code == 202 and asked.json()["code_for"] == "debit", asked.text
    assert "Rp370.000" in texts(services)[-1]
    assert _status(services, order["order_id"]) == WAITING
    paid = await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})
    assert paid.status_code == 200 and paid.json()["status"] == "PAID", paid.text
    assert _debited(services, order["order_id"]) == 370_000


async def test_insufficient_funds_is_said_plainly_and_nothing_moves(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    bank = await _bank_session(services)
    me = (await bank.get("/mobile/v1/accounts/me")).json()
    drained = await bank.post(
        "/mobile/v1/transfers",
        headers={"Idempotency-Key": "drain"},
        json={
            "to_account_no": services.world["personas"]["seller"]["account_no"],
            "amount": me["balance"] - 100_000,
        },
    )
    assert drained.status_code == 201, drained.text
    order = await _order(services)
    refused = await _step(services, _token(order), "direct-debit", {})
    assert refused.status_code == 422 and refused.json()["code"] == "insufficient_funds"
    assert _status(services, order["order_id"]) == WAITING
    assert _debited(services, order["order_id"]) == 0


async def test_after_she_unbinds_in_her_bank_app_the_checkout_says_so(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    bank = await _bank_session(services)
    [binding] = (await bank.get("/mobile/v1/bindings")).json()
    assert (await bank.delete(f"/mobile/v1/bindings/{binding['binding_id']}")).status_code == 200
    order = await _order(services)
    token = _token(order)
    refused = await _step(services, token, "direct-debit", {})
    assert refused.status_code == 409 and refused.json()["code"] == "binding_ended"
    assert "bank app" in refused.json()["message"]
    assert not (await _page(services, token))["direct_debit"]["bound"]
    assert (await _bind_and_pay(services, token)).status_code == 200


async def test_the_va_paid_first_in_another_tab_means_no_debit(services: Services) -> None:
    order = await _order(services)
    token, va = _token(order), _va(services, order["order_id"])
    await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    bank = await _bank_session(services)
    paid = await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "tab-2"},
        json={"virtual_account_no": va, "amount": 185_000},
    )
    assert paid.status_code == 201
    refused = await _step(services, token, "direct-debit/otp", {"otp": last_code(services)})
    assert refused.status_code == 409 and refused.json()["code"] == "order_being_paid"
    await services.settle()
    assert _status(services, order["order_id"]) == PAID
    assert _debited(services, order["order_id"]) == 0 and _va_paid(services, va) == 185_000


async def test_the_debit_first_means_the_va_can_no_longer_be_paid(services: Services) -> None:
    order = await _order(services)
    va = _va(services, order["order_id"])
    assert (await _bind_and_pay(services, _token(order))).status_code == 200
    bank = await _bank_session(services)
    late = await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "tab-2"},
        json={"virtual_account_no": va, "amount": 185_000},
    )
    assert late.status_code == 404 and late.json()["code"] == "va_deleted"
    assert _debited(services, order["order_id"]) == 185_000 and _va_paid(services, va) == 0


@pytest.mark.parametrize("va_first", [True, False])
async def test_the_va_and_the_debit_at_the_same_moment_take_the_money_once(
    services: Services, va_first: bool
) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    order = await _order(services)
    token, va = _token(order), _va(services, order["order_id"])
    bank = await _bank_session(services)

    async def pay_va() -> httpx.Response:
        return await bank.post(
            "/mobile/v1/va-payments",
            headers={"Idempotency-Key": "tab-2"},
            json={"virtual_account_no": va, "amount": 185_000},
        )

    async def debit() -> httpx.Response:
        return await _step(services, token, "direct-debit", {})

    runs = [pay_va(), debit()] if va_first else [debit(), pay_va()]
    await asyncio.gather(*runs)
    await services.settle()
    assert _status(services, order["order_id"]) == PAID
    assert _debited(services, order["order_id"]) + _va_paid(services, va) == 185_000


async def test_the_notification_before_the_answer_still_pays_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bank's notification overtakes its own answer to the debit."""
    await _bind_and_pay(services, _token(await _order(services)))
    client = services.apps["marketplace"].state.orders.bank
    real = client.debit

    async def notify_first(*args: Any) -> Any:
        answer = await real(*args)
        await services.settle()  # the notification arrives and is recorded first
        return answer

    monkeypatch.setattr(client, "debit", notify_first)
    order = await _order(services)
    paid = await _step(services, _token(order), "direct-debit", {})
    assert paid.status_code == 200 and paid.json()["status"] == "PAID", paid.text
    payments = (
        services.apps["marketplace"]
        .state.store.db.execute(
            "SELECT COUNT(*) FROM payments WHERE order_id = ?", [order["order_id"]]
        )
        .fetchone()[0]
    )
    assert payments == 1 and _debited(services, order["order_id"]) == 185_000


async def test_an_order_waiting_for_a_payment_code_is_not_cancelled(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    order = await _order(services, quantity=2)
    assert (await _step(services, _token(order), "direct-debit", {})).status_code == 202
    cancel = services.client("marketplace", "social")
    path = f"/api/v2/fs/{FS}/orders/{order['order_id']}/cancel"
    refused = await cancel.post(path, auth=services.auth("marketplace", "social"))
    assert refused.status_code == 409 and refused.json()["code"] == "order_being_paid"
    services.clock.advance(bank_rules.CODE_SECONDS + 1)  # she never typed it
    done = await cancel.post(path, auth=services.auth("marketplace", "social"))
    assert done.status_code == 200 and done.json()["status"] == "CANCELLED", done.text


async def test_a_forged_debit_notification_is_refused(services: Services) -> None:
    forged = await services.client("marketplace", "student").post(
        "/v1.0/debit/notify",
        json={
            "originalPartnerReferenceNo": "x",
            "originalReferenceNo": "DD1",
            "amount": {"value": "1.00", "currency": "IDR"},
            "latestTransactionStatus": "00",
        },
    )
    assert forged.status_code == 401 and forged.json()["responseCode"] == "4015600"


async def _refund(services: Services, order_id: str, body: dict[str, Any]) -> httpx.Response:
    return await services.client("marketplace", "social").post(
        f"/api/v2/fs/{FS}/orders/{order_id}/refunds",
        auth=services.auth("marketplace", "social"),
        json=body,
    )


async def test_a_partner_refunds_a_debit_in_parts_never_more_than_paid(
    services: Services,
) -> None:
    order = await _order(services)
    await _bind_and_pay(services, _token(order))
    order_id = order["order_id"]
    part = await _refund(services, order_id, {"refund_id": "rf-1", "amount": 85_000})
    assert part.status_code == 201, part.text
    assert part.json()["refunded_total"] == 85_000 and part.json()["bank_refund_no"]
    replay = await _refund(services, order_id, {"refund_id": "rf-1", "amount": 85_000})
    assert replay.status_code == 200 and replay.json() == part.json()
    too_much = await _refund(services, order_id, {"refund_id": "rf-2", "amount": 100_001})
    assert too_much.status_code == 422 and too_much.json()["code"] == "refund_exceeds_paid"
    rest = await _refund(services, order_id, {"refund_id": "rf-3"})
    assert rest.status_code == 201 and rest.json()["amount"] == 100_000
    assert _debited(services, order_id) == 0, "all of it went back"
    reused = await _refund(services, order_id, {"refund_id": "rf-1", "amount": 5})
    assert reused.status_code == 422 and reused.json()["code"] == "refund_id_reused"
    assert sum("pengembalian dana" in t for t in texts(services)) == 2


async def test_an_order_paid_by_virtual_account_is_not_refunded_here(services: Services) -> None:
    order = await _order(services)
    bank = await _bank_session(services)
    await bank.post(
        "/mobile/v1/va-payments",
        headers={"Idempotency-Key": "va"},
        json={"virtual_account_no": _va(services, order["order_id"]), "amount": 185_000},
    )
    await services.settle()
    refused = await _refund(services, order["order_id"], {"refund_id": "rf-1"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_paid_by_direct_debit"


def test_an_order_not_yet_set_up_is_not_called_paid() -> None:
    from sandbox.services.marketplace import errors

    assert "being set up" in errors.order_not_payable("1", "UNPAID").message
    assert "already paid" in errors.order_not_payable("1", "AWAITING_SHIPMENT").message
    assert "cancelled" in errors.order_not_payable("1", "CANCELLED").message


async def test_a_busy_bank_is_said_as_busy_and_her_code_still_works_afterwards(
    services: Services,
) -> None:
    """The bank throttles the marketplace (429 with Retry-After) while she types her code: the
    checkout says the bank is busy and when to retry, never that her code was refused."""
    order = await _order(services)
    token = _token(order)
    started = await _step(services, token, "direct-debit", {"phone": BUYER_PHONE})
    assert started.status_code == 202, started.text
    code = last_code(services)
    bank = services.apps["marketplace"].state.orders.bank
    waits: list[float] = []

    async def stand_still(seconds: float) -> None:
        waits.append(seconds)  # the clock does not move: the bank stays over its limit

    bank.sleep = stand_still
    services.wire.set_fault("bank", Fault(rate_limit=1))
    assert (await bank.debit_status("no-such-order")).status == 404  # the second's allowance
    busy = await _step(services, token, "direct-debit/otp", {"otp": code}, key="k-busy")
    assert busy.status_code == 503, busy.text
    assert busy.json()["code"] == "bank_busy" and busy.json()["retry_after"] == 1
    assert busy.headers["Retry-After"] == "1" and waits  # our client waited, then passed it on
    page = (await _page(services, token))["direct_debit"]
    assert (page["state"], page["code_for"]) == ("OTP_SENT", "binding")
    services.wire.set_fault("bank", Fault())  # the rush is over
    paid = await _step(services, token, "direct-debit/otp", {"otp": code}, key="k-busy")
    assert paid.status_code == 200, paid.text
    assert _status(services, order["order_id"]) == PAID


async def test_a_busy_bank_at_the_debit_moves_no_money_and_says_when_to_retry(
    services: Services,
) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    order = await _order(services)
    bank = services.apps["marketplace"].state.orders.bank

    async def stand_still(seconds: float) -> None:
        pass

    bank.sleep = stand_still
    services.wire.set_fault("bank", Fault(rate_limit=1))
    # The debit first closes the order's VA, which takes the second's allowance, then debits.
    busy = await _step(services, _token(order), "direct-debit", {})
    assert busy.status_code == 503 and busy.json()["code"] == "bank_busy", busy.text
    assert busy.headers["Retry-After"] == "1"
    assert _debited(services, order["order_id"]) == 0
    assert _status(services, order["order_id"]) == WAITING
    services.clock.advance(1)
    paid = await _step(services, _token(order), "direct-debit", {})
    assert paid.status_code == 200, paid.text
    assert _debited(services, order["order_id"]) == 185_000


async def test_a_busy_bank_while_closing_the_va_is_said_as_busy_too(services: Services) -> None:
    await _bind_and_pay(services, _token(await _order(services)))
    order = await _order(services)
    bank = services.apps["marketplace"].state.orders.bank

    async def stand_still(seconds: float) -> None:
        pass

    bank.sleep = stand_still
    services.wire.set_fault("bank", Fault(rate_limit=1))
    assert (await bank.debit_status("no-such-order")).status == 404  # the second's allowance
    busy = await _step(services, _token(order), "direct-debit", {})
    assert busy.status_code == 503 and busy.json()["code"] == "bank_busy", busy.text
    assert busy.headers["Retry-After"] == "1"
    assert _debited(services, order["order_id"]) == 0
    services.wire.set_fault("bank", Fault())
    paid = await _step(services, _token(order), "direct-debit", {})
    assert paid.status_code == 200, paid.text
    assert _debited(services, order["order_id"]) == 185_000
