"""Followers see what the presenter shows: the stage as a document, said and followed.

The presenter's UI (any `SandboxApp` that is not read-only) looks at what it shows every
`PUBLISH_SECONDS`: the mode, the trace open in the player and the call under its cursor, the
lesson step on screen and the verdict of its last run (`stage_view`). When that differs from
what it said last, a worker puts it on the control API (`PUT /stage`). Looking on a timer
coalesces a burst of key presses into one document and never runs inside a key's handler; a
failure is logged, never shown (the presenter has a room to talk to).

A follower's UI (`read_only=True`) asks for it every `FOLLOW_SECONDS` (answered "unchanged"
until the presenter moves) and goes where the presenter is: the same screen when a follower
may look at it (`read_only.FOLLOWING_MODES`), the same trace with the cursor on the same
arrow, the same lesson step with its verdict. The student's own keys still work in between;
the presenter's next move brings the page back, unless the student stopped following (`0`).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol, runtime_checkable

from sandbox.runtime.stage_view import (
    LANGS,
    MAX_FAILURES,
    MAX_OUTPUT,
    MAX_STEPS,
    MAX_TEXT,
    MAX_TRACES,
    MODES,
    SLUG,
    SPAN_ID,
    TRACE_ID,
    ShownFailure,
    ShownLesson,
    ShownVerdict,
    StageView,
)
from sandbox.tui.i18n import N_, _
from sandbox.tui.lesson_session import LessonSession

PUBLISH_SECONDS = 0.15
"""How often the presenter's UI looks at what it shows: changes within it are one document."""
RETRY_SECONDS = 5.0
"""After a failed publish (the sandbox away, no control token), wait this long to say it again."""
FOLLOW_SECONDS = 0.5
"""How often a follower asks what the presenter shows."""
MODE_NAMES = {
    "map": N_("Map"),
    "trace": N_("Trace"),
    "faces": N_("Apps"),
    "services": N_("Services"),
    "stories": N_("Stories"),
    "composer": N_("Composer"),
    "audit": N_("Audit"),
    "lesson": N_("Lesson"),
}
"""The modes as the footer names them (keys 1 to 8)."""

_TRACE_ID, _SPAN_ID, _SLUG = re.compile(TRACE_ID), re.compile(SPAN_ID), re.compile(SLUG)


class Cursor(NamedTuple):
    """Where the trace player is: the trace, the call under its cursor, which of its arrows."""

    trace_id: str
    span_id: str | None
    response: bool


@runtime_checkable
class ShowsTrace(Protocol):
    """A screen with a trace player (the trace screen)."""

    def stage_cursor(self) -> Cursor | None: ...


def _cut(text: str | None, length: int = MAX_TEXT) -> str:
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


def shown_lesson(session: LessonSession, *, running: bool = False) -> ShownLesson:
    """The lesson on screen and its step's verdict, as followers are told it: never the
    presenter's notes, every text cut to what the control API takes."""
    lesson, step, result = session.lesson, session.step, session.result
    verdict = None
    if running:
        verdict = ShownVerdict(state="running")
    elif result is not None:
        failures = tuple(
            ShownFailure(
                expectation=_cut(m.expectation),
                expected=_cut(m.expected),
                happened=_cut(m.happened),
                because=_cut(m.because),
            )
            for m in list(result.failures)[:MAX_FAILURES]
        )
        verdict = ShownVerdict(
            state="passed" if result.ok else "failed",
            error=_cut(result.error),
            failures=failures,
            output=_cut(result.output, MAX_OUTPUT),
            trace_ids=tuple(t for t in result.trace_ids if _TRACE_ID.fullmatch(t))[:MAX_TRACES],
        )
    return ShownLesson(
        slug=lesson.slug if _SLUG.fullmatch(lesson.slug) else "",  # a teacher's own folder
        lang=lesson.lang if lesson.lang in LANGS else "en",
        title=_cut(lesson.title),
        step=max(0, min(session.index, MAX_STEPS - 1)),
        steps=max(0, min(session.total, MAX_STEPS)),
        step_title=_cut(step.title if step is not None else ""),
        verdict=verdict,
    )


def stage_view(mode: str, screen: object, session: LessonSession | None) -> StageView | None:
    """What a UI in `mode`, showing `screen` (the mode's own screen), with `session` open,
    shows the room; None before it shows a mode."""
    if mode not in MODES:
        return None
    running = mode == "lesson" and bool(getattr(screen, "running", False))
    lesson = shown_lesson(session, running=running) if session is not None else None
    cursor = screen.stage_cursor() if isinstance(screen, ShowsTrace) else None
    if cursor is None or not _TRACE_ID.fullmatch(cursor.trace_id):
        return StageView(mode, lesson=lesson)
    span = cursor.span_id if cursor.span_id and _SPAN_ID.fullmatch(cursor.span_id) else None
    return StageView(mode, cursor.trace_id, span, cursor.response and span is not None, lesson)


def follower_title(following: bool, view: StageView | None, followable: frozenset[str]) -> str:
    """A follower's sub-title: why the screen moves on its own, or that it no longer does."""
    if not following:
        return _("read-only: not following the presenter (0 follows again)")
    if view is not None and view.mode not in followable:
        screen = MODE_NAMES.get(view.mode)
        if screen is not None:
            return _("read-only: following the presenter, now on {screen}").format(screen=_(screen))
    return _("read-only: following the presenter")
