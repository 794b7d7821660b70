"""CallMap: boxes laid out from the service list, routed arrows, fading, highlight, clicks."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.message import Message

from sandbox.runtime.models import ServiceInfo
from sandbox.trace.events import HttpCall
from sandbox.tui.widgets.call_map import PEOPLE, SERVICE_COLORS, CallMap, label_text
from sandbox.wire.faults import Fault
from tests.conftest import WORLD_START, FakeClock

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def svc(name: str, title: str, side: str = "back", **kw: Any) -> ServiceInfo:
    return ServiceInfo(
        name, title, f"{title} role", side, f"http://127.0.0.1:9/{name}", "", health="ok", **kw
    )


FOUR = [
    svc("social", "Klip", "front", calls_in=5, calls_out=4),
    svc("marketplace", "Pasarloka", calls_in=6, calls_out=4),
    svc("bank", "Bank Contoh", calls_in=7, calls_out=1),
    svc("identity", "Registri Penduduk"),
]
SEVEN = [
    *FOUR,
    svc("hospital", "RS Sehat"),
    svc("records", "Rekam Medis"),
    svc("insurance", "BPJS Contoh"),
]

_ids = itertools.count()


def call(
    caller: str,
    callee: str,
    method: str = "GET",
    path: str = "/",
    status: int | None = 200,
    error: str | None = None,
) -> HttpCall:
    n = next(_ids)
    return HttpCall(
        "ab" * 16,
        f"{n:016x}",
        None,
        caller,
        callee,
        method,
        path,
        status,
        WORLD_START + n,
        5.0,
        error=error,
    )


CHECKOUT = [
    ("social", "marketplace", "POST", "/oauth/token", 200),
    ("buyer", "social", "GET", "/api/v1/videos/1", 200),
    ("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", 200),
    ("social", "marketplace", "POST", "/api/v2/fs/7001/orders?app_key=k&sign=[redacted]", 201),
    ("buyer", "social", "POST", "/api/v1/videos/1/buy", 201),
    ("buyer", "marketplace", "GET", "/checkout/6dj9BsWNk3_-bqUXamm3AfnYAOxQjl7M", 200),
    ("buyer", "bank", "POST", "/mobile/v1/sessions", 201),
    ("buyer", "bank", "POST", "/mobile/v1/va-payments", 201),
    ("bank", "marketplace", "POST", "/v1.0/transfer-va/payment", 200),
    ("marketplace", "social", "POST", "/webhooks/marketplace", 200),
    ("buyer", "bank", "POST", "/mobile/v1/va-payments", 200),
    ("buyer", "social", "GET", "/api/v1/me/orders/240301000001", 200),
]


def checkout_calls() -> list[HttpCall]:
    return [call(*row) for row in CHECKOUT]


class MapApp(App[None]):
    """Hosts one CallMap filling the screen; records the messages it posts."""

    def __init__(
        self,
        services: list[ServiceInfo],
        calls: Sequence[HttpCall] = (),
        animate: bool = False,
        clock: FakeClock | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.calls = list(calls)
        self.animated = animate
        self.clock = clock or FakeClock()
        self.selected: list[str] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}

    def compose(self) -> ComposeResult:
        yield CallMap(self.services, animate=self.animated, clock=self.clock, id="map")

    def on_mount(self) -> None:
        for item in self.calls:
            self.query_one(CallMap).show_call(item)

    def on_call_map_service_selected(self, message: CallMap.ServiceSelected) -> None:
        self.selected.append(message.name)


def text_in(call_map: CallMap, region: Region) -> str:
    lines = [call_map.render_line(y).text for y in range(region.y, region.bottom)]
    return "\n".join(line[region.x : region.right] for line in lines)


def style_at(call_map: CallMap, x: int, y: int) -> Style:
    """The Rich style drawn at one cell of the map."""
    for segment in call_map.render_line(y).crop(x, x + 1):
        return segment.style or Style()
    return Style()


def assert_routed(call_map: CallMap, item: HttpCall) -> None:
    """The arrow runs orthogonally, outside every box, from the caller's side to the callee's."""
    arrow = next(a for a in call_map.arrows if a.call == item)
    boxes = call_map.boxes
    source = boxes.get(item.caller, boxes.get(PEOPLE))
    target = boxes.get(item.callee, boxes.get(PEOPLE))
    assert source is not None and target is not None and arrow.cells
    first, last = arrow.cells[0], arrow.cells[-1]
    assert first.x in (source.x - 1, source.right) and source.y < first.y < source.bottom - 1
    assert last.x in (target.x - 1, target.right) and target.y < last.y < target.bottom - 1
    for a, b in itertools.pairwise(arrow.cells):
        assert abs(a.x - b.x) + abs(a.y - b.y) == 1
    for cell in arrow.cells:
        assert not any(box.contains_point(cell) for box in boxes.values())


def assert_labels_apart(call_map: CallMap) -> None:
    """Labels stay on screen, off the boxes, and never overlap each other."""
    labels = [a.label_region for a in call_map.arrows if a.label_region is not None]
    screen = Region(0, 0, *call_map.size)
    for label in labels:
        assert screen.contains_region(label)
        assert not any(label.overlaps(box) for box in call_map.boxes.values())
    for a, b in itertools.combinations(labels, 2):
        assert not a.overlaps(b), (a, b)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("services", [FOUR, SEVEN], ids=["4", "7"])
async def test_call_map_boxes_fit_on_screen_without_overlap(
    size: tuple[int, int], services: list[ServiceInfo]
) -> None:
    app = MapApp(services, [call("buyer", "social")])
    async with app.run_test(size=size):
        call_map = app.query_one(CallMap)
        boxes = call_map.boxes
        assert set(boxes) == {s.name for s in services} | {PEOPLE}
        screen = Region(0, 0, *size)
        for region in boxes.values():
            assert screen.contains_region(region) and region.height >= 3
        for a, b in itertools.combinations(boxes.values(), 2):
            assert not a.overlaps(b)
        assert boxes[PEOPLE].right <= boxes["social"].x
        assert all(boxes["social"].right < boxes[s.name].x for s in services if s.side == "back")


async def test_call_map_routes_front_to_back_with_a_short_label() -> None:
    item = call("social", "marketplace", "POST", "/api/v2/fs/7001/orders?app_key=k", 201)
    app = MapApp(FOUR, [item])
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        assert_routed(call_map, item)
        assert call_map.arrows[0].label == "POST /api/v2/fs/7001/orders 201"
        region = call_map.arrows[0].label_region
        assert region is not None
        assert "POST /api/v2/fs/7001/orders 201" in call_map.render_line(region.y).text


async def test_call_map_routes_back_to_back() -> None:
    item = call("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va")
    app = MapApp(FOUR, [item])
    async with app.run_test(size=(80, 24)):
        assert_routed(app.query_one(CallMap), item)


async def test_call_map_puts_personas_in_the_people_box() -> None:
    app = MapApp(FOUR)
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        assert PEOPLE not in call_map.boxes
        first, second = call("buyer", "social"), call("newcomer", "bank", "POST", "/x", 201)
        call_map.show_call(first)
        call_map.show_call(second)
        assert call_map.people == ("buyer", "newcomer")
        assert_routed(call_map, first)
        assert_routed(call_map, second)
        assert "buyer" in text_in(call_map, call_map.boxes[PEOPLE])


async def test_call_map_draws_a_failed_call_dashed_with_a_cross() -> None:
    item = call("marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", None, "refused")
    app = MapApp(FOUR, [item])
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        assert_routed(call_map, item)
        arrow = call_map.arrows[0]
        assert "✕ refused" in arrow.label
        head = arrow.cells[-1]
        assert call_map.render_line(head.y).text[head.x] == "✕"
        drawn = "".join(call_map.render_line(c.y).text[c.x] for c in arrow.cells)
        assert "╌" in drawn or "╎" in drawn


async def test_call_map_ignores_calls_to_self_and_between_unknowns() -> None:
    app = MapApp(FOUR, [call("bank", "bank"), call("someone", "external")])
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        assert call_map.arrows == () and call_map.people == ()


@pytest.mark.parametrize("size", SIZES)
async def test_call_map_keeps_many_arrows_apart(size: tuple[int, int]) -> None:
    calls = checkout_calls() + [call("marketplace", "identity", "POST", "/v1/verify", 500)]
    app = MapApp(SEVEN, calls)
    async with app.run_test(size=size):
        call_map = app.query_one(CallMap)
        assert [a.call for a in call_map.arrows] == calls[-6:]
        for arrow in call_map.arrows:
            assert_routed(call_map, arrow.call)
        assert_labels_apart(call_map)
        assert sum(a.label_region is not None for a in call_map.arrows) >= 5


async def test_call_map_fades_arrows_out_as_time_passes() -> None:
    clock = FakeClock()
    app = MapApp(FOUR, animate=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        call_map = app.query_one(CallMap)
        call_map.show_call(call("buyer", "social"))
        clock.advance(1.0)
        call_map.show_call(call("social", "marketplace"))
        await pilot.pause()
        clock.advance(1.0)
        call_map.fade()
        assert len(call_map.arrows) == 2
        clock.advance(1.0)  # the first is 3 s old, the second 2 s
        call_map.fade()
        assert [a.call.caller for a in call_map.arrows] == ["social"]
        clock.advance(1.0)
        call_map.fade()
        assert not call_map.arrows


async def test_call_map_without_animation_keeps_arrows_until_cleared() -> None:
    clock = FakeClock()
    app = MapApp(FOUR, [call("buyer", "social")], clock=clock)
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        clock.advance(60)
        call_map.fade()
        assert len(call_map.arrows) == 1
        call_map.clear()
        assert not call_map.arrows


async def test_call_map_highlight_keeps_one_arrow_lit() -> None:
    clock = FakeClock()
    app = MapApp(FOUR, animate=True, clock=clock)
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        kept, other = call("marketplace", "bank"), call("buyer", "social")
        call_map.highlight(kept)  # not shown yet: highlighting shows it
        call_map.show_call(other)
        clock.advance(10)
        call_map.fade()
        assert [a.call for a in call_map.arrows] == [kept]
        region = call_map.arrows[0].label_region
        assert region is not None
        assert style_at(call_map, region.x, region.y).reverse
        call_map.highlight(None)
        call_map.fade()
        assert not call_map.arrows


async def test_call_map_greys_offline_and_marks_faulty_services() -> None:
    services = [
        FOUR[0],
        svc("marketplace", "Pasarloka", fault=Fault(latency_ms=800)),
        svc("bank", "Bank Contoh", fault=Fault(error_rate=0.5)),
        ServiceInfo(
            "identity",
            "Registri Penduduk",
            "registry",
            "back",
            "",
            "",
            health="offline",
            fault=Fault(offline=True),
        ),
    ]
    app = MapApp(FOUR)
    async with app.run_test(size=(80, 24)) as pilot:
        call_map = app.query_one(CallMap)
        assert "OFFLINE" not in text_in(call_map, call_map.boxes["identity"])
        call_map.set_services(services)
        await pilot.pause()
        boxes = call_map.boxes
        assert "+800 ms" in text_in(call_map, boxes["marketplace"])
        assert "50% errors" in text_in(call_map, boxes["bank"])
        assert "OFFLINE" in text_in(call_map, boxes["identity"])
        box = boxes["identity"]
        healthy = boxes["bank"]
        assert (
            style_at(call_map, box.x, box.y + 1).color
            != style_at(call_map, healthy.x, healthy.y + 1).color
        )


async def test_call_map_counts_update_without_moving_boxes() -> None:
    app = MapApp(FOUR, [call("social", "marketplace")])
    async with app.run_test(size=(80, 24)):
        call_map = app.query_one(CallMap)
        before, cells = call_map.boxes, call_map.arrows[0].cells
        call_map.set_services([FOUR[0], svc("marketplace", "Pasarloka", calls_in=42), *FOUR[2:]])
        assert call_map.boxes == before and call_map.arrows[0].cells == cells
        assert "in 42" in text_in(call_map, before["marketplace"])


async def test_call_map_click_on_a_box_selects_the_service() -> None:
    seen: list[Message] = []
    app = MapApp(FOUR)
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        box = app.query_one(CallMap).boxes["bank"]
        await pilot.click(CallMap, offset=(box.x + 2, box.y + 1))
        await pilot.pause()
        assert app.selected == ["bank"]
        assert any(isinstance(m, CallMap.ServiceSelected) for m in seen)


def test_label_text_shortens_the_path_to_fit() -> None:
    item = call("buyer", "social", "GET", "/api/v1/me/orders/240301000001?x=1", 200)
    assert label_text(item, 80) == "GET /api/v1/me/orders/240301000001 200"
    assert label_text(item, 24) == "GET …/240301000001 200"
    assert label_text(item, 8) == "GET 200"
    assert label_text(item, 5) is None
    failed = call("bank", "marketplace", "POST", "/v1.0/transfer-va/payment", None, "timeout")
    assert label_text(failed, 80) == "POST /v1.0/transfer-va/payment ✕ timeout"


@pytest.mark.parametrize("size", SIZES)
def test_call_map_snapshot_checkout(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(MapApp(FOUR, checkout_calls()), terminal_size=size)


async def test_a_service_that_joins_later_leaves_the_people_box() -> None:
    app = MapApp(FOUR)
    async with app.run_test(size=(120, 36)):
        call_map = app.query_one(CallMap)
        call_map.show_call(call("marketplace", "courier", "POST", "/webhooks/marketplace", None,
                                "refused"))
        assert call_map.people == ("courier",)
        courier = ServiceInfo("courier", "Kirim Cepat", "courier", "back",
                              "http://127.0.0.1:8710", "", "ok", kind="module")
        call_map.set_services([*FOUR, courier])
        assert call_map.people == ()
        assert "courier" in call_map.boxes and PEOPLE not in call_map.boxes
