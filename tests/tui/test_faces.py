"""The app faces buy from a video and pay in the bank app, with real in-process calls."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList, RadioButton
from textual.worker import Worker, WorkerState

from sandbox.scenarios.identities import Actor
from sandbox.services.bank import rules as bank_rules
from sandbox.trace.events import HttpCall
from sandbox.tui.clients import BankClient, CheckoutClient, PhoneClient, SocialClient
from sandbox.tui.themes import DARK, LIGHT
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.faces import BankFace, Face, IkdFace, Notice, SocialFace
from sandbox.tui.widgets.faces.face import rupiah
from sandbox.tui.widgets.faces.social import status_label
from tests.conftest import FakeClock, Services
from tests.tui.factory import make_app, until

M = TypeVar("M", bound=Message)
LIMITED_VIDEO, LIMITED_PRODUCT = 2, 100103
"""Video 2 tags one product with a stock of 1."""


class People:
    """Who the faces act as, over in-process services: one Actor per person, as the Backend."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._actors: dict[str, Actor] = {}

    def actor(self, who: str) -> Actor:
        if who not in self._actors:
            self._actors[who] = Actor(self.services.wire, self.services.world, who)
        return self._actors[who]


class FacesApp(App[None]):
    """Both faces side by side, wired the way the faces screen wires them."""

    CSS = "Screen { layout: horizontal; align: center top; }"

    def __init__(self, services: Services, video_id: int = 1) -> None:
        super().__init__()
        self.services = services
        self.video_id = video_id

    def compose(self) -> ComposeResult:
        people = People(self.services)
        yield SocialFace(
            SocialClient(people, "buyer"),
            CheckoutClient(people, "buyer"),
            PhoneClient(self.services.phone.messages, self.services.world, "buyer"),
            self.video_id,
        )
        yield BankFace(BankClient(people, "buyer"))

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False

    @on(SocialFace.CheckoutShown)
    def prefill_bank(self, message: SocialFace.CheckoutShown) -> None:
        self.query_one(BankFace).set_va(message.va_no, message.amount)


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and its messages land."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def unique(seen: list[Message], kind: type[M]) -> list[M]:
    """Messages of `kind`, once each (the hook sees a message at every node it bubbles to)."""
    found: dict[int, M] = {}
    for message in seen:
        if isinstance(message, kind):
            found.setdefault(id(message), message)
    return list(found.values())


def acted(seen: list[Message], action: str) -> list[Face.Acted]:
    return [m for m in unique(seen, Face.Acted) if m.action == action]


async def test_faces_buy_in_app_and_pay_the_va_once(services: Services) -> None:
    """The VA way (a jump): the checkout shows the VA, the bank app pays it once."""
    seen: list[Message] = []
    app = FacesApp(services)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        social, bank = app.query_one(SocialFace), app.query_one(BankFace)
        assert social.video is not None and social.video["video_id"] == 1
        assert bank.balance == 2_500_000
        await pilot.click(".social--buy")
        await settle(pilot)
        assert social.checkout is not None
        assert not unique(seen, SocialFace.CheckoutShown)  # nothing handed over before she chose
        await pilot.click("#pay-va")
        await settle(pilot)
        va, amount = social.checkout["payment"]["virtual_account_no"], 185_000
        shown = unique(seen, SocialFace.CheckoutShown)
        assert [(m.va_no, m.amount) for m in shown] == [(va.strip(), amount)]
        assert bank.va_input.value == va.strip() and bank.amount == amount
        assert [o["status"] for o in social.orders] == ["UNPAID"]

        await pilot.click("#pay")
        await settle(pilot)
        assert bank.balance == 2_500_000 - amount
        assert [(m.order_va, m.amount) for m in unique(seen, BankFace.Paid)] == [
            (va.strip(), amount)
        ]
        await pilot.click("#retry")
        await settle(pilot)
        assert bank.balance == 2_500_000 - amount
        assert bank.payment is not None and bank.payment["payment_id"] == "PAY-000001"

        await services.settle()
        social.query_one("#refresh-orders").scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click("#refresh-orders")
        await settle(pilot)
        assert [o["status"] for o in social.orders] == ["AWAITING_SHIPMENT"]
        assert status_label("AWAITING_SHIPMENT") in str(social.query_one("#orders").render())
    actions = [(m.face, m.action, m.ok) for m in unique(seen, Face.Acted)]
    assert ("social", "buy", True) in actions and ("bank", "pay", True) in actions
    assert ("bank", "retry", True) in actions


