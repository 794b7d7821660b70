"""The faces' clients make a person's calls and hand back plain data, or a failure in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.tui.clients import BankClient, DeskClient, FaceError, SocialClient
from sandbox.tui.clients.bank import va_paid
from sandbox.tui.clients.social import OrderChange, order_change
from sandbox.tui.widgets.faces.desk import DESK
from tests.conftest import Services
from tests.services.consent_helpers import approve_pending
from tests.tui.factory import LocalBackend
from tests.tui.test_faces import People


async def test_social_client_buys_and_loads_the_checkout_page_as_the_buyer(
    services: Services,
) -> None:
    social = SocialClient(People(services), "buyer")
    assert social.persona["handle"] == "sariwulan" and 1 in await social.feed()
    order = await social.buy(1, 100101)
    page = await social.checkout(order["checkout_url"])
    assert page["order_id"] == order["order_id"] and page["status"] == "UNPAID"
    assert [o["order_id"] for o in await social.orders()] == [order["order_id"]]
    assert {(c.caller, c.callee) for c in services.calls} >= {
        ("buyer", "social"),
        ("buyer", "marketplace"),
    }


async def test_bank_client_pays_once_per_key(services: Services) -> None:
    bank = BankClient(People(services), "buyer")
    social = SocialClient(People(services), "buyer")
    page = await social.checkout((await social.buy(1, 100101))["checkout_url"])
    va = "".join(page["payment"]["virtual_account_no"].split())
    assert (await bank.inquire(va))["amount"] == 185_000
    key = bank.new_key()
    first, again = await bank.pay(va, 185_000, key), await bank.pay(va, 185_000, key)
    assert first["payment_id"] == again["payment_id"]
    assert (await bank.account())["balance"] == 2_500_000 - 185_000


async def test_desk_client_admits_as_the_clerk(services: Services, world: dict[str, Any]) -> None:
    person = next(p for p in world["persons"] if p["nik"] == world["personas"]["patient"]["nik"])
    desk = DeskClient(People(services), DESK)
    summary = await desk.admit(person, "Demam", "", consent=True)
    assert summary["status"] == "AWAITING_CONSENT"  # the hospital asked her first
    await approve_pending(services, person["nik"])  # she approves in her IKD app
    await services.settle()  # the registry tells the hospital, which admits her
    assert (await desk.admission(summary["admission_id"]))["status"] == "ADMITTED"
    assert ("reception", "hospital") in {(c.caller, c.callee) for c in services.calls}


async def _refuse(scope: object, receive: object, send: object) -> None:
    raise httpx.ConnectError("connection refused")


async def test_a_failed_call_is_a_face_error_in_words(services: Services) -> None:
    bank = BankClient(People(services), "buyer")
    with pytest.raises(FaceError, match="No virtual account 123"):
        await bank.inquire("123")  # the bank's own message
    services.wire.mount("bank", _refuse)
    with pytest.raises(FaceError, match="^bank unreachable$"):
        await BankClient(People(services), "buyer").account()


async def test_a_client_logs_in_again_after_the_world_is_reset(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    try:
        bank = BankClient(backend, "buyer")
        assert (await bank.account())["balance"] == 2_500_000
        await backend.reset()  # sessions belong to the old world
        assert (await bank.account())["balance"] == 2_500_000
    finally:
        await backend.aclose()


async def test_the_clients_recognise_the_calls_that_change_what_their_apps_show(
    services: Services,
) -> None:
    people = People(services)
    social, bank = SocialClient(people, "buyer"), BankClient(people, "buyer")
    page = await social.checkout((await social.buy(1, 100101))["checkout_url"])
    va = "".join(page["payment"]["virtual_account_no"].split())
    await BankClient(people, "creator").pay(va, 185_000, "a-friend-pays")
    await services.settle()
    changes = [change for call in services.calls if (change := order_change(call))]
    assert changes == [
        OrderChange(page["order_id"], "UNPAID"),
        OrderChange(page["order_id"], "AWAITING_SHIPMENT"),
    ]
    assert [va_paid(call) for call in services.calls if va_paid(call)] == [va]
    assert [call.path for call in services.calls if social.bought(call)] == ["/api/v1/videos/1/buy"]
    assert not any(bank.moved_money(call, "9900000001") for call in services.calls)  # a friend
    assert any(BankClient(people, "creator").moved_money(c, "9900000003") for c in services.calls)
