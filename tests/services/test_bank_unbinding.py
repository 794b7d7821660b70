"""Unbinding from either side: the merchant (SNAP 09) or the account holder in her bank app."""

from __future__ import annotations

from typing import Any

from tests.conftest import Services
from tests.services.snap_debit import UNBIND, Merchant, code, texts


async def _app_session(services: Services) -> dict[str, str]:
    buyer = services.world["personas"]["buyer"]
    login = await services.client("bank", "buyer").post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    return {"Authorization": f"Bearer {login.json()['session_token']}"}


def _unbind_body() -> dict[str, Any]:
    return {"partnerReferenceNo": "unbind-1"}


async def test_the_merchant_unbinds_and_its_next_debit_is_refused_saying_so(
    services: Services,
) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    ended = await merchant.call(UNBIND, _unbind_body(), token)
    assert ended.status_code == 200 and code(ended) == "2000900", ended.text
    assert "tidak lagi terhubung" in texts(services)[-1]
    again = await merchant.call(UNBIND, _unbind_body(), token)
    assert again.status_code == 200, "unbinding twice changes nothing"
    refused = await merchant.debit(token, "ORD-1")
    assert refused.status_code == 403 and code(refused) == "4035418"
    assert refused.json()["code"] == "binding_revoked"
    assert "unbound by you" in refused.json()["message"]


async def test_she_sees_and_ends_a_binding_in_her_bank_app(services: Services) -> None:
    merchant = Merchant(services)
    token = await merchant.bound()
    app = services.client("bank", "buyer")
    me = await _app_session(services)
    listed = await app.get("/mobile/v1/bindings", headers=me)
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["merchant"] == "PT PASARLOKA DIGITAL NUSANTARA" and shown["status"] == "ACTIVE"
    assert shown["limit_without_code"] == 250_000
    ended = await app.delete(f"/mobile/v1/bindings/{shown['binding_id']}", headers=me)
    assert ended.status_code == 200 and ended.json()["status"] == "REVOKED"
    refused = await merchant.debit(token, "ORD-1")
    assert refused.status_code == 403 and "by the customer" in refused.json()["message"]
    assert not any(c.caller == "bank" and c.callee == "marketplace" for c in services.calls)


async def test_nobody_ends_another_persons_binding(services: Services) -> None:
    await Merchant(services).bound()
    seller = services.world["personas"]["seller"]
    login = await services.client("bank", "seller").post(
        "/mobile/v1/sessions", json={"account_no": seller["account_no"], "pin": seller["pin"]}
    )
    other = {"Authorization": f"Bearer {login.json()['session_token']}"}
    app = services.client("bank", "seller")
    assert (await app.get("/mobile/v1/bindings", headers=other)).json() == []
    refused = await app.delete("/mobile/v1/bindings/1", headers=other)
    assert refused.status_code == 404 and refused.json()["code"] == "binding_not_found"
    assert (await app.get("/mobile/v1/bindings")).status_code == 401


async def test_a_new_binding_replaces_the_old_token(services: Services) -> None:
    merchant = Merchant(services)
    old = await merchant.bound()
    new = await merchant.bound()
    refused = await merchant.debit(old, "ORD-1")
    assert refused.status_code == 403 and "newer binding" in refused.json()["message"]
    assert (await merchant.debit(new, "ORD-1")).status_code == 200


async def test_unbinding_needs_the_customer_token(services: Services) -> None:
    merchant = Merchant(services)
    missing = await merchant.call(UNBIND, _unbind_body())
    assert missing.status_code == 400 and code(missing) == "4000902"
    unknown = await merchant.call(UNBIND, _unbind_body(), "tok_" + "1" * 48)
    assert unknown.status_code == 401 and code(unknown) == "4010902"