async def test_faces_each_tap_is_one_trace(services: Services) -> None:
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.click(".social--buy")
        await settle(pilot)
    buy = acted(seen, "buy")[0]
    calls = [(c.callee, c.method) for c in services.calls if c.trace_id == buy.trace_id]
    assert ("social", "POST") in calls and ("marketplace", "GET") in calls
    assert ("bank", "POST") in calls  # the marketplace asked the bank for the VA


async def test_a_second_tap_on_buy_while_the_first_is_on_its_way_is_ignored(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double tap must not cancel the first buy half-way (in a real process its order may
    already exist at the marketplace): the second tap is ignored until the first answers."""
    seen: list[Message] = []
    async with FacesApp(services).run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        social = pilot.app.query_one(SocialFace)
        on_its_way, answer = asyncio.Event(), asyncio.Event()
        buy = social.client.buy

        async def slow_buy(video_id: int, product_id: int) -> dict[str, Any]:
            on_its_way.set()
            await answer.wait()  # the network is slow: the first tap is still in flight
            return await buy(video_id, product_id)

        monkeypatch.setattr(social.client, "buy", slow_buy)
        await pilot.click(".social--buy")
        await until(on_its_way.is_set, pilot)
        await pilot.pause(0.3)  # past the button's own press effect, which swallows a click
        await pilot.click(".social--buy")
        await pilot.pause()
        answer.set()
        await settle(pilot)
        assert social.checkout is not None
    cancelled = [
        m
        for m in unique(seen, Worker.StateChanged)
        if m.worker.group == "social-buy" and m.state == WorkerState.CANCELLED
    ]
    assert not cancelled, "the second tap cancelled the first buy"
    assert [m.ok for m in acted(seen, "buy")] == [True]
    buys = [c for c in services.calls if c.caller == "buyer" and c.path.endswith("/buy")]
    assert len(buys) == 1, [(c.path, c.status) for c in buys]


async def test_social_face_shows_out_of_stock_in_place(services: Services) -> None:
    seen: list[Message] = []
    app = FacesApp(services, video_id=LIMITED_VIDEO)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        social = app.query_one(SocialFace)
        for _ in range(2):
            social.buy(LIMITED_PRODUCT)
            await settle(pilot)
        failed = acted(seen, "buy")[-1]
        assert not failed.ok and "0 left" in failed.detail
        notice = social.query_one("#video-notice", Notice)
        assert notice.has_class("-failed") and failed.detail in str(notice.render())
        assert app.is_running


async def _refuse(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app standing in for a server that is down: the connection is refused."""
    raise httpx.ConnectError("connection refused")


async def test_bank_face_offline_says_unreachable(services: Services) -> None:
    services.wire.mount("bank", _refuse)
    seen: list[Message] = []
    app = FacesApp(services)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        bank = app.query_one(BankFace)
        assert bank.balance is None
        assert "bank unreachable" in str(bank.account_notice.render())
        bank.set_va("88001240301000001", 185_000)
        await pilot.click("#pay")
        await settle(pilot)
        assert "bank unreachable" in str(bank.pay_notice.render())
        assert [m.ok for m in acted(seen, "pay")] == [False]
        assert app.is_running


async def test_bank_face_unknown_va_shows_the_banks_message(services: Services) -> None:
    async with FacesApp(services).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bank = pilot.app.query_one(BankFace)
        bank.va_input.value = "123"
        await pilot.click("#check")
        await settle(pilot)
        assert "No virtual account 123" in str(bank.pay_notice.render())
        await pilot.click("#retry")  # disabled until a payment was sent
        await settle(pilot)
        assert bank.payment is None


async def test_social_face_browses_the_feed(services: Services) -> None:
    async with FacesApp(services).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        social = pilot.app.query_one(SocialFace)
        social.query_one("#refresh-orders").focus()
        await pilot.press("n")
        await settle(pilot)
        assert social.video_id != 1 and social.video is not None
        assert social.video["video_id"] == social.video_id
        await pilot.press("p")
        await settle(pilot)
        assert social.video_id == 1


ODD_VIDEO = {
    "video_id": "one",
    "caption": "[b]not markup[/b] " + "x" * 5000,
    "creator": "nobody",
    "views": None,
    "products": [1, {"name": None, "price": "free", "product_id": "p"}, {}],
}


async def _odd_social(scope: Any, receive: Any, send: Any) -> None:
    """A social app answering in shapes the faces must survive: odd JSON, or not JSON at all."""
    if scope["type"] != "http":
        return
    if scope["path"].startswith("/api/v1/videos/"):
        status, body, kind = 200, json.dumps(ODD_VIDEO).encode(), b"application/json"
    else:
        status, body, kind = 502, b"<html>bad gateway</html>", b"text/html"
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]}
    )
    await send({"type": "http.response.body", "body": body})


