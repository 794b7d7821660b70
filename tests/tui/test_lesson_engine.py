"""The lesson screens over the real lessons package: its LessonRunner, Progress and lessons."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Markdown, Static

from sandbox.lessons.engine import LessonRunner
from sandbox.lessons.loader import find_lesson, lesson_slugs, load_lesson
from sandbox.lessons.progress import Progress
from sandbox.runtime.models import ServiceInfo
from sandbox.runtime.remote import ControlError
from sandbox.tui import i18n
from sandbox.tui.lesson_launch import build_lesson_app
from sandbox.tui.screens.lesson import LessonScreen
from sandbox.tui.widgets.step_verdict import StepVerdict
from sandbox.wire.faults import Fault
from sandbox.world import load_world
from tests.tui.factory import LocalBackend, until
from tests.tui.lesson_fakes import FakeRunner

LESSON = """# Watching a fault

The bank is slowed down, and nothing calls it.

```toml
[lesson]
reset = true
```

## 1. Only words

Narration only.

## 2. Slow the bank

```toml
[action]
kind = "fault"
service = "bank"
latency_ms = 200
```

## 3. Wait for a call that never comes

```toml
[action]
kind = "wait"
seconds = 0.01

[[expect]]
callee = "bank"
within = 0.2
because = "Nothing in this lesson calls the bank."
```
"""


class FakeControl:
    """The part of the control API the runner uses; the sandbox has recorded no trace."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def reset(self) -> dict[str, Any]:
        self.asked.append("reset")
        return {"reset": True}

    async def clear_faults(self) -> None:
        self.asked.append("clear_faults")

    async def set_fault(self, service: str, fault: Fault) -> Fault:
        self.asked.append(f"set_fault {service}")
        return fault

    async def services(self) -> list[ServiceInfo]:
        return [ServiceInfo(name, name, "", "back", "", "", "ok") for name in ("social", "bank")]

    async def trace(self, trace_id: str) -> list[Any]:
        raise ControlError(f"No trace {trace_id!r} is stored.", 404, "unknown_trace")

    async def clock(self) -> dict[str, Any]:
        return {"now": "2026-12-12T02:00:00+00:00", "frozen": False, "offset_seconds": 0.0}

    async def report_verdict(self, verdict: Any) -> bool:
        self.asked.append(f"verdict {verdict.step} {verdict.verdict}")
        return False


def _verdict(app: Any) -> str:
    content = app.screen.query_one(StepVerdict).content
    return content.plain if isinstance(content, Text) else str(content)


async def test_the_real_runner_drives_the_lesson_screen(tmp_path: Path) -> None:
    folder = tmp_path / "01-watching-a-fault"
    folder.mkdir()
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(LESSON, encoding="utf-8")
    lesson = load_lesson(folder)
    control = FakeControl()
    data_dir = tmp_path / "data"
    runner = LessonRunner(
        lesson,
        urls={"social": "http://s", "bank": "http://b"},
        control=control,  # type: ignore[arg-type]
        world=load_world(),
        data_dir=data_dir,
    )
    backend = LocalBackend(tmp_path)
    app = build_lesson_app(backend, lesson, runner, Progress.load(data_dir), animate=False)
    session = app.lesson
    assert session is not None
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: isinstance(app.screen, LessonScreen) and not app.screen.busy, pilot)
        assert control.asked[:2] == ["reset", "clear_faults"]  # prepare() before step 1
        await pilot.press("n", "r")
        await until(lambda: session.result is not None, pilot)
        assert session.result is not None and session.result.ok
        assert "set_fault bank" in control.asked
        await pilot.press("n", "r")
        await until(lambda: session.result is not None, pilot)
        shown = _verdict(app)
        assert "Not yet: 1 expectation not met." in shown
        assert "happened: no call" in shown
        assert "because: Nothing in this lesson calls the bank." in shown
    assert Progress.load(data_dir).position(lesson.slug, "en") == 2
    await backend.aclose()


@pytest.mark.parametrize(
    ("slug", "lang"),
    [(slug, "en") for slug in lesson_slugs()] + [(lesson_slugs()[2], "id")],
)
async def test_every_step_of_the_real_lessons_renders(tmp_path: Path, slug: str, lang: str) -> None:
    """The real lessons' Markdown in the panel, step by step: every lesson in English, one in
    Indonesian (about 0.2 s a step, so not every lesson twice). One test per lesson, so the
    run's workers share them."""
    backend = LocalBackend(tmp_path)
    try:
        lesson = load_lesson(find_lesson(slug), lang)
        app = build_lesson_app(
            backend, lesson, FakeRunner(), _Fresh(), lang=lang, animate=False, live=False
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await until(partial(_on_lesson_screen, app), pilot)
            screen = app.screen
            assert isinstance(screen, LessonScreen)
            for index, step in enumerate(lesson.steps):
                await screen.go(index)
                await pilot.pause()
                heading = screen.query_one("#lesson-step", Static)
                assert step.title in str(heading.content), (slug, step.number)
                source = screen.query_one("#lesson-narration", Markdown).source
                assert step.narration.strip()[:40] in source, (slug, step.number)
    finally:
        i18n.set_language("en")
        await backend.aclose()


def _on_lesson_screen(app: Any) -> bool:
    return isinstance(app.screen, LessonScreen)


class _Fresh:
    """Progress of a learner who has not started anything."""

    def position(self, slug: str, lang: str) -> int:
        return 0

    def completed(self, slug: str, lang: str) -> bool:
        return False

    def record(self, slug: str, lang: str, index: int, *, done: bool = False) -> None:
        pass
