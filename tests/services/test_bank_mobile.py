"""The bank's app side: sessions, VA payments, transfers, notifications, money, KYC."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sandbox.dialects import snap
from sandbox.runtime.seeding import seed_for
from sandbox.services.bank import notifications
from sandbox.services.bank.auth import partners_from_seed
from tests.conftest import Services
from tests.services.consent_helpers import approve_pending
from tests.services.consent_helpers import log_in as ikd_log_in
from tests.services.test_bank_snap import CREATE, STATUS, Partner, ref, va_body

BUYER, SELLER, MERCHANT = "9900000001", "9900000002", "9900009001"
PINS = {BUYER: "111111", SELLER: "222222"}
VA = "88001100000123"


async def log_in(services: Services, account_no: str = BUYER) -> dict[str, str]:
    response = await services.client("bank", "buyer").post(
        "/mobile/v1/sessions", json={"account_no": account_no, "pin": PINS[account_no]}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['session_token']}"}


def app_client(services: Services) -> httpx.AsyncClient:
    return services.client("bank", "buyer")


async def balance(services: Services, auth: dict[str, str]) -> int:
    response = await app_client(services).get("/mobile/v1/accounts/me", headers=auth)
    assert response.status_code == 200
    value: int = response.json()["balance"]
    return value


async def pay(
    services: Services, auth: dict[str, str], key: str, amount: int = 185000, va: str = VA
) -> httpx.Response:
    return await app_client(services).post(
        "/mobile/v1/va-payments",
        json={"virtual_account_no": va, "amount": amount},
        headers={**auth, "Idempotency-Key": key},
    )


def store(services: Services) -> Any:
    return services.apps["bank"].state.store


def outbox(services: Services) -> Any:
    return services.apps["bank"].state.outbox


# -- sessions ----------------------------------------------------------------------------------


async def test_login_and_my_account(services: Services) -> None:
    auth = await log_in(services)
    response = await app_client(services).get("/mobile/v1/accounts/me", headers=auth)
    assert response.json() == {"account_no": BUYER, "name": "SARI WULANDARI", "balance": 2_500_000}


async def test_pins_are_stored_hashed(services: Services) -> None:
    account = store(services).account(BUYER)
    assert account["pin_hash"].startswith("pbkdf2_sha256$")
    assert "111111" not in account["pin_hash"]


async def test_wrong_pin_then_lock_after_five(services: Services) -> None:
    client = app_client(services)
    for attempt in range(1, 5):
        wrong = await client.post(
            "/mobile/v1/sessions", json={"account_no": BUYER, "pin": "000000"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["attempts_left"] == 5 - attempt
    fifth = await client.post("/mobile/v1/sessions", json={"account_no": BUYER, "pin": "000000"})
    assert fifth.status_code == 403
    assert fifth.json()["code"] == "account_locked"
    right = await client.post("/mobile/v1/sessions", json={"account_no": BUYER, "pin": "111111"})
    assert right.status_code == 403  # locked even with the right PIN


async def test_correct_pin_resets_the_wrong_pin_count(services: Services) -> None:
    client = app_client(services)
    for _ in range(4):
        await client.post("/mobile/v1/sessions", json={"account_no": BUYER, "pin": "000000"})
    await log_in(services)
    wrong = await client.post("/mobile/v1/sessions", json={"account_no": BUYER, "pin": "000000"})
    assert wrong.json()["attempts_left"] == 4


async def test_login_failures(services: Services) -> None:
    client = app_client(services)
    unknown = await client.post(
        "/mobile/v1/sessions", json={"account_no": "9999999999", "pin": "111111"}
    )
    assert unknown.status_code == 401
    malformed = await client.post("/mobile/v1/sessions", json={"account_no": BUYER, "pin": "1"})
    assert malformed.status_code == 400
    assert malformed.json()["field"] == "pin"


async def test_session_required_and_expires(services: Services) -> None:
    client = app_client(services)
    missing = await client.get("/mobile/v1/accounts/me")
    assert missing.status_code == 401
    assert missing.json()["code"] == "missing_session"
    auth = await log_in(services)
    services.clock.advance(1801)
    expired = await client.get("/mobile/v1/accounts/me", headers=auth)
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_session"


# -- VA inquiry and payment --------------------------------------------------------------------


async def test_inquiry_shows_the_bill(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    response = await app_client(services).post(
        "/mobile/v1/va-inquiries", headers=auth, json={"virtual_account_no": VA}
    )
    assert response.status_code == 200
    assert response.json() == {
        "virtual_account_no": "   88001100000123",
        "name": "SARI WULANDARI",
        "amount": 185000,
        "status": "UNPAID",
        "expires_at": "2024-03-02T15:00:00+07:00",
    }
    unknown = await app_client(services).post(
        "/mobile/v1/va-inquiries", headers=auth, json={"virtual_account_no": "88001999"}
    )
    assert unknown.status_code == 404


async def test_pay_va_moves_money_and_marks_it_paid(services: Services) -> None:
    partner = Partner(services)
    await partner.call("POST", CREATE, va_body())
    auth = await log_in(services)
    response = await pay(services, auth, "key-1")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "PAID"
    assert body["amount"] == 185000
    assert body["balance_after"] == 2_500_000 - 185000
    assert await balance(services, auth) == 2_315_000
    assert store(services).account(MERCHANT)["balance"] == 185000
    status = await partner.call("POST", STATUS, {**ref(va_body()), "inquiryRequestId": "1"})
    data = status.json()["virtualAccountData"]
    assert data["paymentFlagStatus"] == "00"
    assert data["paidAmount"] == {"value": "185000.00", "currency": "IDR"}
    assert data["paymentRequestId"].startswith("PRQ")
    ledger = store(services).ledger_of(BUYER)
    assert [(row["direction"], row["amount"]) for row in ledger] == [("D", 185000)]
    assert store(services).ledger_of(MERCHANT)[0]["direction"] == "C"


async def test_pay_va_same_key_replays_without_moving_money(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    first = await pay(services, auth, "key-1")
    again = await pay(services, auth, "key-1")
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    assert await balance(services, auth) == 2_315_000
    assert len(outbox(services).pending()) <= 1


async def test_pay_va_same_key_other_body_is_refused(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body("1"))
    await Partner(services).call("POST", CREATE, va_body("2"))
    auth = await log_in(services)
    assert (await pay(services, auth, "key-1", va="880011")).status_code == 201
    reused = await pay(services, auth, "key-1", va="880012")
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert await balance(services, auth) == 2_500_000 - 185000


async def test_pay_va_twice_with_new_key_is_already_paid(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    await pay(services, auth, "key-1")
    second = await pay(services, auth, "key-2")
    assert second.status_code == 409
    assert second.json()["code"] == "va_already_paid"
    assert await balance(services, auth) == 2_315_000


async def test_pay_va_refusals(services: Services) -> None:
    partner = Partner(services)
    await partner.call("POST", CREATE, va_body("1", amount="3000000.00"))  # over her balance
    await partner.call("POST", CREATE, va_body("2"))
    await partner.call("POST", CREATE, va_body("3"))
    await partner.call("DELETE", "/v1.0/transfer-va/delete-va", ref(va_body("3"), "trxId"))
    auth = await log_in(services)
    poor = await pay(services, auth, "a", amount=3_000_000, va="880011")
    assert (poor.status_code, poor.json()["code"]) == (422, "insufficient_funds")
    wrong = await pay(services, auth, "b", amount=185001, va="880012")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_amount")
    deleted = await pay(services, auth, "c", va="880013")
    assert (deleted.status_code, deleted.json()["code"]) == (404, "va_deleted")
    unknown = await pay(services, auth, "d", va="880019")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "va_not_found")
    no_key = await app_client(services).post(
        "/mobile/v1/va-payments", json={"virtual_account_no": VA, "amount": 1}, headers=auth
    )
    assert (no_key.status_code, no_key.json()["code"]) == (400, "missing_idempotency_key")
    negative = await pay(services, auth, "e", amount=-5, va="880012")
    assert negative.status_code == 400
    text_amount = await app_client(services).post(
        "/mobile/v1/va-payments",
        json={"virtual_account_no": "880012", "amount": "185000"},
        headers={**auth, "Idempotency-Key": "f"},
    )
    assert text_amount.status_code == 400
    assert await balance(services, auth) == 2_500_000
    assert outbox(services).pending() == []


async def test_pay_expired_va(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    services.clock.advance(24 * 3600)
    auth = await log_in(services)
    response = await pay(services, auth, "key-1")
    assert (response.status_code, response.json()["code"]) == (410, "va_expired")
    assert await balance(services, auth) == 2_500_000


async def test_a_failed_payment_can_be_retried_with_the_same_key(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    assert (await pay(services, auth, "k", amount=1)).status_code == 400
    assert (await pay(services, auth, "k")).status_code == 201


# -- notification ------------------------------------------------------------------------------


async def test_payment_enqueues_a_signed_notification(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    paid = (await pay(services, auth, "key-1")).json()
    rows = list(store(services).db.query("SELECT * FROM _outbox"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["target"], row["path"]) == ("marketplace", "/v1.0/transfer-va/payment")
    body = json.loads(row["body"])
    assert body["paymentRequestId"] == row["event_id"]
    assert body["virtualAccountNo"] == "   88001100000123"
    assert body["trxId"] == "ORD-100000123"
    assert body["paidAmount"] == body["totalAmount"] == {"value": "185000.00", "currency": "IDR"}
    assert body["referenceNo"] == paid["reference_no"]
    assert body["paymentFlagStatus"] == "00"
    assert body["paymentFlagReason"] == {"english": "Success", "indonesia": "Sukses"}
    assert body["trxDateTime"] == "2024-03-01T15:00:00+07:00"
    creds = services.world["partners"]["bank"]["marketplace"]
    partner = partners_from_seed({"marketplace": creds})[creds["client_key"]]
    headers = notifications.signer(partner)(row["path"], row["body"].encode(), services.clock())
    expected = snap.notification_signature(
        creds["notification_secret"],
        "POST",
        row["path"],
        row["body"].encode(),
        headers["X-TIMESTAMP"],
    )
    assert headers["X-SIGNATURE"] == expected
    assert headers["X-PARTNER-ID"] == "88001"
    assert headers["CHANNEL-ID"] == "95221"
    assert headers["X-EXTERNAL-ID"].isdigit()


def fake_biller(secret: str, answers: list[int]) -> tuple[FastAPI, list[dict[str, Any]]]:
    """A stand-in for the marketplace's notification endpoint that checks signatures."""
    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.post("/v1.0/transfer-va/payment")
    async def payment(request: Request) -> JSONResponse:
        raw = await request.body()
        ts = request.headers.get("X-TIMESTAMP", "")
        expected = snap.notification_signature(secret, "POST", request.url.path, raw, ts)
        received.append(
            {
                "signed": snap.matches(expected, request.headers.get("X-SIGNATURE")),
                "body": json.loads(raw),
            }
        )
        status = answers.pop(0) if answers else 200
        return JSONResponse({"responseCode": f"{status}2500"}, status_code=status)

    return app, received


