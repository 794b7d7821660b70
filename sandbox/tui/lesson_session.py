"""A lesson opened in the UI: the lesson, the runner that plays its steps, and saved progress.

The UI depends on the lessons engine only through the small protocols below, so screens can be
tested with a fake runner and the engine stays free to grow. `sandbox.lessons`' `Lesson`,
`LessonRunner`, `StepResult` and `Progress` satisfy them as they are.

`LessonSession` keeps what the screens share about the lesson being shown: which step is on
screen, the last result of each step, how many hints were asked for. It holds no Textual object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.trace.events import HttpCall


class ActionLike(Protocol):
    """A step's machine part (`[action]`)."""

    @property
    def kind(self) -> str: ...
    @property
    def spec(self) -> Mapping[str, Any]: ...


class StepLike(Protocol):
    """One `## N. Title` step of a lesson."""

    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def narration(self) -> str: ...
    @property
    def notes(self) -> str: ...
    @property
    def action(self) -> ActionLike | None: ...
    @property
    def hints(self) -> Sequence[str]: ...


class LessonLike(Protocol):
    """A lesson in one language."""

    @property
    def slug(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def intro(self) -> str: ...
    @property
    def steps(self) -> Sequence[StepLike]: ...


class MismatchLike(Protocol):
    """One failed expectation, in plain words."""

    @property
    def expectation(self) -> str: ...
    @property
    def expected(self) -> str: ...
    @property
    def happened(self) -> str: ...
    @property
    def because(self) -> str: ...
    @property
    def call(self) -> HttpCall | None: ...


class StepResultLike(Protocol):
    """What running a step produced."""

    @property
    def step(self) -> StepLike: ...
    @property
    def ok(self) -> bool: ...
    @property
    def calls(self) -> Sequence[HttpCall]: ...
    @property
    def trace_ids(self) -> Sequence[str]: ...
    @property
    def failures(self) -> Sequence[MismatchLike]: ...
    @property
    def error(self) -> str | None: ...
    @property
    def hint(self) -> str | None: ...
    @property
    def output(self) -> str: ...


@dataclass(frozen=True)
class FailedRun:
    """A step that could not run at all (the sandbox or an institution failed under it), as a
    result the screens show like any other: the words say why, nothing ran to judge."""

    step: StepLike
    error: str
    ok: bool = False
    calls: Sequence[HttpCall] = ()
    trace_ids: Sequence[str] = ()
    failures: Sequence[MismatchLike] = ()
    hint: str | None = None
    output: str = ""


class RunnerLike(Protocol):
    """Plays a lesson's steps against the running sandbox (`sandbox.lessons.LessonRunner`)."""

    async def prepare(self) -> list[str]: ...
    async def run_step(self, index: int) -> StepResultLike: ...
    def fallback(self, index: int) -> list[HttpCall]: ...
    async def aclose(self) -> None: ...


class ProgressLike(Protocol):
    """The last step reached per lesson and language (`sandbox.lessons.Progress`)."""

    def position(self, slug: str, lang: str) -> int: ...
    def completed(self, slug: str, lang: str) -> bool: ...
    def record(self, slug: str, lang: str, index: int, *, done: bool = False) -> None: ...


@dataclass
class LessonSession:
    """The lesson on screen and where the person is in it."""

    lesson: LessonLike
    runner: RunnerLike
    progress: ProgressLike
    presenter: bool = False
    """Presenter mode starts at step 1 every time and does not move the learner's progress."""
    index: int = 0
    """0-based index of the step on screen."""
    results: dict[int, StepResultLike] = field(default_factory=dict)
    """The latest result of each step run in this session."""
    hints_shown: dict[int, int] = field(default_factory=dict)
    """How many hints of each step's ladder are on screen."""
    next_lesson: str = ""
    """What comes after this lesson ("4 · Storefront and platform"), for the completion."""
    glossary: Sequence[tuple[str, str]] = ()
    """The lessons' words and what they mean, in the lesson's language (`w` shows them)."""

    def exercise_file(self) -> str:
        """The file the learner edits in the step on screen ("" for a step without one),
        shown from the first step so nobody waits for a failure to learn where it is."""
        find = getattr(self.runner, "exercise_file", None)
        if find is None or not self.total:
            return ""
        try:
            path = find(self.index)
        except (OSError, LookupError, ValueError):
            return ""
        return str(path) if path is not None else ""

    def __post_init__(self) -> None:
        if not self.presenter:
            saved = self.progress.position(self.lesson.slug, self.lesson.lang)
            self.index = self.clamp(saved)

    @property
    def total(self) -> int:
        """How many steps the lesson has."""
        return len(self.lesson.steps)

    @property
    def step(self) -> StepLike | None:
        """The step on screen (None for a lesson without steps)."""
        return self.lesson.steps[self.index] if self.total else None

    @property
    def next_step(self) -> StepLike | None:
        """The step after the one on screen, if any (presenter mode announces it)."""
        return self.lesson.steps[self.index + 1] if self.index + 1 < self.total else None

    @property
    def result(self) -> StepResultLike | None:
        """The latest result of the step on screen."""
        return self.results.get(self.index)

    def clamp(self, index: int) -> int:
        """`index` kept within the lesson's steps."""
        return max(0, min(index, self.total - 1))

    def go(self, index: int) -> bool:
        """Show step `index`; False when it is already showing or out of range."""
        target = self.clamp(index)
        if target == self.index or not 0 <= index < self.total:
            return False
        self.index = target
        self.save()
        return True

    def finish(self, result: StepResultLike, index: int) -> None:
        """Keep a step's result and save progress: a passed step moves the resume point on."""
        self.results[index] = result
        if result.ok and index == self.total - 1:
            self.save(done=True)
        elif result.ok and index == self.index:
            self.save(position=self.clamp(index + 1))
        else:
            self.save()

    def complete(self) -> None:
        """The learner reached the lesson's end: it counts as done (progress keeps it)."""
        self.save(position=self.index, done=True)

    def hints(self) -> tuple[str, ...]:
        """The hints of the step on screen that were asked for or earned by a failed run."""
        step = self.step
        if step is None:
            return ()
        return tuple(step.hints[: self.hints_shown.get(self.index, 0)])

    def more_hint(self) -> bool:
        """Show one more hint of the ladder; False when there is none left."""
        step = self.step
        shown = self.hints_shown.get(self.index, 0)
        if step is None or shown >= len(step.hints):
            return False
        self.hints_shown[self.index] = shown + 1
        return True

    def save(self, *, position: int | None = None, done: bool = False) -> None:
        """Record where the learner is (never in presenter mode: rehearsals are not learning)."""
        if self.presenter:
            return
        slug, lang = self.lesson.slug, self.lesson.lang
        done = done or self.progress.completed(slug, lang)
        self.progress.record(slug, lang, self.index if position is None else position, done=done)
