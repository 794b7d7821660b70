"""The one call `sandbox learn` and `sandbox present` make to open a lesson in the UI."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import Backend
from sandbox.tui.lesson_session import LessonLike, LessonSession, ProgressLike, RunnerLike
from sandbox.tui.themes import DARK


def build_lesson_app(
    backend: Backend,
    lesson: LessonLike,
    runner: RunnerLike,
    progress: ProgressLike,
    *,
    lang: str = "en",
    presenter: bool = False,
    screenshot_dir: Path | None = None,
    animate: bool = True,
    live: bool = True,
    theme: str = DARK,
    next_lesson: str = "",
    glossary: Sequence[tuple[str, str]] = (),
) -> SandboxApp:
    """The sandbox UI opened on `lesson`: learn mode resumes saved progress, presenter mode
    starts at step 1 from a freshly prepared world. The app closes `runner` when it exits.

    Args:
        backend: The running sandbox (`RemoteBackend` in the CLI).
        lesson: The lesson in the language to show (`load_lesson(folder, lang)`).
        runner: Plays the steps (`LessonRunner`), created on the same sandbox as `backend`.
        progress: Where the learner is (`Progress.load(data_dir)`).
        lang: The UI's language; normally the lesson's.
        presenter: Presenter mode (`sandbox present`) instead of learn mode (`sandbox learn`).
    """
    session = LessonSession(
        lesson, runner, progress, presenter=presenter, next_lesson=next_lesson, glossary=glossary
    )
    return SandboxApp(
        backend,
        lang=lang,
        animate=animate,
        screenshot_dir=screenshot_dir,
        live=live,
        lesson=session,
        theme=theme,
    )
