"""Followers see what the presenter shows: the presenter's UI says it, a follower's UI goes there.

In process, over the tests' LocalBackend, whose StageBoard stands for the control API's
`/stage`; `tests/serve/test_follow.py` and `test_browser.py` do it over a real sandbox.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Markdown, Static

from sandbox.lessons.loader import lessons_root, load_lesson
from sandbox.runtime.stage_view import ShownLesson, StageView
from sandbox.trace.events import HttpCall
from sandbox.tui import i18n
from sandbox.tui.app import SandboxApp
from sandbox.tui.following import follower_title
from sandbox.tui.messages import ShowTrace
from sandbox.tui.read_only import FOLLOWING_MODES
from sandbox.tui.screens.followed_lesson import FollowedLessonScreen
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.presenter import PresenterScreen
from sandbox.tui.screens.services import ServicesScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.sequence import SequencePlayer
from tests.tui.factory import LocalBackend, make_app, until
from tests.tui.lesson_fakes import LESSON, STEPS, FakeRunner, failed, make_lesson_app

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]
SIZE = (160, 48)


def said(backend: LocalBackend) -> StageView:
    """What the presenter's UI last said it shows."""
    return backend.board.view or StageView("nothing yet")


async def test_the_presenter_says_its_screen_its_trace_and_the_arrow_under_the_cursor(
    tmp_path: Path,
) -> None:
    app, backend = make_app(tmp_path)
    backend.store.add(TRACE)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: said(backend) == StageView("map"), pilot)
        await pilot.press("2")
        await until(lambda: said(backend).trace_id == TRACE[0].trace_id, pilot)
        player = app.screen.query_one(SequencePlayer)
        assert player.current is not None
        assert (said(backend).mode, said(backend).span_id) == ("trace", player.current.call.span_id)
        assert said(backend).response is False
        await pilot.press("end")  # the last arrow: an answer
        await until(lambda: said(backend).response, pilot)
        assert said(backend).span_id == player.current.call.span_id
        last = said(backend)
        await pilot.press("left")
        await until(lambda: said(backend) != last, pilot)
        arrow = player.current
        assert (said(backend).span_id, said(backend).response) == (
            arrow.call.span_id, arrow.is_return)  # fmt: skip
        await pilot.press("4")
        await until(lambda: said(backend).mode == "services", pilot)
        assert said(backend) == StageView("services")
        version = backend.board.version
        await pilot.press("question_mark")  # help over the services: still the services
        await pilot.pause(0.5)
        assert backend.board.version == version
    await backend.aclose()


class Unreachable(LocalBackend):
    """A sandbox that refuses to be told what the stage shows."""

    tried = 0

    async def show_stage(self, view: StageView) -> None:
        self.tried += 1
        raise ConnectionError("the sandbox went away")


async def test_a_failed_publish_never_interrupts_the_presenter(tmp_path: Path) -> None:
    backend = Unreachable(tmp_path)
    app, _ = make_app(tmp_path)
    app.backend = backend
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: backend.tried > 0, pilot)
        await pilot.press("2", "4", "1")
        await pilot.pause(0.5)
        assert not [n for n in app._notifications if "stage" in n.message.lower()]
        assert app.is_running
    await backend.aclose()


async def test_the_lesson_step_and_its_verdict_are_said_but_never_the_notes(
    tmp_path: Path,
) -> None:
    runner = FakeRunner(script={1: [failed(1)]})
    app, session, _ = make_lesson_app(tmp_path, runner, presenter=True)
    backend = app.backend
    assert isinstance(backend, LocalBackend)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: isinstance(app.screen, PresenterScreen) and not app.screen.busy, pilot)
        await until(lambda: said(backend).lesson is not None, pilot)
        lesson = said(backend).lesson
        assert lesson is not None and said(backend).mode == "lesson"
        assert (lesson.slug, lesson.lang, lesson.step, lesson.steps) == (
            "03-paying-without-leaving", "en", 0, 3)  # fmt: skip
        assert lesson.step_title == STEPS[0].title and lesson.verdict is None
        await pilot.press("r")
        await until(lambda: _verdict(backend) == "passed", pilot)
        await pilot.press("n", "r")
        await until(lambda: _verdict(backend) == "failed", pilot)
        lesson = said(backend).lesson
        assert lesson is not None and lesson.step == 1 and lesson.verdict is not None
        assert lesson.verdict.failures[0].expectation.startswith("marketplace -> bank")
        assert lesson.verdict.trace_ids == (TRACE[0].trace_id,)
        assert "Pause here" not in json.dumps(said(backend).to_dict()), "notes stay private"
        await pilot.press("p")  # the presenter's notes on screen: still not said
        await pilot.press("t")  # the step's trace in the player: the lesson is still said
        await until(lambda: said(backend).mode == "trace", pilot)
        assert isinstance(app.screen, TraceScreen)
        assert said(backend).lesson == lesson
    assert session.index == 1
    await backend.aclose()