async def test_notification_is_retried_until_acknowledged(services: Services) -> None:
    secret = services.world["partners"]["bank"]["marketplace"]["notification_secret"]
    biller, received = fake_biller(secret, [500])
    services.wire.mount("marketplace", biller)  # before the bank's first call to it
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    await pay(services, auth, "key-1")
    await services.settle()
    assert len(received) == 1  # the first attempt got a 500
    assert len(outbox(services).pending()) == 1
    services.clock.advance(1)  # the first retry waits one second
    await services.settle()
    assert len(received) == 2
    assert all(r["signed"] for r in received)
    assert received[0]["body"]["paymentRequestId"] == received[1]["body"]["paymentRequestId"]
    assert outbox(services).pending() == []


# -- transfers and money conservation ----------------------------------------------------------


async def test_transfer_ok_and_replayed(services: Services) -> None:
    auth = await log_in(services)
    headers = {**auth, "Idempotency-Key": "t-1"}
    body = {"to_account_no": SELLER, "amount": 50_000, "note": "arisan"}
    first = await app_client(services).post("/mobile/v1/transfers", json=body, headers=headers)
    assert first.status_code == 201
    assert first.json()["to_name"] == "BUDI SANTOSO"
    assert first.json()["balance_after"] == 2_450_000
    again = await app_client(services).post("/mobile/v1/transfers", json=body, headers=headers)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert store(services).account(SELLER)["balance"] == 5_050_000


