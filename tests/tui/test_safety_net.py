"""The presenter's safety net: faults named before anything runs, cleared with one key, a
reset that really starts again, live failures in plain words with the fallback offered, and
a lesson that ends with what it showed and what comes next."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from textual.widgets import RichLog, Static

from sandbox.tui.screens.presenter import PresenterScreen
from sandbox.wire.faults import Fault
from tests.tui.factory import make_app, until
from tests.tui.lesson_fakes import STEPS, TRACE, FakeRunner, make_lesson_app

SIZE = (120, 36)


def _plain(widget: Static) -> str:
    content = widget.content
    return getattr(content, "plain", str(content))


@pytest.fixture(autouse=True)
def quick_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PresenterScreen, "REPLAY_SECONDS", 0.01)


async def test_ctrl_f_clears_every_fault(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await backend.set_fault("bank", Fault(offline=True))
        await backend.set_fault("identity", Fault(latency_ms=800, error_rate=0.5))
        await pilot.press("6")  # even from the composer, where inputs take keys
        await pilot.pause(0.2)
        await pilot.press("ctrl+f")
        await until(lambda: not backend.wire.faults, pilot)
        assert any("Every fault is cleared" in n.message for n in app._notifications)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert any("Clear faults" in title for title in commands)
    await backend.aclose()


async def test_a_story_names_the_faults_before_it_runs(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await backend.set_fault("bank", Fault(offline=True))
        await app.refresh_services()
        await pilot.press("5")
        await pilot.pause(0.2)
        await pilot.click("#run")
        log = app.screen.query_one("#story-log", RichLog)

        def said() -> str:  # the log wraps long lines: read it as one text
            return " ".join(" ".join(line.text.split()) for line in log.lines)

        await until(lambda: "Did not end as the story says" in said(), pilot)
        assert "Faults are on: bank OFFLINE. ctrl+f clears them." in said()
        assert "Traceback" not in said() and "httpx" not in said()
    await backend.aclose()


async def test_ctrl_r_clears_faults_stops_a_paused_story_and_the_map(tmp_path: Path) -> None:
    from sandbox.tui.widgets.call_map import CallMap

    app, backend = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("5")
        await pilot.pause(0.2)
        await pilot.click("#step-mode")
        await pilot.click("#run")
        screen = app.screen
        await until(lambda: bool(getattr(screen, "waiting", False)), pilot)
        await pilot.press("n")  # one step, then it waits again
        await until(lambda: bool(screen.query_one(CallMap).arrows), pilot)
        await backend.set_fault("bank", Fault(latency_ms=500))
        await pilot.press("ctrl+r")
        log = screen.query_one("#story-log", RichLog)
        await until(
            lambda: any("Stopped: the world was reset" in ln.text for ln in log.lines), pilot
        )
        assert not backend.wire.faults
        assert not screen.waiting  # type: ignore[attr-defined]
        assert not screen.query_one(CallMap).arrows
        assert not [w for w in screen.workers if w.group == "story" and w.is_running]
    await backend.aclose()


async def test_a_live_503_is_said_plainly_and_the_fallback_offered(tmp_path: Path) -> None:
    request = httpx.Request("POST", "http://bank.sandbox/mobile/v1/sessions")
    response = httpx.Response(503, request=request)
    boom = httpx.HTTPStatusError(
        "Server error '503 Service Unavailable' for url "
        "'http://bank.sandbox/...' For more information check: "
        "https://developer.mozilla.org/",
        request=request,
        response=response,
    )
    runner = FakeRunner({0: [boom]}, fallbacks={0: TRACE[:4]})
    app, session, _ = make_lesson_app(tmp_path, runner, presenter=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, PresenterScreen) and not app.screen.busy, pilot)
        screen = app.screen
        await pilot.press("r")
        await until(lambda: session.result is not None, pilot)
        verdict = _plain(screen.query_one("#lesson-verdict", Static))
        assert "bank answered 503" in verdict
        assert "mozilla" not in verdict and "Server error" not in verdict
        assert all("mozilla" not in n.message for n in app._notifications)
        assert any("Press f to replay" in n.message for n in app._notifications)
        await pilot.press("f")
        await until(lambda: not screen.replaying, pilot)
        assert screen.call_map.arrows
    await app.backend.aclose()


async def test_a_step_names_the_faults_before_it_runs(tmp_path: Path) -> None:
    gate = asyncio.Event()
    runner = FakeRunner()
    app, session, _ = make_lesson_app(tmp_path, runner)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: not getattr(app.screen, "busy", True), pilot)
        await app.backend.set_fault("bank", Fault(offline=True))
        await app.refresh_services()
        runner.gate = gate
        await pilot.press("r")
        warning = _plain(app.screen.query_one("#lesson-warning", Static))
        assert "Before this step runs:" in warning and "bank OFFLINE" in warning
        gate.set()
    await app.backend.aclose()


async def test_the_last_step_ends_the_lesson_with_what_it_showed_and_what_is_next(
    tmp_path: Path,
) -> None:
    app, session, _ = make_lesson_app(tmp_path)
    session.next_lesson = "4 · Storefront and platform"
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: not getattr(app.screen, "busy", True), pilot)
        await pilot.press("r")
        await until(lambda: 0 in session.results, pilot)
        for _ in range(len(STEPS) - 1):
            await pilot.press("n")
        await until(lambda: session.index == len(STEPS) - 1, pilot)
        await pilot.press("n")  # the last step only tells: n past it ends the lesson
        done = app.screen.query_one("#lesson-done", Static)
        await until(lambda: bool(done.display), pilot)
        text = _plain(done)
        assert "What this lesson showed:" in text
        assert f"✓ 1. {STEPS[0].title}" in text and "Next: 4 · Storefront and platform" in text
        assert f"· 2. {STEPS[1].title}" in text  # not run this time
        await pilot.press("b")
        await until(lambda: not done.display, pilot)
    await app.backend.aclose()


async def test_a_step_that_only_tells_says_so_and_r_runs_nothing(tmp_path: Path) -> None:
    runner = FakeRunner()
    app, session, _ = make_lesson_app(tmp_path, runner)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(lambda: not getattr(app.screen, "busy", True), pilot)
        await pilot.press("n", "n")
        await until(lambda: session.index == 2, pilot)
        verdict = _plain(app.screen.query_one("#lesson-verdict", Static))
        assert "Nothing to run here" in verdict and "Press r" not in verdict
        await pilot.press("r")
        await pilot.pause(0.1)
        assert runner.ran == [] and any("Nothing to run" in n.message for n in app._notifications)
    await app.backend.aclose()


async def test_the_exercise_file_shows_from_the_first_look_and_w_opens_the_glossary(
    tmp_path: Path,
) -> None:
    runner = FakeRunner()
    exercise = tmp_path / "checkout.py"
    runner.exercise_file = lambda index: exercise if index == 1 else None  # type: ignore[attr-defined]
    app, session, _ = make_lesson_app(tmp_path, runner)
    session.glossary = [("VA", "virtual account: a payment code"), ("SESUAI", "matches")]
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: not getattr(app.screen, "busy", True), pilot)
        await pilot.press("n")
        await until(lambda: session.index == 1, pilot)
        heading = _plain(app.screen.query_one("#lesson-step", Static))
        assert f"Your file: {tmp_path / 'checkout.py'}" in heading
        await pilot.press("w")
        await pilot.pause(0.2)
        from sandbox.tui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen) and "SESUAI" in app.screen.text
    await app.backend.aclose()