def _verdict(backend: LocalBackend) -> str | None:
    lesson = said(backend).lesson
    return lesson.verdict.state if lesson is not None and lesson.verdict is not None else None


def follower_of(backend: LocalBackend, lang: str = "en") -> SandboxApp:
    """A student's page on the same sandbox as the presenter's app."""
    return SandboxApp(backend, lang=lang, animate=False, read_only=True)


def later_trace() -> list[HttpCall]:
    """Another trace, after the checkout: the latest, so not what `2` alone would open."""
    start = TRACE[-1].started_at + 10
    return [
        HttpCall("ef" * 16, "1" * 16, None, "reception", "hospital", "POST", "/admissions",
                 201, start, 9.0),
    ]  # fmt: skip


async def test_a_follower_goes_where_the_presenter_is(tmp_path: Path) -> None:
    presenter, backend = make_app(tmp_path)
    backend.store.add(TRACE)
    backend.store.add(later_trace())
    follower = follower_of(backend)
    async with presenter.run_test(size=SIZE) as pilot, follower.run_test(size=SIZE) as watcher:
        await until(lambda: follower.presenter_view is not None, watcher)
        assert isinstance(follower.screen, MapScreen)
        assert follower.sub_title == "read-only: following the presenter"
        presenter.post_message(ShowTrace(TRACE[0].trace_id, TRACE[3].span_id))
        await until(lambda: isinstance(follower.screen, TraceScreen), watcher)
        screen = follower.screen
        assert isinstance(screen, TraceScreen)
        await until(lambda: screen.trace_id == TRACE[0].trace_id, watcher)
        theirs = screen.query_one(SequencePlayer)
        await until(lambda: _on(theirs) == (TRACE[3].span_id, False), watcher)
        await pilot.press("end")
        mine = presenter.screen.query_one(SequencePlayer)
        await until(lambda: theirs.index == mine.index, watcher)
        assert _on(theirs) == _on(mine) and _on(mine)[1] is True
        # The apps and the composer act: the follower stays, and says where the presenter is.
        await pilot.press("3")
        await until(lambda: "Apps" in follower.sub_title, watcher)
        assert follower.sub_title == "read-only: following the presenter, now on Apps"
        assert follower.screen is screen
        await pilot.press("4")
        await until(lambda: isinstance(follower.screen, ServicesScreen), watcher)
        await until(lambda: bool(follower.screen.query("#tables")), watcher)
        assert follower.sub_title == "read-only: following the presenter"
    await backend.aclose()


async def test_a_follower_looks_around_and_the_next_move_brings_it_back(tmp_path: Path) -> None:
    presenter, backend = make_app(tmp_path)
    backend.store.add(TRACE)
    follower = follower_of(backend)
    async with presenter.run_test(size=SIZE) as pilot, follower.run_test(size=SIZE) as watcher:
        await pilot.press("2")

        def settled() -> bool:
            # The presenter's trace screen opens, then puts its cursor on the first call: two
            # views published. The student looks around once the second reached her page.
            view = follower.presenter_view
            return view is not None and view.span_id is not None

        await until(lambda: isinstance(follower.screen, TraceScreen) and settled(), watcher)
        await watcher.press("1")  # the student looks at the map
        await until(lambda: isinstance(follower.screen, MapScreen), watcher)
        assert isinstance(follower.screen, MapScreen)
        await pilot.press("right")
        await until(lambda: isinstance(follower.screen, TraceScreen), watcher)
        theirs = follower.screen.query_one(SequencePlayer)
        await until(lambda: theirs.index == 1, watcher)
        # 0: stop following; the presenter's moves no longer move the page.
        await watcher.press("0")
        assert follower.sub_title == "read-only: not following the presenter (0 follows again)"
        await watcher.press("4")
        await pilot.press("right", "1")
        await until(lambda: follower.presenter_view == StageView("map"), watcher)
        assert isinstance(follower.screen, ServicesScreen)
        # 0 again: straight to where the presenter is now.
        await watcher.press("0")
        await until(lambda: isinstance(follower.screen, MapScreen), watcher)
        assert follower.sub_title == "read-only: following the presenter"
        assert any("Following the presenter again" in n.message for n in follower._notifications)
    await backend.aclose()


