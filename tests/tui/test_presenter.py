"""Presenter mode: a prepared world, notes on demand, the next step announced, jump, fallback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from sandbox.tui.screens.jump import JumpDialog
from sandbox.tui.screens.presenter import PresenterScreen
from tests.tui.factory import until
from tests.tui.lesson_fakes import (
    STEPS,
    TRACE,
    FakeProgress,
    FakeRunner,
    failed,
    make_lesson_app,
)

SIZE = (120, 36)
PROBLEM = "bank does not answer GET /health (connection refused)"


@pytest.fixture(autouse=True)
def quick_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay a fallback without waiting between arrows."""
    monkeypatch.setattr(PresenterScreen, "REPLAY_SECONDS", 0.01)


async def _ready(app: Any, pilot: Pilot[None]) -> PresenterScreen:
    await until(lambda: isinstance(app.screen, PresenterScreen) and not app.screen.busy, pilot)
    screen = app.screen
    assert isinstance(screen, PresenterScreen)
    await pilot.pause(0.05)
    return screen


def _actions(screen: PresenterScreen) -> list[str]:
    return [b.binding.action for b in screen.active_bindings.values()]


def _text(app: Any, selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


async def test_the_world_is_prepared_and_a_problem_shown_before_step_one(tmp_path: Path) -> None:
    runner = FakeRunner(problems=[PROBLEM])
    progress = FakeProgress(position=2)
    app, session, _ = make_lesson_app(tmp_path, runner, progress, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert runner.prepared == 1 and screen.problems == [PROBLEM]
        assert session.index == 0  # a presentation starts at step 1, whatever a learner saved
        warning = screen.query_one("#lesson-warning", Static)
        assert warning.display and PROBLEM in _text(app, "#lesson-warning")
        assert _text(app, "#lesson-warning").startswith("Before you start:")
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
    assert progress.records == []  # rehearsals do not move the learner's place
    await app.backend.aclose()


async def test_no_step_runs_before_the_world_is_prepared(tmp_path: Path) -> None:
    runner = FakeRunner()
    runner.prepare_gate = asyncio.Event()
    app, session, _ = make_lesson_app(tmp_path, runner, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: runner.prepared == 1, pilot)
        screen = app.screen
        assert isinstance(screen, PresenterScreen) and screen.preparing
        preparing = "Preparing: restoring the seeded world and checking every service…"
        assert preparing in _text(app, "#lesson-warning")
        await pilot.press("r", "n")
        await pilot.pause(0.05)
        assert runner.ran == [] and session.index == 0
        wait = "Wait a moment: the sandbox is being prepared for step 1."
        assert any(n.message == wait for n in app._notifications)
        runner.prepare_gate.set()
        await until(lambda: not screen.busy, pilot)
        assert not screen.query_one("#lesson-warning").display
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        assert runner.ran == [0]
    await app.backend.aclose()


async def test_a_healthy_world_shows_no_warning(tmp_path: Path) -> None:
    app, _, runner = make_lesson_app(tmp_path, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert runner.prepared == 1
        assert not screen.query_one("#lesson-warning").display
    await app.backend.aclose()


async def test_notes_show_on_demand_and_stay_on_across_steps(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert not screen.panel.notes_shown
        await pilot.press("p")
        assert screen.panel.notes_shown
        notes = screen.query_one("#lesson-notes")
        assert isinstance(notes, Markdown) and STEPS[0].notes in notes.source
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
        assert screen.notes_on and not screen.panel.notes_shown  # step 2 has no notes
        await pilot.press("b")
        await until(lambda: session.index == 0, pilot)
        assert screen.panel.notes_shown
        await pilot.press("p")
        assert not screen.panel.notes_shown
    await app.backend.aclose()


async def test_the_next_step_is_announced(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert _text(app, "#presenter-next") == f"Next: 2. {STEPS[1].title}"
        await pilot.press("g")
        await until(lambda: isinstance(app.screen, JumpDialog), pilot)
        await pilot.press("3")
        await until(lambda: session.index == 2 and isinstance(app.screen, PresenterScreen), pilot)
        assert _text(app, "#presenter-next") == "This is the last step."
    await app.backend.aclose()


async def test_a_live_failure_offers_the_recorded_fallback_and_replays_it(
    tmp_path: Path,
) -> None:
    recording = TRACE[:5]
    runner = FakeRunner({0: [failed(0)]}, fallbacks={0: recording})
    app, session, _ = make_lesson_app(tmp_path, runner, presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert "replay_fallback" not in _actions(screen)
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        assert "replay_fallback" in _actions(screen)
        offer = "The step failed live. Press f to replay its last good run on the map."
        assert any(n.message == offer for n in app._notifications)
        await pilot.press("f")
        await until(lambda: not screen.replaying, pilot)
        drawn = [arrow.call for arrow in screen.call_map.arrows]
        assert drawn and set(drawn) <= set(recording) and drawn[-1] == recording[-1]
        assert screen.call_map.border_subtitle == "recorded run (replay)"
        await pilot.press("n")  # a new step ends the replay's label
        await until(lambda: session.index == 1, pilot)
        assert screen.call_map.border_subtitle == "" and not screen.call_map.arrows
    await app.backend.aclose()


async def test_a_failure_without_a_recording_says_so(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path, FakeRunner({0: [failed(0)]}), presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        assert "replay_fallback" not in [b.binding.action for b in screen.active_bindings.values()]
        message = "The step failed live and has no recorded run to replay yet."
        assert any(n.message == message for n in app._notifications)
        await pilot.press("f")
        assert not screen.replaying
    await app.backend.aclose()


# -- snapshot ----------------------------------------------------------------------------------


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on screen are local times: pin the zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_presenter_snapshot(snap_compare: Any, tmp_path: Path, utc: None) -> None:
    """Step 1 run live: narration, a warning from prepare, notes, the step's arrows, next step."""
    runner = FakeRunner(problems=[PROBLEM])
    app, _, _ = make_lesson_app(tmp_path, runner, presenter=True, live=False)

    async def run_before(pilot: Any) -> None:
        await _ready(pilot.app, pilot)
        await pilot.press("p", "r")
        await until(lambda: pilot.app.lesson.result is not None, pilot)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
