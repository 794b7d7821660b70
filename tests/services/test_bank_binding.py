"""Account binding at the bank (SNAP 07 and 04): a code by SMS, typed at the partner."""

from __future__ import annotations

import json

from sandbox.services.bank import rules
from tests.conftest import Services
from tests.services.snap_debit import (
    BIND,
    BUYER_PHONE,
    Merchant,
    code,
    last_code,
    texts,
)


async def test_binding_texts_a_code_and_tells_the_partner_only_a_masked_phone(
    services: Services,
) -> None:
    answer = await Merchant(services).bind("0812 0000 0001")
    assert answer.status_code == 202 and code(answer) == "2020700"
    body = answer.json()
    assert body["referenceNo"].startswith("BND") and body["partnerReferenceNo"] == "bind-1"
    assert body["additionalInfo"] == {
        "maskedPhoneNo": "+62*******0001",
        "otpExpiresAt": rules.wib_iso(services.clock() + 300),
    }
    sent = texts(services)
    assert len(sent) == 1 and "PASARLOKA" in sent[0] and "JANGAN" in sent[0]
    account = services.world["personas"]["buyer"]["account_no"]
    assert account not in answer.text and "SARI" not in answer.text
    assert [(c.caller, c.callee) for c in services.calls] == [("marketplace", "bank")] * 2


async def test_the_bank_keeps_the_code_only_as_a_keyed_hash(services: Services) -> None:
    await Merchant(services).bind()
    typed = last_code(services)
    rows = list(services.apps["bank"].state.store.db.query("SELECT * FROM otps"))
    assert len(rows) == 1 and typed not in json.dumps(rows)


async def test_the_right_code_activates_the_binding_and_hands_over_a_token(
    services: Services,
) -> None:
    merchant = Merchant(services)
    started = (await merchant.bind()).json()
    done = await merchant.verify(started["referenceNo"], last_code(services))
    assert done.status_code == 200 and code(done) == "2000400", done.text
    body = done.json()
    assert body["linkageToken"].startswith("tok_")
    assert body["originalReferenceNo"] == started["referenceNo"]
    assert body["account"] == {
        "maskedAccountNo": "******0001",
        "limitWithoutOtp": {"value": "250000.00", "currency": "IDR"},
        "maxDebit": {"value": "10000000.00", "currency": "IDR"},
    }
    store = services.apps["bank"].state.store
    binding = store.binding(started["referenceNo"])
    assert binding["status"] == "ACTIVE" and binding["token_hash"] != body["linkageToken"]
    assert body["linkageToken"] not in json.dumps(services.calls[-1].to_dict())


async def test_a_code_works_once(services: Services) -> None:
    merchant = Merchant(services)
    reference = (await merchant.bind()).json()["referenceNo"]
    typed = last_code(services)
    assert (await merchant.verify(reference, typed)).status_code == 200
    again = await merchant.verify(reference, typed)
    assert again.status_code == 404 and code(again) == "4040410"
    assert again.json()["code"] == "otp_already_used"


async def test_three_wrong_codes_end_the_attempt(services: Services) -> None:
    merchant = Merchant(services)
    reference = (await merchant.bind()).json()["referenceNo"]
    right = last_code(services)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    first = await merchant.verify(reference, wrong)
    assert first.status_code == 404 and code(first) == "4040415"
    assert first.json()["attempts_left"] == 2 and "2 more tries" in first.json()["message"]
    second = await merchant.verify(reference, wrong)
    assert second.json()["attempts_left"] == 1
    third = await merchant.verify(reference, wrong)
    assert third.status_code == 403 and code(third) == "4030411"
    assert "start the binding again" in third.json()["message"].lower()
    late = await merchant.verify(reference, right)
    assert late.status_code == 403 and code(late) == "4030411", "the right code is too late"
    assert services.apps["bank"].state.store.binding(reference)["status"] == "FAILED"


async def test_an_expired_code_is_its_own_error(services: Services) -> None:
    merchant = Merchant(services)
    reference = (await merchant.bind()).json()["referenceNo"]
    services.clock.advance(301)
    late = await merchant.verify(reference, last_code(services))
    assert late.status_code == 403 and code(late) == "4030412"
    assert late.json()["code"] == "otp_expired" and "5 minutes" in late.json()["message"]


async def test_starting_again_texts_a_new_code_and_the_new_binding_works(
    services: Services,
) -> None:
    merchant = Merchant(services)
    await merchant.bind(ref="first")
    token = await merchant.bound()
    assert token.startswith("tok_")
    sent = texts(services)
    assert len(sent) == 3 and "terhubung ke PT PASARLOKA" in sent[-1]


async def test_an_unknown_phone_or_a_malformed_one_is_refused(services: Services) -> None:
    merchant = Merchant(services)
    unknown = await merchant.bind("+62 899-9999-9999")
    assert unknown.status_code == 404 and code(unknown) == "4040711"
    assert unknown.json()["code"] == "phone_not_registered"
    bad = await merchant.bind("not a phone")
    assert bad.status_code == 400 and code(bad) == "4000701"


async def test_a_binding_without_the_partners_customer_id_is_refused(services: Services) -> None:
    merchant = Merchant(services)
    answer = await merchant.call(BIND, {"partnerReferenceNo": "b", "phoneNo": BUYER_PHONE})
    assert answer.status_code == 400 and code(answer) == "4000702"


async def test_an_unsigned_binding_learns_nothing(services: Services) -> None:
    answer = await services.client("bank", "student").post(
        BIND, json={"partnerReferenceNo": "b", "phoneNo": BUYER_PHONE}
    )
    assert answer.status_code == 401 and code(answer) == "4010701"
    assert texts(services) == []


async def test_another_partner_cannot_confirm_a_binding_it_did_not_start(
    services: Services,
) -> None:
    reference = (await Merchant(services).bind()).json()["referenceNo"]
    hospital = Merchant(services, "hospital")
    answer = await hospital.verify(reference, last_code(services))
    assert answer.status_code == 404 and code(answer) == "4040401"


async def test_a_malformed_code_is_a_format_error(services: Services) -> None:
    merchant = Merchant(services)
    reference = (await merchant.bind()).json()["referenceNo"]
    answer = await merchant.verify(reference, "12ab")
    assert answer.status_code == 400 and code(answer) == "4000401"
