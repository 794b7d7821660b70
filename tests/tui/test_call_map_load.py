"""The map's load panel: per-edge figures kept as calls arrive, shown on `p` or by itself when
traffic is heavy, and readable at 80x24 and 160x45."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sandbox.trace.events import HttpCall
from sandbox.tui.messages import CallsArrived
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.widgets.call_map_load import HEAVY_PER_S, EdgeLoad, LoadPanel
from tests.tui.factory import make_app

_ids = itertools.count()


def _call(at: float, caller: str = "social", callee: str = "marketplace", **kw: object) -> HttpCall:
    n = next(_ids)
    fields: dict[str, object] = {"status": 200, "duration_ms": 10.0, **kw}
    return HttpCall(
        trace_id=f"{n:032x}",
        span_id=f"{n:016x}",
        parent_id=None,
        caller=caller,
        callee=callee,
        method="POST",
        path="/api/v2/orders",
        started_at=at,
        **fields,  # type: ignore[arg-type]
    )


def _crowd(per_s: int, seconds: int, start: float = 1_000.0) -> list[HttpCall]:
    return [_call(start + i / per_s, duration_ms=float(i % 100)) for i in range(per_s * seconds)]


def test_figures_follow_the_window() -> None:
    load = EdgeLoad(window_s=5)
    load.add(_crowd(100, 5))
    [edge] = load.figures()
    assert edge.edge == ("social", "marketplace")
    assert edge.per_s == pytest.approx(100, rel=0.05)
    assert 94 <= edge.p95_ms <= 94 * 1.15  # nearest rank of 0..99 ms, to the histogram's 15 %
    load.add([_call(1_005.0, "marketplace", "bank", status=None)] * 3)
    load.add([_call(1_005.0, "marketplace", "bank", status=503, duration_ms=0.0)])
    bank = next(f for f in load.figures() if f.edge[1] == "bank")
    assert bank.error_rate == 1.0
    load.add([_call(2_000.0, "marketplace", "bank", status=409)])  # much later: the rest left
    [late] = load.figures()
    assert (late.edge, late.error_rate) == (("marketplace", "bank"), 0.0)  # 409 is an answer
    load.clear()
    assert load.figures() == [] and load.per_s() == 0


def test_an_old_call_arriving_late_counts_for_nothing() -> None:
    load = EdgeLoad(window_s=5)
    load.add([_call(100.0)])
    load.add([_call(10.0)])
    assert [f.per_s for f in load.figures()] == [1.0]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_panel_shows_itself_in_a_crowd_and_p_toggles_it(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, _backend = make_app(tmp_path, live=False)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, MapScreen)
        panel = screen.query_one(LoadPanel)
        screen.draw_load()
        assert not panel.display  # quiet: the map alone
        screen.post_message(CallsArrived(tuple(_crowd(int(HEAVY_PER_S) * 2, 5))))
        await pilot.pause()
        screen.draw_load()
        await pilot.pause()
        assert panel.display
        drawn = str(panel.render())
        assert "social→marketplace" in drawn and "webhook backlog: 0 pending" in drawn
        assert screen.region.contains_region(panel.region)  # inside the screen at this size
        await pilot.press("p")
        assert not panel.display and screen.load_choice is False
        await pilot.press("p")
        assert panel.display and screen.load_choice is True


async def test_wire_text_in_the_panel_is_never_markup(tmp_path: Path) -> None:
    app, _backend = make_app(tmp_path, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MapScreen)
        screen.post_message(CallsArrived((_call(1.0, caller="[bold]x[/bold]"),)))
        await pilot.press("p")
        assert "[bold]x[/bold]→marketplace" in str(screen.query_one(LoadPanel).render())