async def test_transfer_refusals(services: Services) -> None:
    auth = await log_in(services)
    client = app_client(services)

    async def send(body: dict[str, Any], key: str) -> httpx.Response:
        return await client.post(
            "/mobile/v1/transfers", json=body, headers={**auth, "Idempotency-Key": key}
        )

    to_self = await send({"to_account_no": BUYER, "amount": 1}, "1")
    assert (to_self.status_code, to_self.json()["code"]) == (400, "same_account")
    nobody = await send({"to_account_no": "9911111111", "amount": 1}, "2")
    assert (nobody.status_code, nobody.json()["code"]) == (404, "account_not_found")
    too_much = await send({"to_account_no": SELLER, "amount": 2_500_001}, "3")
    assert (too_much.status_code, too_much.json()["code"]) == (422, "insufficient_funds")
    zero = await send({"to_account_no": SELLER, "amount": 0}, "4")
    assert zero.status_code == 400
    assert await balance(services, auth) == 2_500_000


async def test_money_is_conserved_across_many_operations(services: Services) -> None:
    bank = store(services)
    total = bank.total_balance()
    partner = Partner(services)
    buyer, seller = await log_in(services, BUYER), await log_in(services, SELLER)
    client = app_client(services)
    for i in range(1, 8):
        await partner.call("POST", CREATE, va_body(str(i), amount=f"{i * 100_000}.00"))
    for i in range(1, 8):
        who = buyer if i % 2 else seller
        await pay(services, who, f"pay-{i}", amount=i * 100_000, va=f"88001{i}")
        await pay(services, who, f"pay-{i}", amount=i * 100_000, va=f"88001{i}")  # replay
        await pay(services, who, f"again-{i}", amount=i * 100_000, va=f"88001{i}")  # paid
        await client.post(
            "/mobile/v1/transfers",
            headers={**who, "Idempotency-Key": f"t{i}"},
            json={"to_account_no": SELLER if who is buyer else BUYER, "amount": 12_345 * i},
        )
    await client.post(
        "/mobile/v1/transfers",
        headers={**buyer, "Idempotency-Key": "big"},
        json={"to_account_no": SELLER, "amount": 900_000_000},
    )  # refused
    assert bank.total_balance() == total
    debits, credited = bank.ledger_totals()
    assert debits == credited > 0
    assert bank.account(MERCHANT)["balance"] == sum(i * 100_000 for i in range(1, 8))
    seeded = {a["account_no"]: a["balance"] for a in services.world["bank"]["accounts"]}
    for account_no in (BUYER, SELLER, MERCHANT):
        rows = bank.ledger_of(account_no)
        moved = sum(r["amount"] if r["direction"] == "C" else -r["amount"] for r in rows)
        assert bank.account(account_no)["balance"] == seeded[account_no] + moved
        assert rows[-1]["balance_after"] == bank.account(account_no)["balance"]


