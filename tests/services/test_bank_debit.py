"""Direct debit at the bank (SNAP 54, 55, 56 and 04 for a debit above the limit)."""

from __future__ import annotations

import json

from sandbox.services.bank import rules
from tests.conftest import Services
from tests.services.snap_debit import (
    DEBIT,
    STATUS,
    Merchant,
    balance,
    code,
    last_code,
    texts,
)


def _buyer(services: Services) -> str:
    return str(services.world["personas"]["buyer"]["account_no"])


def _merchant_account(services: Services) -> str:
    return str(services.world["partners"]["bank"]["marketplace"]["account_no"])


async def test_a_debit_under_the_limit_moves_the_money_at_once(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    before, shop = (
        balance(services, _buyer(services)),
        balance(services, _merchant_account(services)),
    )
    answer = await merchant.debit(token, "240301000001")
    assert answer.status_code == 200 and code(answer) == "2005400", answer.text
    body = answer.json()
    assert body["latestTransactionStatus"] == "00" and body["referenceNo"].startswith("DD")
    assert body["amount"] == {"value": "185000.00", "currency": "IDR"}
    assert balance(services, _buyer(services)) == before - 185_000
    assert balance(services, _merchant_account(services)) == shop + 185_000
    notice = texts(services)[-1]
    assert "didebit Rp185.000" in notice and "240301000001" in notice
    assert "******0001" in notice


async def test_the_merchant_is_notified_once_signed_and_acknowledges(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    await merchant.debit(token, "ORD-1")
    await services.settle()
    notes = [c for c in services.calls if c.path == "/v1.0/debit/notify"]
    assert len(notes) == 1 and (notes[0].caller, notes[0].callee) == ("bank", "marketplace")
    headers = dict(notes[0].request_headers)
    assert {"x-signature", "x-timestamp", "x-partner-id"} <= {k.lower() for k in headers}


async def test_the_same_reference_replays_the_first_answer_and_moves_nothing(
    services: Services,
) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    first = await merchant.debit(token, "ORD-1")
    after_first = balance(services, _buyer(services))
    again = await merchant.debit(token, "ORD-1")
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert balance(services, _buyer(services)) == after_first
    assert sum("didebit" in t for t in texts(services)) == 1


async def test_the_same_reference_with_another_amount_is_a_conflict(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    await merchant.debit(token, "ORD-1")
    other = await merchant.debit(token, "ORD-1", "1000.00")
    assert other.status_code == 409 and code(other) == "4095401"
    assert other.json()["code"] == "partner_reference_reused"


async def test_above_the_limit_she_confirms_with_a_code(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    before = balance(services, _buyer(services))
    pending = await merchant.debit(token, "ORD-BIG", "400000.00")
    assert pending.status_code == 202 and code(pending) == "2025400", pending.text
    body = pending.json()
    assert body["latestTransactionStatus"] == "03"
    assert body["additionalInfo"]["maskedPhoneNo"] == "+62*******0001"
    assert balance(services, _buyer(services)) == before, "nothing moves before the code"
    assert "Rp400.000" in texts(services)[-1]
    replay = await merchant.debit(token, "ORD-BIG", "400000.00")
    assert replay.status_code == 202 and replay.json() == body
    done = await merchant.verify(body["referenceNo"], last_code(services))
    assert done.status_code == 200 and code(done) == "2000400", done.text
    assert done.json()["latestTransactionStatus"] == "00"
    assert balance(services, _buyer(services)) == before - 400_000
    after = await merchant.debit(token, "ORD-BIG", "400000.00")
    assert after.status_code == 200 and after.json()["latestTransactionStatus"] == "00"


async def test_three_wrong_codes_fail_the_debit_and_a_new_try_is_allowed(
    services: Services,
) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    reference = (await merchant.debit(token, "ORD-BIG", "400000.00")).json()["referenceNo"]
    wrong = f"{(int(last_code(services)) + 1) % 10**6:06d}"
    for _ in range(3):
        refused = await merchant.verify(reference, wrong)
    assert refused.status_code == 403 and code(refused) == "4030411"
    status = await merchant.call(STATUS, {"originalPartnerReferenceNo": "ORD-BIG"})
    assert status.json()["latestTransactionStatus"] == "06"
    again = await merchant.debit(token, "ORD-BIG", "400000.00")
    assert again.status_code == 202 and again.json()["referenceNo"] != reference


async def test_an_expired_debit_code_fails_the_debit(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    before = balance(services, _buyer(services))
    reference = (await merchant.debit(token, "ORD-BIG", "400000.00")).json()["referenceNo"]
    services.clock.advance(rules.CODE_SECONDS + 1)
    late = await merchant.verify(reference, last_code(services))
    assert late.status_code == 403 and code(late) == "4030412"
    assert balance(services, _buyer(services)) == before


async def test_insufficient_funds_is_refused_and_nothing_is_recorded(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    have = balance(services, _buyer(services))
    value = f"{min(have + 1, rules.MAX_DEBIT)}.00"
    refused = await merchant.debit(token, "ORD-RICH", value)
    if have + 1 > rules.MAX_DEBIT:
        assert code(refused) == "4035402"
    else:
        assert refused.status_code == 403 and code(refused) == "4035414"
        assert refused.json()["code"] == "insufficient_funds"
    assert balance(services, _buyer(services)) == have


async def test_a_debit_over_the_maximum_is_refused(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    refused = await merchant.debit(token, "ORD-HUGE", f"{rules.MAX_DEBIT + 1}.00")
    assert refused.status_code == 403 and code(refused) == "4035402"
    assert refused.json()["code"] == "over_debit_maximum"


async def test_a_malformed_or_zero_amount_is_a_format_error(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    for value in ("185000", "185000.50", "0.00"):
        refused = await merchant.debit(token, "ORD-X", value)
        assert refused.status_code == 400 and code(refused) == "4005401", value


async def test_an_unknown_missing_or_foreign_customer_token_is_refused(
    services: Services,
) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    unknown = await merchant.debit("tok_" + "0" * 48, "ORD-1")
    assert unknown.status_code == 401 and code(unknown) == "4015402"
    body = {"partnerReferenceNo": "ORD-1", "amount": {"value": "1.00", "currency": "IDR"}}
    missing = await merchant.call(DEBIT, body)
    assert missing.status_code == 400 and code(missing) == "4005402"
    foreign = await Merchant(services, "hospital").debit(token, "ORD-1")
    assert foreign.status_code == 401 and code(foreign) == "4015402"
    assert "didebit" not in " ".join(texts(services))


async def test_the_customer_token_never_reaches_the_trace(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    await merchant.debit(token, "ORD-1")
    recorded = json.dumps([c.to_dict() for c in services.calls])
    assert token not in recorded and token[4:20] not in recorded


async def test_status_says_what_became_of_a_debit(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    paid = (await merchant.debit(token, "ORD-1")).json()
    status = await merchant.call(STATUS, {"originalPartnerReferenceNo": "ORD-1"})
    assert status.status_code == 200 and code(status) == "2005500"
    body = status.json()
    assert body["originalReferenceNo"] == paid["referenceNo"]
    assert body["latestTransactionStatus"] == "00" and body["serviceCode"] == "54"
    assert body["refundedAmount"]["value"] == "0.00"
    unknown = await merchant.call(STATUS, {"originalPartnerReferenceNo": "ORD-NONE"})
    assert unknown.status_code == 404 and code(unknown) == "4045501"
    other = await Merchant(services, "hospital").call(
        STATUS, {"originalPartnerReferenceNo": "ORD-1"}
    )
    assert other.status_code == 404, "another merchant's debit is not found"
