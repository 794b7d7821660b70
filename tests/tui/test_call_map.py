"""CallMap: lanes, the trace's calls kept drawn, the live tail, highlight, faults, clicks."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region

from sandbox.runtime.models import ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.trace.steps import STEP_HEADER, format_step
from sandbox.tui.stage.layout import PEOPLE
from sandbox.tui.themes import SERVICE_COLORS
from sandbox.tui.widgets.call_map import CallMap
from sandbox.wire.faults import Fault
from tests.conftest import WORLD_START, FakeClock

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
LANES = {"social": "front", "hospital": "front", "marketplace": "platform"}
MAY_CALL = {
    "social": ("marketplace",),
    "marketplace": ("identity", "bank", "social"),
    "bank": ("identity", "marketplace", "hospital"),
    "hospital": ("identity", "bank", "records", "insurance"),
}
PUBLIC = {"social", "marketplace", "bank", "hospital"}


def svc(name: str, title: str, role: str = "", **kw: Any) -> ServiceInfo:
    lane = LANES.get(name, "back")
    kw.setdefault("health", "ok")
    return ServiceInfo(
        name,
        title,
        role or f"{title} role",
        "front" if lane == "front" else "back",
        f"http://127.0.0.1:9/{name}",
        "",
        lane=lane,
        calls=MAY_CALL.get(name, ()),
        public=name in PUBLIC,
        **kw,
    )


SEVEN = [
    svc("social", "Klip", "storefront (short-video app)", calls_in=5, calls_out=4),
    svc("marketplace", "Pasarloka", "transaction platform", calls_in=6, calls_out=4),
    svc("bank", "Bank Contoh", "bank (accounts, virtual accounts)", calls_in=7, calls_out=1),
    svc("identity", "Registri Penduduk", "civil registry"),
    svc("hospital", "RSUD Sukamaju", "hospital front desk"),
    svc("records", "Rekam Medis", "health-records platform (FHIR)"),
    svc("insurance", "Jaminan Kesehatan", "national health insurer"),
]
_ids = itertools.count()


def call(
    caller: str,
    callee: str,
    method: str = "GET",
    path: str = "/",
    status: int | None = 200,
    *,
    trace: str = "ab",
    parent: str | None = None,
    error: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> HttpCall:
    n = next(_ids)
    return HttpCall(
        trace * 16,
        f"{n:016x}",
        parent,
        caller,
        callee,
        method,
        path,
        status,
        WORLD_START + n,
        5.0,
        request_headers=headers,
        error=error,
    )


CHECKOUT = [
    ("buyer", "social", "GET", "/api/v1/videos/1", 200),
    ("social", "marketplace", "POST", "/oauth/token", 200),
    ("buyer", "social", "POST", "/api/v1/videos/1/buy", 201),
    ("social", "marketplace", "POST", "/api/v2/fs/7001/orders?app_key=k&sign=[redacted]", 201),
    ("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", 200),
    ("marketplace", "social", "POST", "/webhooks/marketplace", 200),
    ("buyer", "marketplace", "GET", "/checkout/6dj9BsWNk3_-bqUXamm3AfnYAOxQjl7M", 200),
    ("buyer", "bank", "POST", "/mobile/v1/va-payments", 201),
    ("bank", "marketplace", "POST", "/v1.0/transfer-va/payment", 200),
    ("marketplace", "social", "POST", "/webhooks/marketplace", 200),
]


def checkout_calls(trace: str = "ab") -> list[HttpCall]:
    return [call(*row, trace=trace) for row in CHECKOUT]


class MapApp(App[None]):
    """Hosts one CallMap filling the screen; records the messages it posts."""

    def __init__(
        self,
        services: list[ServiceInfo],
        calls: Sequence[HttpCall] = (),
        animate: bool = False,
        clock: FakeClock | None = None,
        live_tail: bool = False,
    ) -> None:
        super().__init__()
        self.services = services
        self.calls = list(calls)
        self.animated = animate
        self.clock = clock or FakeClock()
        self.tail = live_tail
        self.selected: list[str] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}

    def compose(self) -> ComposeResult:
        yield CallMap(
            self.services, animate=self.animated, clock=self.clock, id="map", live_tail=self.tail
        )

    def on_mount(self) -> None:
        self.query_one(CallMap).show_calls(self.calls)

    def on_call_map_service_selected(self, message: CallMap.ServiceSelected) -> None:
        self.selected.append(message.name)


def screen_text(call_map: CallMap) -> str:
    return "\n".join(call_map.render_line(y).text for y in range(call_map.size.height))


def style_at(call_map: CallMap, x: int, y: int) -> Style:
    """The Rich style drawn at one cell of the map."""
    for segment in call_map.render_line(y).crop(x, x + 1):
        return segment.style or Style()
    return Style()


def edges(call_map: CallMap) -> dict[tuple[str, str], int]:
    return {(a.call.caller, a.call.callee): a.count for a in call_map.arrows}


def assert_apart(call_map: CallMap) -> None:
    """Boxes inside and apart; labels on screen, off the boxes, never on each other."""
    screen = Region(0, 0, *call_map.size)
    boxes = call_map.boxes
    for box in boxes.values():
        assert screen.contains_region(box)
    for a, b in itertools.combinations(boxes.values(), 2):
        assert not a.overlaps(b)
    labels = [a.label_region for a in call_map.arrows if a.label_region is not None]
    for label in labels:
        assert screen.contains_region(label)
        assert not any(label.overlaps(box) for box in boxes.values())
    for a, b in itertools.combinations(labels, 2):
        assert not a.overlaps(b), (a, b)


@pytest.mark.parametrize("size", SIZES)
async def test_the_map_lays_institutions_out_in_lanes_by_role(size: tuple[int, int]) -> None:
    app = MapApp(SEVEN, [call("buyer", "social")])
    async with app.run_test(size=size):
        call_map = app.query_one(CallMap)
        boxes = call_map.boxes
        assert set(boxes) == {s.name for s in SEVEN} | {PEOPLE}
        assert boxes[PEOPLE].right <= boxes["social"].x
        assert boxes["social"].right < boxes["marketplace"].x
        assert boxes["marketplace"].right < boxes["bank"].x
        assert_apart(call_map)


async def test_at_160_columns_every_full_name_and_role_is_on_the_map() -> None:
    app = MapApp(SEVEN, checkout_calls())
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        text = screen_text(call_map)
        assert not call_map.compact
        for service in SEVEN:
            assert service.title in text
        for role in ("transaction platform", "civil registry", "hospital front desk"):
            assert role in text


async def test_at_80_columns_the_map_is_compact_with_distinct_short_names() -> None:
    app = MapApp(SEVEN, checkout_calls())
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        text = screen_text(call_map)
        assert call_map.compact
        for short in ("Klip", "Pasarloka", "Bank", "Registri", "RSUD", "Rekam", "Jaminan"):
            assert short in text


@pytest.mark.parametrize("size", SIZES)
async def test_the_trace_stays_drawn_both_directions_apart_with_counts(
    size: tuple[int, int],
) -> None:
    clock = FakeClock()
    app = MapApp(SEVEN, checkout_calls(), animate=True, clock=clock)
    async with app.run_test(size=size) as pilot:
        call_map = app.query_one(CallMap)
        clock.advance(60)
        call_map.tick()
        await pilot.pause()
        found = edges(call_map)
        assert found[("social", "marketplace")] == 2
        assert found[("marketplace", "social")] == 2
        assert found[("buyer", "social")] == 2
        assert len(found) == 7
        there = next(a for a in call_map.arrows if a.call.caller == "social")
        back = next(
            a
            for a in call_map.arrows
            if a.call.callee == "social" and a.call.caller == "marketplace"
        )
        assert set(there.cells) != set(back.cells)
        assert_apart(call_map)


async def test_a_label_counts_the_calls_and_names_the_last_one() -> None:
    rows = [
        ("buyer", "social", "POST", "/api/v1/videos/1/buy", 201),
        ("social", "marketplace", "POST", "/oauth/token", 200),
        ("social", "marketplace", "POST", "/api/v2/fs/7001/orders?app_key=k", 201),
        ("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", 200),
        ("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", 200),
    ]
    app = MapApp(SEVEN, [call(*row, trace="ab") for row in rows])
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        by_edge = {(a.call.caller, a.call.callee): a for a in call_map.arrows}
        # Two calls to one path: "2× POST …/create-va 200", or as much of it as has room
        # (tests/tui/stage/test_picture.py checks the words at each width).
        webhooks = by_edge[("marketplace", "bank")]
        assert webhooks.count == 2
        assert webhooks.label.endswith("POST 200")
        assert "calls" not in webhooks.label
        assert webhooks.label_region is not None
        assert webhooks.label in call_map.render_line(webhooks.label_region.y).text
        # A token and an order: two paths, so never "2× POST" (the order was not sent twice).
        order = by_edge[("social", "marketplace")]
        assert order.call.path.startswith("/api/v2/fs/7001/orders")
        assert order.count == 2
        assert not order.label.startswith("2×")
        assert order.label.endswith("POST 201")


async def test_a_new_trace_replaces_the_picture_and_a_late_call_does_not() -> None:
    app = MapApp(SEVEN, checkout_calls("ab"))
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        call_map.show_call(call("reception", "hospital", "POST", "/admissions", 201, trace="cd"))
        assert set(edges(call_map)) == {("reception", "hospital")}
        call_map.show_call(
            call(
                "marketplace",
                "social",
                "POST",
                "/webhooks/marketplace",
                trace="ab",
                parent="0" * 16,
            )
        )
        assert set(edges(call_map)) == {("reception", "hospital")}
        assert call_map.trace_id == "cd" * 16


async def test_the_caption_names_the_story_the_count_and_who_took_part() -> None:
    step = ((STEP_HEADER, format_step("checkout", 1, "Sari opens a video")),)
    calls = [call("buyer", "social", headers=step), call("social", "marketplace")]
    app = MapApp(SEVEN, calls)
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        caption = call_map.render_line(0).text
        assert "checkout" in caption and "2" in caption
        assert "buyer → Klip → Pasarloka" in caption


async def test_the_live_tail_fades_calls_out_as_time_passes() -> None:
    clock = FakeClock()
    app = MapApp(SEVEN, animate=True, clock=clock, live_tail=True)
    async with app.run_test(size=(160, 48)) as pilot:
        call_map = app.query_one(CallMap)
        call_map.show_call(call("buyer", "social"))
        clock.advance(1.0)
        call_map.show_call(call("social", "marketplace", trace="ef"))
        await pilot.pause()
        clock.advance(1.0)
        call_map.tick()
        assert len(call_map.arrows) == 2  # two traces at once: the tail keeps both
        clock.advance(1.0)
        call_map.tick()
        assert [a.call.caller for a in call_map.arrows] == ["social"]
        clock.advance(1.0)
        call_map.tick()
        assert not call_map.arrows
        call_map.set_live_tail(False)
        call_map.show_call(call("buyer", "bank"))
        clock.advance(60)
        call_map.tick()
        assert len(call_map.arrows) == 1, "out of the live tail the trace stays"


async def test_highlight_keeps_one_edge_lit_and_shows_that_call() -> None:
    calls = checkout_calls()
    app = MapApp(SEVEN, calls)
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        first_order = calls[3]
        call_map.highlight(first_order)
        arrow = call_map.arrows[-1]
        assert arrow.call == first_order
        assert arrow.label_region is not None
        assert style_at(call_map, arrow.label_region.x, arrow.label_region.y).reverse
        call_map.highlight(None)
        assert all(
            not style_at(call_map, a.label_region.x, a.label_region.y).reverse
            for a in call_map.arrows
            if a.label_region is not None
        )


async def test_load_shows_exactly_one_trace() -> None:
    app = MapApp(SEVEN, [call("buyer", "bank", trace="99")])
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        call_map.load(checkout_calls("77"))
        assert call_map.trace_id == "77" * 16
        assert ("buyer", "bank") in edges(call_map)
        assert len(edges(call_map)) == 7
        call_map.clear()
        assert not call_map.arrows


async def test_offline_boxes_are_grey_and_faults_are_named() -> None:
    services = [*SEVEN]
    services[1] = svc("marketplace", "Pasarloka", fault=Fault(latency_ms=800))
    services[2] = svc("bank", "Bank Contoh", health="offline", fault=Fault(offline=True))
    services[3] = svc("identity", "Registri Penduduk", fault=Fault(error_rate=0.5))
    app = MapApp(services)
    async with app.run_test(size=(160, 48)):
        text = screen_text(app.query_one(CallMap))
        assert "+800 ms" in text
        assert "50% errors" in text
        assert "OFFLINE" in text


async def test_counts_update_without_moving_boxes() -> None:
    app = MapApp(SEVEN, checkout_calls())
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        before = call_map.boxes
        call_map.set_services([svc(s.name, s.title, s.role, calls_in=99) for s in SEVEN])
        assert call_map.boxes == before
        assert "in 99" in screen_text(call_map)


async def test_clicking_a_box_selects_the_service() -> None:
    app = MapApp(SEVEN)
    async with app.run_test(size=(160, 48)) as pilot:
        box = app.query_one(CallMap).boxes["bank"]
        await pilot.click("#map", offset=(box.x + 2, box.y + 1))
        await pilot.pause()
        assert app.selected == ["bank"]


async def test_wire_text_is_drawn_as_written() -> None:
    calls = [
        call("buyer", "social", "GET", "/[b]x[/b]/[@click=app.quit]", 400),
        call("x[red]y", "social"),
    ]
    app = MapApp(SEVEN, calls)
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        text = screen_text(call_map)
        assert "x[red]y" in text
        label = next(a.label for a in call_map.arrows if a.call.caller == "buyer")
        assert "[b]" in label or "[@click" in label or label.endswith("400")
        assert app.is_running


async def test_a_service_that_joins_later_leaves_the_people_box() -> None:
    app = MapApp(SEVEN, [call("marketplace", "courier", "POST", "/webhooks/marketplace")])
    async with app.run_test(size=(160, 48)):
        call_map = app.query_one(CallMap)
        assert call_map.people == ("courier",)
        courier = svc("courier", "Kirim Cepat", "courier")
        call_map.set_services([*SEVEN, courier])
        assert not call_map.people
        assert "courier" in call_map.boxes
