"""The trace player at the centre: the latest trace, step k of N, the step's sentence and
bodies under the arrow, a mini-map of this trace only, exports written where it says."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from textual.widgets import Static

from sandbox.trace.events import HttpCall
from sandbox.trace.steps import STEP_HEADER, format_step
from sandbox.tui.messages import ShowTrace
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.step_card import StepCard
from tests.tui.factory import make_app, until

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]


def other_trace() -> list[HttpCall]:
    """The desk admitting a patient: another trace, later than the checkout."""
    return [
        HttpCall(
            "ef" * 16,
            "1" * 16,
            None,
            "reception",
            "hospital",
            "POST",
            "/admissions",
            201,
            TRACE[-1].started_at + 10,
            9.0,
        ),
        HttpCall(
            "ef" * 16,
            "2" * 16,
            "1" * 16,
            "hospital",
            "identity",
            "POST",
            "/v1/verify",
            200,
            TRACE[-1].started_at + 10.001,
            2.0,
        ),
    ]


def shown(widget: Static) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


async def test_2_opens_the_latest_trace_when_none_was_chosen(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    backend.store.add(other_trace())
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        screen = app.screen
        assert isinstance(screen, TraceScreen)
        await until(lambda: screen.trace_id is not None, pilot)
        assert screen.trace_id == "ef" * 16
        title = shown(screen.query_one("#trace-title", Static))
        assert "step 1 of 4" in title and "2 calls" in title
        assert "reception → RSUD Sukamaju → Registri Penduduk" in title
    await backend.aclose()


async def test_the_mini_map_draws_only_the_trace_on_screen(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    backend.store.add(other_trace())
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(ShowTrace(TRACE[0].trace_id))
        await until(
            lambda: (
                isinstance(app.screen, TraceScreen) and app.screen.trace_id == TRACE[0].trace_id
            ),
            pilot,
        )
        mini = app.screen.query_one(CallMap)
        app.post_message(ShowTrace("ef" * 16))
        await until(lambda: app.screen.trace_id == "ef" * 16, pilot)  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        assert mini.trace_id == "ef" * 16
        assert {(a.call.caller, a.call.callee) for a in mini.arrows} == {
            ("reception", "hospital"),
            ("hospital", "identity"),
        }
    await backend.aclose()


async def test_the_card_says_the_step_and_shows_both_bodies(tmp_path: Path) -> None:
    step = format_step("checkout", 2, "Sari taps Buy: the social app asks the marketplace")
    calls = list(TRACE)
    buy = next(i for i, c in enumerate(calls) if c.path == "/api/v1/videos/1/buy")
    calls[buy] = dataclasses.replace(
        calls[buy], request_headers=(*calls[buy].request_headers, (STEP_HEADER, step))
    )
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(calls)
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(ShowTrace(TRACE[0].trace_id, calls[buy + 1].span_id))
        await until(
            lambda: isinstance(app.screen, TraceScreen) and app.screen.trace_id is not None, pilot
        )
        await pilot.pause(0.2)
        card = app.screen.query_one(StepCard)
        # the marketplace's order call inherits the step of the Buy that caused it
        assert card.border_title == "2. Sari taps Buy: the social app asks the marketplace"
        request = shown(card.query_one("#step-request-body", Static))
        response = shown(card.query_one("#step-response-body", Static))
        assert calls[buy + 1].path.startswith("/api/v2/fs/7001/orders")
        assert '"quantity"' in request and '"order_id"' in response
        title = shown(app.screen.query_one("#trace-title", Static))
        assert title.startswith("checkout · step ")
        await pilot.press("right")
        await pilot.pause(0.1)
        assert app.screen.query_one(SequencePlayer).index is not None
    await backend.aclose()


async def test_e_writes_every_export_where_it_says(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("2")
        await until(lambda: getattr(app.screen, "trace_id", None) is not None, pilot)
        await pilot.press("e")
        await pilot.pause(0.2)
        folder = tmp_path / "exports"
        names = sorted(p.name for p in folder.iterdir())
        stem = TRACE[0].trace_id[:12]
        assert names == sorted(f"{stem}.{ext}" for ext in ("har", "jsonl", "mmd", "otlp.json"))
        assert (folder / f"{stem}.mmd").read_text().startswith("sequenceDiagram")
        assert json.loads((folder / f"{stem}.har").read_text())["log"]["entries"]
        said = [n.message for n in app._notifications]
        assert any(str(folder) in message and f"{stem}.mmd" in message for message in said)
    await backend.aclose()


async def test_e_without_a_trace_says_so(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("2")
        await pilot.pause(0.2)
        await pilot.press("e")
        await pilot.pause(0.1)
        assert any("No trace to export" in n.message for n in app._notifications)
        assert not (tmp_path / "exports").exists()
    await backend.aclose()


async def test_a_step_from_the_wire_is_shown_as_written(tmp_path: Path) -> None:
    """Any client can send an `x-sandbox-step` header: its story and sentence are text, never
    markup, in the card's title and the player's title."""
    loud = "[@click=app.quit]quit[/] [b]bold[/b] ^[A-Z]"
    calls = list(TRACE)
    step = (STEP_HEADER, format_step("[b]s[/b]", 1, loud))
    calls[0] = dataclasses.replace(calls[0], request_headers=(*calls[0].request_headers, step))
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(calls)
    async with app.run_test(size=(160, 48)) as pilot:
        app.post_message(ShowTrace(TRACE[0].trace_id, calls[0].span_id))
        await until(
            lambda: isinstance(app.screen, TraceScreen) and app.screen.trace_id is not None, pilot
        )
        await pilot.pause(0.2)
        card = app.screen.query_one(StepCard)
        assert card._border_title is not None and card._border_title.plain == f"1. {loud}"
        assert shown(app.screen.query_one("#trace-title", Static)).startswith("[b]s[/b] · step ")
        assert app.is_running
    await backend.aclose()