async def test_reset_restores_the_seeded_world(services: Services) -> None:
    await Partner(services).call("POST", CREATE, va_body())
    auth = await log_in(services)
    await pay(services, auth, "key-1")
    app = services.apps["bank"]
    app.state.store.reset(seed_for("bank", services.world))
    assert app.state.store.account(BUYER)["balance"] == 2_500_000
    assert app.state.store.va("   88001100000123") is None
    assert app.state.outbox.pending() == []
    assert (
        await app_client(services).get("/mobile/v1/accounts/me", headers=auth)
    ).status_code == 401


# -- registration (KYC at the civil registry) --------------------------------------------------

NEWCOMER: dict[str, Any] = {
    "nik": "9902014907010001",
    "name": "DEWI LESTARI",
    "birth_place": "TANJUNG DAMAI",
    "birth_date": "2001-07-09",
    "sex": "P",
    "pin": "246810",
    "consent": True,
}


async def apply_and_approve(services: Services, form: dict[str, Any]) -> httpx.Response:
    """She applies, approves the bank's request in her IKD app, opens the application."""
    client = app_client(services)
    applied = await client.post("/mobile/v1/registrations", json=form)
    assert applied.status_code == 202, applied.text
    assert applied.json()["status"] == "AWAITING_CONSENT" and "pin" not in applied.text
    await approve_pending(services, form["nik"])
    return await client.get(f"/mobile/v1/registrations/{applied.json()['application_id']}")


