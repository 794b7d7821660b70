"""The app faces follow what others do: a payment made elsewhere changes what they show.

Nobody taps the face: another actor pays, the institutions deliver their webhooks and
notifications, and the recorded calls reach the faces as the screen hands them over.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import OptionList, RadioButton, Static

from sandbox.scenarios.identities import Actor
from sandbox.trace.events import HttpCall
from sandbox.tui.clients.social import WEBHOOK
from sandbox.tui.screens.faces import FacesScreen
from sandbox.tui.widgets.faces import BankFace, DeskFace, Face, SocialFace
from sandbox.tui.widgets.faces.face import FOLLOW_DELAY
from sandbox.tui.widgets.faces.social import status_label
from tests.conftest import Services
from tests.services.consent_helpers import approve_on
from tests.tui.factory import make_app, until
from tests.tui.test_faces import FacesApp, acted, settle, unique

PRICE = 185_000
"""The batik shirt of video 1 (product 100101)."""


def refreshed(seen: list[Message], face: str = "") -> list[Face.Refreshed]:
    return [m for m in unique(seen, Face.Refreshed) if not face or m.face == face]


async def pay_elsewhere(wire: Any, world: dict[str, Any], who: str, va: str, amount: int) -> None:
    """`who` pays a VA from a bank app that is not the face: another phone, another person."""
    other = Actor(wire, world, who)
    answer = await other.request(
        "bank",
        "POST",
        "/mobile/v1/va-payments",
        json={"virtual_account_no": va, "amount": amount},
        headers={"Idempotency-Key": f"elsewhere-{who}-{va}"},
    )
    assert answer.status_code == 201, answer.text


def digits(va: object) -> str:
    return "".join(str(va).split())


async def bought(pilot: Pilot[None]) -> tuple[SocialFace, str]:
    """Buy the shirt on the phone; the face and the VA its checkout page shows."""
    social = pilot.app.query_one(SocialFace)
    await pilot.click(".social--buy")
    await settle(pilot)
    assert social.checkout is not None
    return social, digits(social.checkout["payment"]["virtual_account_no"])


async def test_the_phone_shows_a_payment_made_from_another_phone(services: Services) -> None:
    seen: list[Message] = []
    app = FacesApp(services)
    async with app.run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, va = await bought(pilot)
        bank = app.query_one(BankFace)
        assert [o["status"] for o in social.orders] == ["UNPAID"]
        taps = len(unique(seen, Face.Acted))
        start = len(services.calls)

        await pay_elsewhere(services.wire, services.world, "buyer", va, PRICE)
        await services.settle()  # the bank tells the marketplace, which tells Klip
        for face in app.query(Face):
            face.follow(services.calls[start:])
        await until(lambda: len(refreshed(seen)) >= 2, pilot)

        assert [o["status"] for o in social.orders] == ["AWAITING_SHIPMENT"]
        assert social.checkout is not None and social.checkout["status"] == "AWAITING_SHIPMENT"
        page = str(social.query_one("#checkout-page", Static).render())
        assert status_label("AWAITING_SHIPMENT") in page and "Waiting for payment" not in page
        assert "Updated by Pasarloka's webhook" in str(social.orders_notice.render())
        assert bank.balance == 2_500_000 - PRICE  # her balance moved: the bank app knows
        assert len(unique(seen, Face.Acted)) == taps  # nobody tapped: no tap is listed

    webhook = next(c for c in services.calls[start:] if c.path == WEBHOOK)
    again = [
        c
        for c in services.calls
        if c.trace_id == webhook.trace_id and c.caller == "buyer" and c.method == "GET"
    ]
    assert sorted((c.callee, c.path.split("/")[1]) for c in again) == [
        ("bank", "mobile"),  # the balance
        ("marketplace", "checkout"),  # the checkout page in the web view
        ("social", "api"),  # My orders
    ]
    assert all(c.parent_id is None for c in again)  # the app catching up, not the webhook's child


def webhook_call(order_id: str, status: str, trace_id: str = "a" * 32, code: int = 200) -> HttpCall:
    """The marketplace's webhook to Klip as the recorder keeps it."""
    body = {"type": "ORDER_STATUS_CHANGE", "data": {"order_id": order_id, "status": status}}
    return HttpCall(
        trace_id=trace_id,
        span_id="b" * 16,
        parent_id="c" * 16,
        caller="marketplace",
        callee="social",
        method="POST",
        path=WEBHOOK,
        status=code,
        started_at=0.0,
        duration_ms=1.0,
        request_body=json.dumps(body),
    )


