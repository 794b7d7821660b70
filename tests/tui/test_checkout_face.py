"""Pay with Bank Contoh inside Klip: bind with the SMS code, debit, wrong and expired codes.

The faces run over in-process institutions (real apps, real stores, real signatures); the
code is read from the bank's own SMS records, as the phone face reads it.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from sandbox.tui import i18n
from sandbox.tui.clients import FaceError
from sandbox.tui.clients.checkout import refusal_words
from sandbox.tui.widgets.faces import BankFace, SocialFace
from sandbox.tui.widgets.faces.checkout import CheckoutView
from sandbox.tui.widgets.faces.texts import PhoneTexts
from tests.conftest import Services
from tests.tui.factory import until
from tests.tui.test_faces import FacesApp, acted, settle

PRICE = 185_000
_CODE = re.compile(r"\b([0-9]{6})\b")


async def buy_and_choose_bank(pilot: Pilot[None]) -> tuple[SocialFace, CheckoutView]:
    """Buy the shirt, then tap Pay with Bank Contoh on the checkout page."""
    social = pilot.app.query_one(SocialFace)
    await pilot.click(".social--buy")
    await settle(pilot)
    await pilot.click("#pay-bank")
    await settle(pilot)
    return social, social.webview


def newest_code(social: SocialFace) -> str:
    """The code in the newest text the phone face shows (as she reads it)."""
    texts = social.query_one(PhoneTexts)
    assert texts.has_class("-shown") and texts.texts
    found = _CODE.search(texts.texts[-1].text)
    assert found is not None, texts.texts[-1].text
    return found.group(1)


async def send_phone(pilot: Pilot[None], view: CheckoutView) -> None:
    """She accepts the number her keyboard suggests and presses Enter."""
    assert view.step == "phone"
    phone = view.query_one("#debit-phone", Input)
    assert phone.has_focus and phone.value == "+62 812-0000-0001"
    await pilot.press("enter")
    await settle(pilot)


async def type_code(pilot: Pilot[None], view: CheckoutView, code: str) -> None:
    assert view.step == "code" and view.query_one("#debit-code", Input).has_focus
    await pilot.press(*code, "enter")
    await settle(pilot)


async def test_pay_with_bank_binds_with_the_sms_code_and_never_calls_the_bank(
    services: Services,
) -> None:
    seen: list[Message] = []
    app = FacesApp(services)
    async with app.run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        assert social.payment is not None and social.payment["status"] == "OTP_SENT"
        assert "+62*******0001" in str(view.query_one("#debit-says").render())
        code = newest_code(social)
        assert "menghubungkan rekening" in social.query_one(PhoneTexts).texts[-1].text

        await type_code(pilot, view, code)
        assert social.payment["status"] == "PAID" and social.payment["amount"] == PRICE
        assert social.checkout is not None and social.checkout["paid_with"] == "direct_debit"
        assert social.checkout["status"] == "AWAITING_SHIPMENT"
        assert view.step == "" and not view.query_one("#pay-ways").display
        assert "Paid Rp185.000 with Bank Contoh" in str(view.notice.render())
        assert "didebit Rp185.000" in social.query_one(PhoneTexts).texts[-1].text

        await services.settle()  # the marketplace's webhook reaches Klip after the tap
        social.follow(services.calls)  # as the screen hands the recorded calls over
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert [o["status"] for o in social.orders] == ["AWAITING_SHIPMENT"]
        assert app.query_one(BankFace).payment is None  # the bank app was never used

    taps = acted(seen, "pay with bank") + acted(seen, "code")
    assert [t.ok for t in taps] == [True, True]
    traces = {t.trace_id for t in taps}
    paying = [c for c in services.calls if c.trace_id in traces]
    edges = {(c.caller, c.callee) for c in paying}
    assert ("buyer", "marketplace") in edges and ("marketplace", "bank") in edges
    assert not [c for c in paying if c.caller == "buyer" and c.callee == "bank"]
    paths = {c.path for c in paying if c.callee == "bank"}
    assert {"/v1.0/registration-account-binding", "/v1.0/otp-verification"} <= paths
    assert "/v1.0/debit/payment-host-to-host" in paths


async def test_the_bank_app_shows_the_balance_a_merchant_debited(services: Services) -> None:
    """Paid inside Klip, the bank app beside it follows: the marketplace's debit moved her
    money, though she never touched the bank app (and the debit does not say whose account:
    its token is redacted, so the app asks for its balance again)."""
    async with FacesApp(services).run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        bank = pilot.app.query_one(BankFace)
        assert bank.balance == 2_500_000
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        await type_code(pilot, view, newest_code(social))
        assert social.payment is not None and social.payment["status"] == "PAID"
        bank.follow(services.calls)  # as the screen hands the recorded calls over
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert bank.balance == 2_500_000 - PRICE
        assert bank.payment is None  # the bank app was never used


async def test_her_phone_says_the_bank_s_text_in_the_ui_s_language(services: Services) -> None:
    """The bank writes Indonesian (its own words, kept as sent); an English UI's phone face
    says it in English, code and warning included, and says it translated."""
    async with FacesApp(services).run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        phone = social.query_one(PhoneTexts)
        code = newest_code(social)
        assert "menghubungkan rekening" in phone.texts[-1].text  # what the bank sent
        shown = str(phone.render())
        assert "translated from Indonesian" in shown and "menghubungkan" not in shown
        assert f"{code} is the one-time code to bind your account to" in shown
        assert "NEVER give this code to anyone" in shown


async def test_a_bound_account_is_debited_without_a_code(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        await type_code(pilot, view, newest_code(social))
        texts = len(social.query_one(PhoneTexts).texts)

        social.query_one(".social--buy").scroll_visible(animate=False)
        await pilot.pause()
        social, view = await buy_and_choose_bank(pilot)  # under the limit: no code, no phone
        assert social.payment is not None and social.payment["status"] == "PAID"
        assert view.step == "" and social.checkout is not None
        assert social.checkout["paid_with"] == "direct_debit"
        phone = social.query_one(PhoneTexts)
        assert len(phone.texts) == texts + 1 and "didebit" in phone.texts[-1].text
    assert [t.ok for t in acted(seen, "pay with bank")] == [True, True]
    assert len(acted(seen, "code")) == 1


async def test_a_wrong_code_says_how_many_tries_are_left(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        code = newest_code(social)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"

        await type_code(pilot, view, wrong)
        assert "Wrong code: 2 tries left." in str(view.notice.render())
        assert view.notice.has_class("-failed") and view.step == "code"
        assert social.checkout is not None and social.checkout["status"] == "UNPAID"

        await type_code(pilot, view, code)  # the right one still works
        assert social.checkout["status"] == "AWAITING_SHIPMENT"
    assert [t.ok for t in acted(seen, "code")] == [False, True]


async def test_an_expired_code_starts_the_payment_over(services: Services) -> None:
    async with FacesApp(services).run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        await send_phone(pilot, view)
        code = newest_code(social)
        services.clock.advance(301)  # codes last five minutes
        await type_code(pilot, view, code)
        assert "The code expired" in str(view.notice.render())
        assert view.step == "" and view.query_one("#pay-ways").display  # choose again
        assert social.checkout is not None and social.checkout["status"] == "UNPAID"


async def test_an_unknown_phone_is_the_banks_refusal_in_words(services: Services) -> None:
    async with FacesApp(services).run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        phone = view.query_one("#debit-phone", Input)
        phone.value = "+62 899-9999-9999"
        await pilot.press("enter")
        await settle(pilot)
        assert "No Bank Contoh account is registered" in str(view.notice.render())
        assert view.step == "phone" and not social.query_one(PhoneTexts).has_class("-shown")


@pytest.mark.parametrize(
    ("code", "extra", "en", "id"),
    [
        ("wrong_otp", {"attempts_left": 1}, "Wrong code: 1 try left.", "Kode salah"),
        ("insufficient_funds", {}, "the balance is too low", "saldo"),
        ("over_debit_maximum", {}, "more than one direct debit", "debit langsung"),
        ("otp_expired", {}, "The code expired", "kedaluwarsa"),
        ("something_new", {}, "the marketplace's own words", "the marketplace's own words"),
    ],
)
def test_refusals_are_said_in_the_ui_language(
    code: str, extra: dict[str, object], en: str, id: str
) -> None:
    error = FaceError("the marketplace's own words", code, extra)
    assert en in refusal_words(error)
    i18n.set_language("id")
    try:
        assert id in refusal_words(error)
    finally:
        i18n.set_language("en")


async def test_an_institutions_words_in_a_notice_are_never_markup(services: Services) -> None:
    async with FacesApp(services).run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        view = pilot.app.query_one(SocialFace).webview
        view.notice.show("[b]Bank said[/b] [link=x]no[/link]", "failed")
        await pilot.pause()
        assert "[b]Bank said[/b] [link=x]no[/link]" in str(view.notice.render())


def _held(app: Any, arrived: asyncio.Event, release: asyncio.Event) -> Any:
    """The institution's app behind a network the test controls: each request says it is on
    its way, then waits until the test lets it through (a slow network, on cue, however loaded
    the machine is)."""

    async def held(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            arrived.set()
            await release.wait()
        await app(scope, receive, send)

    return held


async def test_a_second_tap_while_a_step_is_on_its_way_is_ignored(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, view = await buy_and_choose_bank(pilot)
        arrived, release = asyncio.Event(), asyncio.Event()
        services.wire.mount("marketplace", _held(services.apps["marketplace"], arrived, release))
        view.post_message(CheckoutView.PhoneTyped("+62 812-0000-0001"))
        await until(arrived.is_set, pilot)  # the step is on its way
        view.post_message(CheckoutView.PhoneTyped("+62 812-0000-0001"))  # she taps again
        await pilot.pause()
        release.set()
        await settle(pilot)
        states = [m.state for m in seen if isinstance(m, Worker.StateChanged)]
        assert WorkerState.CANCELLED not in states  # no step was cut off half-way
        assert [t.ok for t in acted(seen, "pay with bank")] == [True]
        await type_code(pilot, view, newest_code(social))
        assert social.checkout is not None and social.checkout["status"] == "AWAITING_SHIPMENT"
    binds = [c for c in services.calls if c.path == "/v1.0/registration-account-binding"]
    assert len(binds) == 1