async def test_newcomer_opens_an_account_once_she_approves(services: Services) -> None:
    client = app_client(services)
    response = await apply_and_approve(services, NEWCOMER)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "OPENED" and body["balance"] == 0
    assert body["name"] == "DEWI LESTARI"
    assert set(body["kyc"]["fields"].values()) == {"SESUAI"}
    assert body["kyc"]["verification_id"]
    paths = [
        (c.caller, c.method, c.path.split("/CRQ-")[0])
        for c in services.calls
        if c.callee == "identity" and c.caller == "bank"
    ]
    assert paths == [
        ("bank", "POST", "/v1/consent-requests"),
        ("bank", "GET", "/v1/consent-requests"),
        ("bank", "POST", "/v1/verify"),
    ]
    login = await client.post(
        "/mobile/v1/sessions", json={"account_no": body["account_no"], "pin": "246810"}
    )
    assert login.status_code == 201  # the PIN she chose, kept only as its hash meanwhile
    again = await client.post("/mobile/v1/registrations", json=NEWCOMER)
    assert (again.status_code, again.json()["code"]) == (409, "account_exists")


async def test_wrong_birth_date_fails_kyc(services: Services) -> None:
    response = await apply_and_approve(services, {**NEWCOMER, "birth_date": "2001-07-10"})
    body = response.json()
    assert body["status"] == "REJECTED" and body["code"] == "kyc_failed"
    assert body["mismatched"] == ["tgl_lhr"]
    assert "tgl_lhr" in body["message"]
    assert store(services).account_by_nik(NEWCOMER["nik"]) is None


async def test_an_applicant_who_declines_revokes_or_never_answers_gets_no_account(
    services: Services,
) -> None:
    client = app_client(services)
    applied = await client.post("/mobile/v1/registrations", json=NEWCOMER)
    app = await ikd_log_in(services, NEWCOMER["nik"])
    [waiting] = (await app.get("/ikd/v1/consent-requests")).json()
    assert (waiting["partner"], waiting["purpose"]) == ("bank", "ACCOUNT_OPENING")
    await app.post(f"/ikd/v1/consent-requests/{waiting['request_id']}/decline")
    read = await client.get(f"/mobile/v1/registrations/{applied.json()['application_id']}")
    assert (read.status_code, read.json()["code"]) == (200, "consent_declined")
    applied = await client.post("/mobile/v1/registrations", json=NEWCOMER)
    [consent_id] = await approve_pending(services, NEWCOMER["nik"])
    await app.delete(f"/ikd/v1/consents/{consent_id}")
    read = await client.get(f"/mobile/v1/registrations/{applied.json()['application_id']}")
    assert read.json()["status"] == "REJECTED"
    assert "consent_withdrawn" in read.json()["message"]
    applied = await client.post("/mobile/v1/registrations", json=NEWCOMER)
    waiting_now = await client.get(f"/mobile/v1/registrations/{applied.json()['application_id']}")
    assert waiting_now.status_code == 202
    services.clock.advance(16 * 60)
    read = await client.get(f"/mobile/v1/registrations/{applied.json()['application_id']}")
    assert read.json()["code"] == "consent_expired"
    assert store(services).account_by_nik(NEWCOMER["nik"]) is None


