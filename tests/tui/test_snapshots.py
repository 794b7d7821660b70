"""Snapshots of the main screens at 80x24 and 160x48, over a recorded checkout trace.

The trace in `data/checkout.json` was recorded from an in-process checkout and normalised
(fixed ids, times and durations), so the screens are the same on every machine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.trace.events import HttpCall
from sandbox.tui.messages import ShowTrace
from sandbox.tui.widgets.call_map import CallMap
from tests.tui.factory import make_app

SIZES = [(80, 24), (160, 48)]
TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local times: pin the zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _app(tmp_path: Path) -> Any:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    return app


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause(0.2)
        call_map = pilot.app.screen.query_one(CallMap)
        for call in TRACE[-6:]:
            call_map.show_call(call)
        await pilot.press("up", "up")
        await pilot.pause(0.2)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trace_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause(0.1)
        pilot.app.post_message(ShowTrace(TRACE[0].trace_id, TRACE[3].span_id))
        await pilot.pause(0.4)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_services_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("4")
        await pilot.pause(0.3)
        await pilot.press("down", "down")
        await pilot.pause(0.4)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_stories_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=size, press=["5"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_composer_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("6")
        await pilot.pause(0.4)

    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=run_before)


def test_audit_screen(snap_compare: Any, tmp_path: Path) -> None:
    """The audit over the recorded checkout (the made-up hostnames fail LOCAL-ONLY)."""

    async def run_before(pilot: Any) -> None:
        await pilot.press("7")
        await pilot.pause(0.2)
        await pilot.press("a")
        for _ in range(600):  # a loaded machine (CI) can take seconds
            await pilot.pause(0.05)
            if pilot.app.screen.report is not None and not pilot.app.screen.running:
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)

    assert snap_compare(_app(tmp_path), terminal_size=(120, 40), run_before=run_before)
