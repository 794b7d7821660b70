"""`sandbox force`: states a developer tests against, forced in a running sandbox and carried
out by the institutions' own code (so they are answered in each dialect and recorded)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.runtime.config_file import load_config
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.events import HttpCall
from sandbox.wire.outbox import TABLE

pytestmark = pytest.mark.slow


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    running = Runtime(Settings(data_dir=tmp_path / "data", port_base=0), load_config(None))
    running.start_in_thread()
    yield running
    running.stop_thread()


def _force(runtime: Runtime, *argv: str) -> int:
    return main(["force", *argv, "--data-dir", str(runtime.settings.data_dir)])


def _control(runtime: Runtime, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {runtime.control_token}"}
    return httpx.request(method, runtime.control_url + path, headers=headers, timeout=30, **kw)


def _run(runtime: Runtime, *argv: str) -> int:
    return main(["run", *argv, "--data-dir", str(runtime.settings.data_dir)])


def _calls(runtime: Runtime) -> list[HttpCall]:
    runtime.writer.flush()
    return list(runtime.traces.calls(limit=5000))


def _buyer(runtime: Runtime) -> dict[str, Any]:
    buyer: dict[str, Any] = runtime.world["personas"]["buyer"]
    return buyer


def _app_order(runtime: Runtime) -> dict[str, Any]:
    """An unpaid order in the marketplace's own app: a VA waits at the bank."""
    answer = httpx.post(
        runtime.urls["marketplace"] + "/app/v1/orders",
        json={
            "product_id": 100101,
            "quantity": 1,
            "buyer": {"name": "Rina", "phone": "+62 812-0000-0099", "address": "Jl. Kenanga 3"},
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


def _pay_in_bank_app(runtime: Runtime, va_no: str, amount: int) -> httpx.Response:
    buyer = _buyer(runtime)
    bank = runtime.urls["bank"]
    login = httpx.post(
        bank + "/mobile/v1/sessions",
        json={"account_no": buyer["account_no"], "pin": buyer["pin"]},
        timeout=30,
    )
    assert login.status_code == 201, login.text
    session = login.json()["session_token"]
    return httpx.post(
        bank + "/mobile/v1/va-payments",
        json={"virtual_account_no": va_no, "amount": amount},
        headers={"Authorization": f"Bearer {session}", "Idempotency-Key": f"k{time.time_ns()}"},
        timeout=30,
    )


def test_the_next_direct_debit_is_refused_in_the_banks_dialect_then_works_again(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _force(runtime, "fail-next", "bank", "debit") == 0
    assert "the next 1 debit call will fail" in capsys.readouterr().out
    assert _run(runtime, "checkout") != 0, "the story meets the refusal"
    debits = [c for c in _calls(runtime) if c.path == "/v1.0/debit/payment-host-to-host"]
    assert [(c.caller, c.status) for c in debits] == [("marketplace", 403)]
    assert json.loads(debits[0].response_body)["responseCode"] == "4035405"
    assert _control(runtime, "GET", "/force").json()["bank"]["fail_next"] == {}, "used up"
    assert _run(runtime, "checkout") == 0, "one refusal only"


def test_a_declined_account_cannot_pay_until_the_decline_is_undone(runtime: Runtime) -> None:
    account = _buyer(runtime)["account_no"]
    assert _force(runtime, "decline", account) == 0
    order = _app_order(runtime)
    refused = _pay_in_bank_app(runtime, order["va_number"], order["total_amount"])
    assert (refused.status_code, refused.json()["code"]) == (403, "payment_declined")
    balance = runtime.apps["bank"].state.store.account(account)["balance"]
    assert _force(runtime, "decline", account, "--undo") == 0
    paid = _pay_in_bank_app(runtime, order["va_number"], order["total_amount"])
    assert paid.status_code == 201, paid.text
    after = runtime.apps["bank"].state.store.account(account)["balance"]
    assert balance - after == order["total_amount"], "charged once, after the decline ended"


def test_an_expired_va_is_refused_as_expired(runtime: Runtime) -> None:
    order = _app_order(runtime)
    assert _force(runtime, "expire-va", order["va_number"]) == 0
    refused = _pay_in_bank_app(runtime, order["va_number"], order["total_amount"])
    assert (refused.status_code, refused.json()["code"]) == (410, "va_expired")
    again = _control(runtime, "POST", f"/force/virtual-accounts/{order['va_number']}/expire")
    assert again.status_code == 404, "only an unpaid, unexpired VA expires"


def test_an_expired_order_goes_through_the_marketplaces_own_sweep(runtime: Runtime) -> None:
    order = _app_order(runtime)
    assert _force(runtime, "expire-order", order["order_id"]) == 0
    seen = httpx.get(runtime.urls["marketplace"] + f"/app/v1/orders/{order['order_id']}")
    assert seen.json()["status"] == "CANCELLED"
    closed = [
        c
        for c in _calls(runtime)
        if (c.caller, c.callee) == ("marketplace", "bank") and c.method == "DELETE"
    ]
    assert closed and closed[-1].status == 200, "the VA was closed at the bank, recorded"
    refused = _pay_in_bank_app(runtime, order["va_number"], order["total_amount"])
    assert refused.status_code in (404, 410), "nobody can pay a cancelled order's VA"


def test_a_refired_notification_is_recognised_and_credits_once(runtime: Runtime) -> None:
    order = _app_order(runtime)
    assert _pay_in_bank_app(runtime, order["va_number"], order["total_amount"]).status_code == 201
    outbox = runtime.apps["bank"].state.outbox

    def delivered() -> list[dict[str, Any]]:
        return [r for r in outbox.db.query(f"SELECT * FROM {TABLE}") if r["delivered_at"]]

    deadline = time.monotonic() + 15
    while not delivered() and time.monotonic() < deadline:
        time.sleep(0.05)
    (row,) = delivered()
    merchant = runtime.apps["bank"].state.store
    before = sum(a["balance"] for a in merchant.db.query("SELECT balance FROM accounts"))
    assert _force(runtime, "refire", row["event_id"]) == 0

    def notes() -> list[HttpCall]:
        return [c for c in _calls(runtime) if c.path == "/v1.0/transfer-va/payment"]

    while len(notes()) < 2 and time.monotonic() < deadline + 15:
        time.sleep(0.05)
    assert [c.status for c in notes()] == [200, 200], "the duplicate is acknowledged"
    assert json.loads(notes()[0].request_body)["paymentRequestId"] == row["event_id"]
    after = sum(a["balance"] for a in merchant.db.query("SELECT balance FROM accounts"))
    assert before == after, "no money moved again"
    seen = httpx.get(runtime.urls["marketplace"] + f"/app/v1/orders/{order['order_id']}")
    assert seen.json()["status"] == "AWAITING_SHIPMENT"


def test_a_forced_kyc_failure_does_not_match(runtime: Runtime) -> None:
    assert (
        _control(
            runtime, "POST", "/force/fail-next", json={"service": "identity", "action": "kyc"}
        ).json()["armed"]
        == 1
    )
    state = _control(runtime, "GET", "/force").json()
    assert state["identity"]["fail_next"] == {"kyc": 1}
    assert _run(runtime, "admission") != 0, "the desk cannot confirm the patient"
    verified = [c for c in _calls(runtime) if c.path == "/v1/verify"]
    assert verified and "TIDAK SESUAI" in verified[0].response_body
    assert "SESUAI" not in verified[0].response_body.replace("TIDAK SESUAI", "")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/force/fail-next", {"service": "social", "action": "x"}, 404, "nothing_to_force"),
        ("POST", "/force/fail-next", {"service": "bank", "action": "pin"}, 400, "unknown_action"),
        ("POST", "/force/fail-next", {"service": "bank", "action": "debit", "times": 0}, 400, ""),
        ("POST", "/force/fail-next", {"service": "bank", "action": "debit", "x": 1}, 400, ""),
        ("PUT", "/force/accounts/0000000000/declined", {"declined": True}, 404, ""),
        ("POST", "/force/virtual-accounts/12ab/expire", None, 400, "invalid_va"),
        ("POST", "/force/virtual-accounts/8808000000000001/expire", None, 404, ""),
        ("POST", "/force/orders/nope/expire", None, 404, "order_not_waiting"),
        ("POST", "/force/webhooks/nope/refire", None, 404, "unknown_event"),
        ("POST", "/force/webhooks/%00%ff/refire", None, 404, "unknown_event"),
    ],
)
def test_bad_requests_are_refused_clearly(
    runtime: Runtime, method: str, path: str, body: Any, status: int, code: str
) -> None:
    answer = _control(runtime, method, path, json=body)
    assert answer.status_code == status, answer.text
    if code:
        assert answer.json()["code"] == code


def test_forcing_needs_the_control_token_and_a_reset_forgets_it(runtime: Runtime) -> None:
    url = runtime.control_url + "/force/fail-next"
    body = {"service": "bank", "action": "debit"}
    assert httpx.post(url, json=body, timeout=10).status_code == 401
    assert _control(runtime, "POST", "/force/fail-next", json=body).status_code == 200
    account = _buyer(runtime)["account_no"]
    assert (
        _control(runtime, "PUT", f"/force/accounts/{account}/declined", json={}).status_code == 200
    )
    assert _control(runtime, "POST", "/reset").status_code == 200
    bank = _control(runtime, "GET", "/force").json()["bank"]
    assert bank["fail_next"] == {} and bank["declined_accounts"] == []


def test_sandbox_force_without_a_sandbox_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["force", "show", "--data-dir", str(tmp_path)]) == 2
    assert "no sandbox is running" in capsys.readouterr().err
