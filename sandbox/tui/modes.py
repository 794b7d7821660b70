"""The screens of the app's modes other than the map, made when a mode is first shown.

The map is the first screen; importing every other screen before it took about a third of the
UI's start, so each is imported the first time its mode shows (docs/performance.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from sandbox.tui.backend import Backend
from sandbox.tui.lesson_session import LessonSession


def later_screen(module: str, name: str, backend: Backend) -> Callable[[], Screen[Any]]:
    """A mode's screen, its module imported the first time the mode is shown."""

    def make() -> Screen[Any]:
        screen_class = getattr(importlib.import_module(f"sandbox.tui.screens.{module}"), name)
        screen: Screen[Any] = screen_class(backend)
        return screen

    return make


LATER_SCREENS = (
    ("trace", "trace", "TraceScreen"),
    ("faces", "faces", "FacesScreen"),
    ("services", "services", "ServicesScreen"),
    ("stories", "stories", "StoriesScreen"),
    ("composer", "composer", "ComposerScreen"),
    ("audit", "audit", "AuditScreen"),
)
"""(mode, module under sandbox.tui.screens, screen class) of every mode but the map."""


def lesson_screen(backend: Backend, lesson: LessonSession) -> Screen[None]:
    """The learner's or the presenter's lesson screen."""
    from sandbox.tui.screens.lesson import LessonScreen
    from sandbox.tui.screens.presenter import PresenterScreen

    return PresenterScreen(backend, lesson) if lesson.presenter else LessonScreen(backend, lesson)
