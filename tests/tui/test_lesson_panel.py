"""Learn mode: next, back, run and rerun a step, a failed expectation in plain words, resume."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from sandbox.tui import i18n
from sandbox.tui.i18n import Lazy
from sandbox.tui.lesson_session import LessonSession
from sandbox.tui.screens.jump import JumpDialog
from sandbox.tui.screens.lesson import LessonScreen
from sandbox.tui.screens.lesson_base import LessonScreenBase
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.presenter import PresenterScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.sequence import SequencePlayer
from sandbox.tui.widgets.step_verdict import StepVerdict
from tests.tui.factory import make_app, until
from tests.tui.lesson_fakes import (
    LESSON,
    STEPS,
    TRACE,
    FakeProgress,
    FakeRunner,
    failed,
    make_lesson_app,
    passed,
)

SIZE = (120, 36)


def _heading(app: Any) -> str:
    return str(app.screen.query_one("#lesson-step", Static).content)


def _narration(app: Any) -> str:
    return str(app.screen.query_one("#lesson-narration", Markdown).source)


def _verdict(app: Any) -> str:
    content = app.screen.query_one(StepVerdict).content
    return content.plain if isinstance(content, Text) else str(content)


async def _ready(app: Any, pilot: Pilot[None]) -> LessonScreen:
    await until(lambda: isinstance(app.screen, LessonScreen), pilot)
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    await until(lambda: not screen.busy and "Step" in _heading(app), pilot)
    return screen


async def test_lesson_opens_on_step_one_after_preparing_the_world(tmp_path: Path) -> None:
    app, session, runner = make_lesson_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert _heading(app) == f"Step 1 of 3 · {STEPS[0].title}"
        assert LESSON.intro in _narration(app) and "creates the order" in _narration(app)
        assert runner.prepared == 1
        assert not app.screen.query_one("#lesson-warning").display
        assert _verdict(app) == "Press r to run this step."
    assert runner.closed  # the app closes the runner it was given
    await app.backend.aclose()


async def test_next_and_back_move_through_the_steps_and_save_the_place(tmp_path: Path) -> None:
    progress = FakeProgress()
    app, session, _ = make_lesson_app(tmp_path, progress=progress)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("n")
        await until(lambda: "Step 2" in _heading(app), pilot)
        assert "checkout()" in _narration(app) and LESSON.intro not in _narration(app)
        await pilot.press("right")
        await until(lambda: "Step 3" in _heading(app), pilot)
        await pilot.press("space")  # past the last step: stays, and the lesson's end shows
        await pilot.pause(0.1)
        assert session.index == 2 and "Step 3 of 3" in _heading(app)
        assert app.screen.query_one("#lesson-done").display
        await pilot.press("b")
        await until(lambda: "Step 2" in _heading(app), pilot)
        await pilot.press("left", "left")
        await until(lambda: "Step 1" in _heading(app), pilot)
        assert session.index == 0
    assert [index for index, _ in progress.records] == [1, 2, 2, 1, 0]  # 2 again: the end
    await app.backend.aclose()


async def test_running_a_step_shows_the_verdict_and_its_calls(tmp_path: Path) -> None:
    progress = FakeProgress()
    app, session, runner = make_lesson_app(tmp_path, progress=progress)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        assert runner.ran == [0]
        assert "Passed" in _verdict(app) and "4 calls" in _verdict(app)
        # The step's four calls stay drawn as edges: buyer -> social twice, social ->
        # marketplace twice, each edge labelled with its last call.
        drawn = {(a.call.caller, a.call.callee): (a.count, a.call) for a in screen.call_map.arrows}
        assert drawn == {
            ("buyer", "social"): (2, TRACE[3]),
            ("social", "marketplace"): (2, TRACE[2]),
        }
        log = screen.query_one(CallLog)
        await until(lambda: log.total == 4, pilot)
        assert screen.query_one(StepVerdict).has_class("-passed")
    assert progress.saved[(LESSON.slug, "en")] == (1, False)  # resumes at the next step
    await app.backend.aclose()


async def test_rerun_replaces_a_failed_verdict(tmp_path: Path) -> None:
    runner = FakeRunner({0: [failed(0), passed(0)]})
    app, session, _ = make_lesson_app(tmp_path, runner)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("enter")
        await until(lambda: session.result is not None, pilot)
        assert screen.query_one(StepVerdict).has_class("-failed")
        await pilot.press("r")
        await until(lambda: session.result is not None and session.result.ok, pilot)
        assert runner.ran == [0, 0]
        assert "Passed" in _verdict(app) and "expected" not in _verdict(app)
    await app.backend.aclose()


async def test_a_failed_expectation_says_what_was_expected_and_what_happened(
    tmp_path: Path,
) -> None:
    progress = FakeProgress()
    app, session, _ = make_lesson_app(tmp_path, FakeRunner({0: [failed(0)]}), progress)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        shown = _verdict(app)
        miss = failed(0).failures[0]
        assert "Not yet: 1 expectation not met." in shown
        for part in (
            miss.expectation,
            f"expected: {miss.expected}",
            f"happened: {miss.happened}",
            f"because: {miss.because}",
        ):
            assert part in shown, part
        # the call the failure is about stays lit on the map
        assert screen.call_map.highlighted == TRACE[0]
    assert progress.saved[(LESSON.slug, "en")] == (0, False)  # a failed step is not passed
    await app.backend.aclose()


async def test_an_action_that_could_not_run_is_shown_plainly(tmp_path: Path) -> None:
    down = replace(failed(0), failures=(), error="bank is offline (503 from /health)")
    app, session, _ = make_lesson_app(tmp_path, FakeRunner({0: [down]}))
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        assert "The step could not run:" in _verdict(app)
        assert "bank is offline (503 from /health)" in _verdict(app)
    await app.backend.aclose()


async def test_opening_a_lesson_again_resumes_where_it_stopped(tmp_path: Path) -> None:
    runner = FakeRunner()
    app, session, _ = make_lesson_app(tmp_path, runner, FakeProgress(position=2))
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert session.index == 2
        assert _heading(app).startswith("Step 3 of 3")
        assert runner.prepared == 0  # mid-lesson: the world the learner built is kept
    await app.backend.aclose()


async def test_a_saved_place_beyond_the_lesson_opens_its_last_step(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path, progress=FakeProgress(position=9, done=True))
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        assert session.index == 2
    await app.backend.aclose()


async def test_passing_the_last_step_marks_the_lesson_done(tmp_path: Path) -> None:
    progress = FakeProgress(position=2)
    app, session, _ = make_lesson_app(tmp_path, progress=progress)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("n")  # the last step only tells: n past it ends the lesson
        await until(lambda: bool(progress.records) and progress.records[-1][1], pilot)
        await pilot.press("b")  # moving back keeps the lesson done
        await until(lambda: session.index == 1, pilot)
    assert progress.records[-2:] == [(2, True), (1, True)]
    await app.backend.aclose()


async def test_keys_pressed_while_a_step_runs_are_ignored(tmp_path: Path) -> None:
    runner = FakeRunner()
    runner.gate = asyncio.Event()
    app, session, _ = make_lesson_app(tmp_path, runner)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: runner.ran == [0], pilot)
        assert screen.running and "Running step 1" in _verdict(app)
        await pilot.press("r", "enter", "n", "b", "g")
        await pilot.pause(0.1)
        assert runner.ran == [0] and session.index == 0
        assert not isinstance(app.screen, JumpDialog)
        runner.gate.set()
        await until(lambda: session.result is not None, pilot)
        assert not screen.running and "Passed" in _verdict(app)
    await app.backend.aclose()


async def test_a_runner_that_raises_is_reported_not_fatal(tmp_path: Path) -> None:
    runner = FakeRunner({0: [RuntimeError("engine bug")]})
    app, session, _ = make_lesson_app(tmp_path, runner)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("r")
        await until(lambda: not screen.running, pilot)
        # said in plain words in the verdict, as a failed run (no raw exception text)
        assert session.result is not None and not session.result.ok
        assert "could not run live" in _verdict(app) and "RuntimeError" in _verdict(app)
        assert "engine bug" not in _verdict(app)
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
    await app.backend.aclose()


async def test_hints_show_one_at_a_time_only_on_exercise_steps(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert "hint" not in [b.binding.action for b in screen.active_bindings.values()]
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
        assert "hint" in [b.binding.action for b in screen.active_bindings.values()]
        await pilot.press("h")
        await pilot.pause(0.05)
        assert f"Hint: {STEPS[1].hints[0]}" in _verdict(app)
        assert STEPS[1].hints[1] not in _verdict(app)
        await pilot.press("h", "h", "h")
        await pilot.pause(0.05)
        assert all(hint in _verdict(app) for hint in STEPS[1].hints)
    await app.backend.aclose()


async def test_g_and_a_number_jump_to_that_step(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("g")
        await until(lambda: isinstance(app.screen, JumpDialog), pilot)
        await pilot.press("3")
        await until(lambda: isinstance(app.screen, LessonScreen) and session.index == 2, pilot)
        assert _heading(app).startswith("Step 3 of 3")
        await pilot.press("g")
        await until(lambda: isinstance(app.screen, JumpDialog), pilot)
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, LessonScreen), pilot)
        assert session.index == 2
    await app.backend.aclose()


async def test_the_other_modes_stay_reachable_and_8_comes_back(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(app, pilot)
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
        await pilot.press("tab")  # away from the narration, so digits reach the app
        await pilot.press("1")
        await until(lambda: isinstance(app.screen, MapScreen), pilot)
        await pilot.press("8")
        await until(lambda: isinstance(app.screen, LessonScreen), pilot)
        assert session.index == 1 and "Step 2" in _heading(app)
    await app.backend.aclose()


async def test_without_a_lesson_key_8_is_hidden(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert "8" not in app.screen.active_bindings
        await pilot.press("8")
        await pilot.pause(0.05)
        assert isinstance(app.screen, MapScreen)
    await backend.aclose()


async def test_lesson_keys_are_in_the_palette_in_indonesian(tmp_path: Path) -> None:
    app, _, _ = make_lesson_app(tmp_path, lang="id")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _ready_any(app, pilot)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert "pelajaran: Lanjut" in titles and "pelajaran: Jalankan" in titles
            assert app.screen.query_one("#lesson-step", Static).content.startswith("Langkah 1")
    finally:
        i18n.set_language("en")
    await app.backend.aclose()


async def _ready_any(app: Any, pilot: Pilot[None]) -> None:
    await until(lambda: isinstance(app.screen, LessonScreenBase) and not app.screen.busy, pilot)
    await pilot.pause(0.05)


def test_every_lesson_binding_has_an_id_and_texts_looked_up_when_shown() -> None:
    for cls in (LessonScreenBase, PresenterScreen, JumpDialog):
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), cls
            assert binding.id, f"{cls.__name__}: {binding.key}"
            assert isinstance(binding.description, Lazy), binding.id
            assert isinstance(binding.tooltip, Lazy), binding.id


def test_session_without_progress_writes_in_presenter_mode() -> None:
    progress = FakeProgress(position=1)
    session = LessonSession(LESSON, FakeRunner(), progress, presenter=True)
    assert session.index == 0  # a presentation always starts at step 1
    assert session.go(2) and session.index == 2
    session.finish(passed(2), 2)
    assert progress.records == []
    assert not session.go(5) and session.index == 2


async def test_jump_waits_while_the_typed_number_could_still_grow() -> None:
    class Host(App[None]):
        pass

    app = Host()
    chosen: list[int | None] = []
    steps = [(n, f"step {n}") for n in range(1, 13)]
    async with app.run_test() as pilot:
        app.push_screen(JumpDialog(steps, 0), chosen.append)
        await pilot.pause()
        await pilot.press("1")  # 1, 10, 11 or 12
        await pilot.pause()
        assert isinstance(app.screen, JumpDialog) and chosen == []
        await pilot.press("2")
        await until(lambda: chosen == [11], pilot)
        app.push_screen(JumpDialog(steps, 0), chosen.append)
        await pilot.pause()
        await pilot.press("1", "enter")
        await until(lambda: chosen == [11, 0], pilot)
        app.push_screen(JumpDialog(steps, 4), chosen.append)
        await pilot.pause()
        await pilot.press("0", "enter")  # no such step: Enter takes the highlighted one
        await until(lambda: len(chosen) == 3, pilot)
    assert chosen == [11, 0, 4]


async def test_t_opens_the_steps_trace_in_the_player_and_8_comes_back(tmp_path: Path) -> None:
    app, session, _ = make_lesson_app(tmp_path)
    app.backend.store.add(TRACE)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(app, pilot)
        assert "open_trace" not in [b.binding.action for b in screen.active_bindings.values()]
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        await pilot.press("t")
        await until(lambda: isinstance(app.screen, TraceScreen), pilot)
        player = app.screen.query_one(SequencePlayer)
        await until(lambda: bool(player.arrows), pilot)
        assert {arrow.call.trace_id for arrow in player.arrows} == {TRACE[0].trace_id}
        await pilot.press("8")
        await until(lambda: app.screen is screen, pilot)
    await app.backend.aclose()