async def test_social_face_survives_odd_answers(services: Services) -> None:
    services.wire.mount("social", _odd_social)
    seen: list[Message] = []
    app = FacesApp(services)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        social = app.query_one(SocialFace)
        assert acted(seen, "load")[0].ok and social.video == ODD_VIDEO
        assert not social.query(".social--buy")  # no usable product id, no Buy button
        assert "HTTP 502 from social" in str(social.orders_notice.render())
        assert "[b]not markup" in str(social.query_one("#video").render())
        assert app.is_running


def test_rupiah_groups_with_dots() -> None:
    assert rupiah(185_000) == "Rp185.000" and rupiah(None) == "?" and rupiah("x") == "x"


@pytest.mark.parametrize(
    ("size", "checkout"),
    [((80, 24), False), ((160, 48), True)],
    ids=["small", "large_after_checkout"],
)
def test_faces_snapshot(
    snap_compare: Any, world: dict[str, Any], size: tuple[int, int], checkout: bool
) -> None:
    services = Services(world, FakeClock())

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if checkout:
            pilot.app.query_one(SocialFace).buy(100101)
            await settle(pilot)

    try:
        assert snap_compare(FacesApp(services), terminal_size=size, run_before=run_before)
    finally:
        asyncio.run(services.aclose())


SCREEN_SHOTS = [
    # (face, size, theme, language): each face at both sizes in the dark theme and English,
    # then the light theme and Indonesian at 160x48.
    ("phone", (80, 24), DARK, "en"),
    ("phone", (160, 48), DARK, "en"),
    ("phone", (160, 48), LIGHT, "en"),
    ("phone", (160, 48), DARK, "id"),
    ("desk", (80, 24), DARK, "en"),
    ("desk", (160, 48), DARK, "en"),
    ("desk", (160, 48), LIGHT, "en"),
    ("desk", (160, 48), DARK, "id"),
    ("ikd", (160, 48), DARK, "en"),
    ("ikd", (80, 24), DARK, "id"),
]


async def _approved_at_the_desk(pilot: Pilot[None], backend: Any) -> None:
    """The patient approves the desk's request in her IKD app; the desk follows the calls."""
    from sandbox.tui.widgets.faces import DeskFace, IkdFace
    from tests.services.consent_helpers import approve_on
    from tests.tui.factory import until

    desk, ikd = pilot.app.screen.query_one(DeskFace), pilot.app.screen.query_one(IkdFace)
    assert desk.awaiting and desk.patient is not None
    recorded: list[Any] = []
    unsubscribe = backend.stream.subscribe(recorded.append)
    try:
        await approve_on(backend.wire, backend.world, desk.patient["nik"])
        await backend.settle()
    finally:
        unsubscribe()
    desk.follow([e for e in recorded if isinstance(e, HttpCall)])
    ikd.follow([e for e in recorded if isinstance(e, HttpCall)])  # she answered on her phone
    await until(lambda: not desk.awaiting and bool(ikd.consents), pilot)
    await settle(pilot)


async def _asked_on_her_phone(pilot: Pilot[None]) -> None:
    """The desk asked for her consent: her IKD app shows the request, waiting for her."""
    from sandbox.tui.widgets.faces import IkdFace
    from tests.tui.factory import until

    ikd = pilot.app.screen.query_one(IkdFace)
    ikd.load()
    await until(lambda: bool(ikd.requests), pilot)
    await settle(pilot)