async def test_two_reads_at_once_open_one_account(services: Services) -> None:
    import asyncio

    client = app_client(services)
    applied = await client.post("/mobile/v1/registrations", json=NEWCOMER)
    await approve_pending(services, NEWCOMER["nik"])
    path = f"/mobile/v1/registrations/{applied.json()['application_id']}"
    await asyncio.gather(*(client.get(path) for _ in range(4)))
    final = await client.get(path)
    assert final.json()["status"] == "OPENED"
    verifies = [c for c in services.calls if c.path == "/v1/verify"]
    assert len(verifies) == 1


async def test_a_huge_or_broken_application_is_refused_and_asks_nobody(
    services: Services,
) -> None:
    client = app_client(services)
    nul = await client.post("/mobile/v1/registrations", json={**NEWCOMER, "name": "DE\x00WI"})
    huge = await client.post("/mobile/v1/registrations", json={**NEWCOMER, "address": "x" * 10**6})
    assert nul.status_code == 400 and 400 <= huge.status_code < 500
    assert not [c for c in services.calls if c.callee == "identity"]


@pytest.mark.parametrize(
    "application_id", ["KYC-" + "0" * 24, "KYC-%00", "..%2Fsessions", "KYC-" + "a" * 500]
)
async def test_someone_elses_or_a_made_up_application_is_refused(
    services: Services, application_id: str
) -> None:
    response = await app_client(services).get(f"/mobile/v1/registrations/{application_id}")
    assert 400 <= response.status_code < 500 and "code" in response.json()


async def test_existing_customer_cannot_register_again(services: Services) -> None:
    body = {**NEWCOMER, "nik": "9971015403960001", "name": "SARI WULANDARI"}
    response = await app_client(services).post("/mobile/v1/registrations", json=body)
    assert (response.status_code, response.json()["code"]) == (409, "account_exists")
    assert not [c for c in services.calls if c.callee == "identity"]  # no paid registry call


async def test_registration_needs_consent(services: Services) -> None:
    response = await app_client(services).post(
        "/mobile/v1/registrations", json={**NEWCOMER, "consent": False}
    )
    assert (response.status_code, response.json()["code"]) == (400, "consent_required")


async def test_registry_unreachable_is_503(services: Services) -> None:
    async def refuse(scope: Any, receive: Any, send: Any) -> None:
        raise httpx.ConnectError("connection refused")

    services.wire.mount("identity", refuse)
    response = await app_client(services).post("/mobile/v1/registrations", json=NEWCOMER)
    assert response.status_code == 503
    assert response.json()["code"] == "registry_unavailable"
    assert "registry" in response.json()["message"]
    assert store(services).account_by_nik(NEWCOMER["nik"]) is None


async def test_paying_a_va_whose_biller_was_removed_is_refused_clearly(
    services: Services,
) -> None:
    """A biller removed from the sandbox's configuration leaves its VAs behind: paying one
    is a clear 404 in the app's dialect, and no money moves (never a 500)."""
    await Partner(services).call("POST", CREATE, va_body())
    bank = services.apps["bank"].state.bank
    kept = {key: p for key, p in bank.partners.items() if p.name != "marketplace"}
    bank.partners.clear()  # as the bank does when its partner book changes
    bank.partners.update(kept)
    auth = await log_in(services)
    response = await pay(services, auth, "key-1")
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "biller_not_found"
    assert "nothing was charged" in response.json()["message"]
    assert await balance(services, auth) == 2_500_000
    assert store(services).ledger_of(BUYER) == []
    assert not outbox(services).pending()