async def test_only_a_follower_has_the_follow_key(tmp_path: Path) -> None:
    presenter, backend = make_app(tmp_path)
    follower = follower_of(backend)
    assert presenter.check_action("toggle_following", ()) is False
    assert follower.check_action("toggle_following", ()) is True
    assert follower.check_action("switch_mode", ("lesson",)) is False, "no lesson yet"
    await presenter.run_action("toggle_following")
    assert presenter.following is False
    await backend.aclose()


def _on(player: SequencePlayer) -> tuple[str, bool] | None:
    arrow = player.current
    return (arrow.call.span_id, arrow.is_return) if arrow is not None else None


async def test_a_follower_sees_the_presenters_lesson_step_and_verdict(tmp_path: Path) -> None:
    runner = FakeRunner(script={1: [failed(1)]})
    presenter, session, _ = make_lesson_app(tmp_path, runner, presenter=True)
    backend = presenter.backend
    assert isinstance(backend, LocalBackend)
    backend.store.add(TRACE)
    follower = follower_of(backend)
    real = load_lesson(lessons_root() / LESSON.slug, "en")
    async with presenter.run_test(size=SIZE) as pilot, follower.run_test(size=SIZE) as watcher:
        await until(lambda: isinstance(follower.screen, FollowedLessonScreen), watcher)
        screen = follower.screen
        assert isinstance(screen, FollowedLessonScreen)
        heading = f"Step 1 of 3 · {real.steps[0].title}"
        await until(lambda: _text(screen, "#lesson-step") == heading, watcher)
        assert screen.panel.border_title == LESSON.title
        assert follower.check_action("switch_mode", ("lesson",)) is True
        await until(lambda: "not run this step" in _text(screen, "#lesson-verdict"), watcher)
        runner.gate = asyncio.Event()
        await until(lambda: not presenter.screen.busy, pilot)
        await pilot.press("r")
        await until(lambda: "Running step 1" in _text(screen, "#lesson-verdict"), watcher)
        runner.gate.set()
        await until(lambda: "Passed" in _text(screen, "#lesson-verdict"), watcher)
        # The run's trace, read back from the sandbox: every call of it.
        assert f"({len(TRACE)} calls)" in _text(screen, "#lesson-verdict")
        assert screen.call_map.trace_id == TRACE[0].trace_id
        await pilot.press("n", "r", "p")  # step 2 fails; the presenter's notes on
        await until(lambda: "Not yet" in _text(screen, "#lesson-verdict"), watcher)
        verdict = _text(screen, "#lesson-verdict")
        assert "marketplace -> bank POST /v1.0/transfer-va/create-va 2xx" in verdict
        assert "The storefront never touches money." in verdict
        assert _text(screen, "#lesson-step").startswith("Step 2 of 3 · ")
        notes = screen.query_one("#lesson-notes", Markdown)
        assert not notes.display and "Pause here" not in notes.source
        # Looking at the map meanwhile, then 8: back to the presenter's step.
        await watcher.press("1")
        await watcher.pause()
        await watcher.press("8")
        await until(lambda: follower.screen is screen, watcher)
    assert session.index == 1
    await backend.aclose()


async def test_a_lesson_from_elsewhere_shows_its_titles(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path)
    follower = follower_of(backend)
    shown = ShownLesson("", "en", "Our own lesson", 4, 9, "Ask the bank twice")
    async with follower.run_test(size=SIZE) as watcher:
        await backend.show_stage(StageView("lesson", lesson=shown))
        await until(lambda: isinstance(follower.screen, FollowedLessonScreen), watcher)
        screen = follower.screen
        assert isinstance(screen, FollowedLessonScreen)
        await until(lambda: "Ask the bank" in _text(screen, "#lesson-step"), watcher)
        assert _text(screen, "#lesson-step") == "Step 5 of 9 · Ask the bank twice"
        assert "not run this step" in _text(screen, "#lesson-verdict")
    await backend.aclose()


def test_a_follower_in_indonesian_is_told_where_the_presenter_is() -> None:
    i18n.set_language("id")
    try:
        assert follower_title(True, StageView("faces"), FOLLOWING_MODES) == (
            "hanya baca: mengikuti penyaji, kini di Aplikasi"
        )
        assert follower_title(False, StageView("map"), FOLLOWING_MODES) == (
            "hanya baca: tidak mengikuti penyaji (0 untuk mengikuti lagi)"
        )
        assert follower_title(True, StageView("map"), FOLLOWING_MODES) == (
            "hanya baca: mengikuti penyaji"
        )
    finally:
        i18n.set_language("en")


def _text(screen: Screen[object], selector: str) -> str:
    """What a Static shows ("" before the screen composed it)."""
    try:
        content = screen.query_one(selector, Static).content
    except NoMatches:
        return ""
    return getattr(content, "plain", str(content))