@pytest.mark.parametrize(
    ("face", "size", "theme", "lang"),
    SCREEN_SHOTS,
    ids=[f"{f}-{w}x{h}-{t.split('-')[-1]}-{lang}" for f, (w, h), t, lang in SCREEN_SHOTS],
)
def test_faces_screen_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    face: str,
    size: tuple[int, int],
    theme: str,
    lang: str,
) -> None:
    """The apps screen: at 80x24 as it opens (Buy and Pay, or Admit, in view); at 160x48 after
    Buy and Pay with Bank Contoh on the phone (the bank's SMS over Klip, the checkout asking
    for the code), or after admitting the uninsured patient at the desk, once she approved
    in her IKD app; her IKD app beside the desk with the desk's request waiting for her."""
    monkeypatch.setattr(bank_rules, "new_code", lambda: "123456")  # the same SMS every run
    app, backend = make_app(tmp_path, live=False, lang=lang)
    app.theme = theme
    large = size[0] >= 160

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("3")
        await settle(pilot)
        # The apps load at once and the list highlights whichever answered last: the same
        # rows, a highlight that depends on timing. Pin it, so the picture is the same.
        taps = pilot.app.screen.query_one("#taps", OptionList)
        taps.highlighted = taps.option_count - 1
        if face == "phone" and large:
            await pilot.click(".social--buy")
            await settle(pilot)
            await pilot.click("#pay-bank")
            await settle(pilot)
            await pilot.press("enter")  # the phone number her keyboard suggests
            await settle(pilot)
        if face == "ikd":
            await pilot.press("h")
            await settle(pilot)
            await pilot.click("#admit")
            await settle(pilot)
            await _asked_on_her_phone(pilot)
        if face == "desk":
            await pilot.press("h")
            await settle(pilot)  # the desk's patients load in a worker: never half drawn
            if large:
                await pilot.click(list(pilot.app.screen.query(RadioButton))[1])
                await pilot.click("#admit")
                await settle(pilot)
                await _approved_at_the_desk(pilot, backend)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        asyncio.run(backend.aclose())


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 30), (160, 45), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}"
)
async def test_the_apps_primary_actions_are_in_view(tmp_path: Path, size: tuple[int, int]) -> None:
    """Buy, Check and Pay on the phone, both ways to pay and each step of paying with Bank
    Contoh, Admit at the desk: on screen, whole, where a click lands."""
    app, backend = make_app(tmp_path, live=False)

    def in_view(selector: str) -> bool:
        widget = app.screen.query(selector).first()
        region = widget.region
        label = str(widget.label) if isinstance(widget, Button | Checkbox) else ""
        if not widget.display or region.width < len(label):
            return False
        found, _ = app.screen.get_widget_at(region.x + region.width // 2, region.y)
        return found is widget

    try:
        async with app.run_test(size=size) as pilot:
            await pilot.press("3")
            await settle(pilot)
            assert [in_view(s) for s in (".social--buy", "#check", "#pay")] == [True] * 3
            assert app.screen.query_one(CallMap).display == (size[0] >= 120)
            await pilot.click(".social--buy")
            await settle(pilot)
            assert in_view("#pay-bank") and in_view("#pay-va")
            await pilot.click("#pay-bank")
            await settle(pilot)
            assert in_view("#debit-phone") and in_view("#debit-go")
            await pilot.press("enter")
            await settle(pilot)
            assert in_view("#texts") and in_view("#debit-code") and in_view("#debit-go")
            app.screen.query_one("#taps").focus()  # out of the code field: h is a key again
            await pilot.press("h")
            await pilot.pause()
            assert in_view("#admit") and in_view("#consent")
    finally:
        await backend.aclose()


async def _apps_and_taps(pilot: Any) -> tuple[Any, OptionList]:
    """The Apps screen, settled, and its list of taps."""
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    return screen, screen.query_one("#taps", OptionList)


async def test_taps_are_listed_in_the_order_they_were_made(tmp_path: Path) -> None:
    """A slow tap made first (the bank app's log-in) is listed before a quick one made after."""
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen, taps = await _apps_and_taps(pilot)
            before = taps.option_count
            screen.post_message(Face.Acted("bank", "late", "made second", "b" * 32, True, 2e9))
            screen.post_message(Face.Acted("social", "early", "made first", "a" * 32, True, 1e9))
            await pilot.pause()
            labels = [str(taps.get_option_at_index(i).prompt) for i in range(taps.option_count)]
            assert "early" in labels[before] and "late" in labels[before + 1]
            assert taps.highlighted == before
    finally:
        await backend.aclose()


async def test_a_tap_in_her_ikd_app_is_listed_as_ikd(tmp_path: Path) -> None:
    """Who acted is the app she knows (IKD), in the taps list and on the map's caused-by label;
    the message still names the registry, whose calls the trace records."""
    app, backend = make_app(tmp_path, live=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen, taps = await _apps_and_taps(pilot)
            tap = Face.Acted("identity", "approve", "ok", "c" * 32, True, 3e9, IkdFace.TAPPED_IN)
            screen.post_message(tap)
            await pilot.pause()
            label = str(taps.get_option_at_index(taps.option_count - 1).prompt)
            assert "IKD: approve" in label and "identity" not in label
            assert pilot.app.taps["c" * 32] == "IKD: approve"  # type: ignore[attr-defined]
    finally:
        await backend.aclose()