async def test_a_burst_of_webhooks_causes_one_refresh(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, _va = await bought(pilot)
        order = str(social.orders[0]["order_id"])
        burst = webhook_call(order, "AWAITING_SHIPMENT")
        for batch in ([burst] * 3, [burst], [burst, burst]):  # drained in several batches
            social.follow(batch)
        await until(lambda: bool(refreshed(seen, "social")), pilot)
        await pilot.pause(FOLLOW_DELAY * 2)
        assert len(refreshed(seen, "social")) == 1
        later = webhook_call(order, "IN_TRANSIT", trace_id="d" * 32)
        social.follow([later])  # after the refresh, news is followed again
        await until(lambda: len(refreshed(seen, "social")) == 2, pilot)
    fetched = [c for c in services.calls if c.path == "/api/v1/me/orders"]
    assert [c.trace_id for c in fetched if c.trace_id in {"a" * 32, "d" * 32}] == [
        "a" * 32,
        "d" * 32,
    ]


async def test_the_phone_ignores_what_does_not_concern_it(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, _va = await bought(pilot)
        bank = pilot.app.query_one(BankFace)
        order = str(social.orders[0]["order_id"])
        assert social.changed_by(webhook_call(order, "AWAITING_SHIPMENT")) == {
            "orders",
            "checkout",
            "webhook",
        }
        assert not social.changed_by(webhook_call(order, "UNPAID"))  # nothing new
        assert not social.changed_by(webhook_call("someone-elses", "AWAITING_SHIPMENT"))
        assert not social.changed_by(webhook_call(order, "AWAITING_SHIPMENT", code=401))
        buy = next(c for c in services.calls if c.path.endswith("/buy"))
        assert social.changed_by(buy) == {"orders"}  # buying, from any device
        assert not bank.changed_by(buy)
        mine = acted(seen, "buy")[0].trace_id  # the face's own tap shows its outcome itself
        social.follow([replace(webhook_call(order, "AWAITING_SHIPMENT"), trace_id=mine)])
        await pilot.pause(FOLLOW_DELAY * 2)
        assert not refreshed(seen)


async def buy_on_the_phone(pilot: Pilot[None], seen: list[Message]) -> tuple[SocialFace, str]:
    """On the apps screen, tap Buy once the phone has loaded; the phone's face and the VA its
    checkout page shows, once the orders are listed again after the checkout."""
    await pilot.press("3")
    screen = pilot.app.screen
    assert isinstance(screen, FacesScreen)
    social = screen.query_one(SocialFace)
    await until(lambda: bool(social.query(".social--buy")) and bool(acted(seen, "orders")), pilot)
    await pilot.click(".social--buy")
    await until(lambda: len(acted(seen, "orders")) == 2, pilot)  # after the checkout
    assert social.checkout is not None
    return social, digits(social.checkout["payment"]["virtual_account_no"])


async def test_the_apps_screen_follows_the_webhook_with_no_tap(tmp_path: Path) -> None:
    """The real app: recorded calls reach the faces screen through the live event pump."""
    app, backend = make_app(tmp_path)
    seen: list[Message] = []
    try:
        async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
            social, va = await buy_on_the_phone(pilot, seen)
            listed = app.screen.query_one("#taps", OptionList)
            await until(lambda: listed.option_count == len(unique(seen, Face.Acted)), pilot)
            taps = listed.option_count

            await pay_elsewhere(backend.wire, backend.world, "buyer", va, PRICE)
            await backend.settle()
            await until(lambda: bool(refreshed(seen, "social")), pilot)

            assert [o["status"] for o in social.orders] == ["AWAITING_SHIPMENT"]
            assert status_label("AWAITING_SHIPMENT") in str(social.query_one("#orders").render())
            assert listed.option_count == taps  # nobody tapped: nothing listed
    finally:
        await backend.aclose()


async def test_the_desk_shows_the_bill_paid_when_the_bank_says_so(tmp_path: Path) -> None:
    """Rina pays her bill from her own bank app while the phone is on screen; `h` shows the
    desk already up to date: a hidden face follows too."""
    app, backend = make_app(tmp_path)
    seen: list[Message] = []
    try:
        async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
            await pilot.press("3")
            await pilot.press("h")
            desk = app.screen.query_one(DeskFace)
            await until(lambda: desk.size.height > 0, pilot)
            await pilot.click(list(desk.query(RadioButton))[1])  # Rina: not insured
            await pilot.click("#admit")
            await until(lambda: desk.summary is not None, pilot)
            assert desk.awaiting and desk.patient is not None
            await approve_on(backend.wire, backend.world, desk.patient["nik"])  # in her IKD app
            await until(lambda: not desk.awaiting, pilot)  # the desk follows the calls
            assert desk.summary is not None
            bill = desk.summary["bill"]
            assert bill["status"] == "UNPAID"
            assert "not paid yet" in str(desk.query_one("#answer-bill").render())
            await pilot.press("h")  # back to the phone

            va = digits(bill["virtual_account_no"])
            before = len(refreshed(seen, "hospital"))  # her approval refreshed the desk already
            await pay_elsewhere(backend.wire, backend.world, "creator", va, bill["amount"])
            await backend.settle()
            await until(
                lambda: (
                    len(refreshed(seen, "hospital")) > before
                    and (desk.summary or {}).get("bill", {}).get("status") == "PAID"
                ),
                pilot,
            )
            await pilot.press("h")
            await pilot.pause()

            assert desk.summary["bill"]["status"] == "PAID"
            shown = str(desk.query_one("#answer-bill").render())
            assert "paid to VA" in shown and "not paid yet" not in shown
            assert "payment notification" in str(desk.notice.render())
            assert len(acted(seen, "admit")) == 1  # nobody tapped again
    finally:
        await backend.aclose()


async def test_after_a_reset_the_apps_show_the_seeded_world(tmp_path: Path) -> None:
    """ctrl+r restores the world: the phone and the desk drop what belonged to the old one."""
    app, backend = make_app(tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("3")
            social, bank = app.screen.query_one(SocialFace), app.screen.query_one(BankFace)
            desk = app.screen.query_one(DeskFace)
            await until(
                lambda: bool(social.query(".social--buy")) and bank.balance is not None, pilot
            )
            await pilot.click(".social--buy")
            await until(lambda: social.checkout is not None, pilot)
            await pilot.click("#pay-va")  # the VA goes to her bank app, which pays it
            await until(lambda: bank.amount == PRICE, pilot)
            await pilot.click("#pay")
            await until(lambda: bank.balance == 2_500_000 - PRICE, pilot)
            assert bank.payment is not None and social.checkout is not None
            desk.admit()
            await until(lambda: desk.summary is not None, pilot)

            await pilot.press("ctrl+r")
            await until(lambda: bank.balance == 2_500_000, pilot)

            assert social.checkout is None and not social.orders
            assert not social.query_one("#webview").has_class("-shown")
            assert not bank.va_input.value and bank.amount is None and bank.payment is None
            assert bank.query_one("#retry").disabled
            assert desk.summary is None
    finally:
        await backend.aclose()


async def test_back_on_the_apps_the_phone_shows_what_was_paid_meanwhile(tmp_path: Path) -> None:
    """Live calls reach only the screen on show. Buy, go to the map, pay from another bank
    app there, come back: the phone catches up with the calls it missed."""
    app, backend = make_app(tmp_path)
    seen: list[Message] = []
    try:
        async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
            social, va = await buy_on_the_phone(pilot, seen)

            await pilot.press("1")
            await pilot.pause(0.3)
            await pay_elsewhere(backend.wire, backend.world, "buyer", va, PRICE)
            await backend.settle()
            await pilot.pause(0.5)
            assert not refreshed(seen, "social")  # off screen, the phone heard nothing

            await pilot.press("3")
            await until(lambda: bool(refreshed(seen, "social")), pilot)
            assert [o["status"] for o in social.orders] == ["AWAITING_SHIPMENT"]
    finally:
        await backend.aclose()
