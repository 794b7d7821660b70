"""A small lesson, a scripted runner and in-memory progress, for the lesson screens' tests.

They have the shapes of `sandbox.lessons` (Lesson, Step, StepResult, Mismatch, LessonRunner,
Progress) so the screens are tested against the same protocol the engine satisfies.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.trace.events import HttpCall
from sandbox.tui.lesson_launch import build_lesson_app
from sandbox.tui.lesson_session import LessonSession
from tests.tui.factory import LocalBackend

TRACE = [
    HttpCall.from_dict(d)
    for d in json.loads(
        (Path(__file__).parent / "data" / "checkout.json").read_text(encoding="utf-8")
    )
]


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    spec: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    title: str
    narration: str
    notes: str = ""
    action: Action | None = None
    expectations: tuple[Any, ...] = ()
    hints: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Lesson:
    slug: str
    number: int
    lang: str
    title: str
    intro: str
    minutes: int
    reset: bool
    config: Path | None
    steps: tuple[Step, ...]
    path: Path


@dataclass(frozen=True)
class Mismatch:
    expectation: str
    expected: str
    happened: str
    because: str
    call: HttpCall | None


@dataclass(frozen=True)
class StepResult:
    step: Step
    ok: bool
    calls: tuple[HttpCall, ...]
    trace_ids: tuple[str, ...]
    failures: tuple[Mismatch, ...]
    error: str | None
    hint: str | None
    output: str = ""


STEPS = (
    Step(
        1,
        "The marketplace asks the bank for a virtual account",
        "The buyer taps **Buy**. The marketplace, not the video app, creates the order and "
        "asks the bank for a *virtual account*.",
        notes="Pause here and ask the room who holds the buyer's money now.",
        action=Action("request"),
    ),
    Step(
        2,
        "Write the checkout yourself",
        "Write `checkout()` so that the order is created by the marketplace.",
        action=Action("exercise"),
        hints=(
            "Concept: the order belongs to the marketplace.",
            "Look at the call that creates the order.",
            "POST /v1/orders needs the header Idempotency-Key.",
        ),
    ),
    Step(3, "What the bank never learns", "The bank never sees what was bought."),
)
LESSON = Lesson(
    "03-paying-without-leaving",
    3,
    "en",
    "Paying without leaving",
    "You will watch a buyer pay without leaving the video app.",
    10,
    True,
    None,
    STEPS,
    Path("lessons/03-paying-without-leaving/en.md"),
)


def passed(index: int, calls: list[HttpCall] | None = None) -> StepResult:
    """A passing result of step `index` with the checkout's calls."""
    chosen = tuple(TRACE[:4] if calls is None else calls)
    return StepResult(STEPS[index], True, chosen, (TRACE[0].trace_id,), (), None, None)


def failed(index: int) -> StepResult:
    """A failing result of step `index`: the bank was never asked for a VA."""
    miss = Mismatch(
        "marketplace -> bank POST /v1.0/transfer-va/create-va 2xx",
        "a call marketplace -> bank POST /v1.0/transfer-va/create-va answered 2xx",
        "no call; closest: social -> marketplace POST /v1/orders 201",
        "The storefront never touches money.",
        TRACE[0],
    )
    return StepResult(STEPS[index], False, (TRACE[0],), (TRACE[0].trace_id,), (miss,), None, None)


class FakeRunner:
    """Answers each step with scripted results (the last one repeats); passes by default."""

    def __init__(
        self,
        script: dict[int, list[Any]] | None = None,
        problems: list[str] | None = None,
        fallbacks: dict[int, list[HttpCall]] | None = None,
    ) -> None:
        self.script = script or {}
        self.problems = problems or []
        self.fallbacks = fallbacks or {}
        self.ran: list[int] = []
        self.prepared = 0
        self.closed = False
        self.gate: asyncio.Event | None = None
        """When set to an Event, run_step waits for it (a step that takes a while)."""
        self.prepare_gate: asyncio.Event | None = None
        """When set to an Event, prepare waits for it (a slow reset)."""

    async def prepare(self) -> list[str]:
        self.prepared += 1
        if self.prepare_gate is not None:
            await self.prepare_gate.wait()
        return list(self.problems)

    async def run_step(self, index: int) -> StepResult:
        self.ran.append(index)
        if self.gate is not None:
            await self.gate.wait()
        answers = self.script.get(index)
        if not answers:
            return passed(index)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, StepResult)
        return answer

    def fallback(self, index: int) -> list[HttpCall]:
        return list(self.fallbacks.get(index, []))

    async def aclose(self) -> None:
        self.closed = True


class FakeProgress:
    """Progress in memory, recording every save."""

    def __init__(self, position: int = 0, done: bool = False) -> None:
        self.saved: dict[tuple[str, str], tuple[int, bool]] = {}
        self.records: list[tuple[int, bool]] = []
        if position or done:
            self.saved[(LESSON.slug, LESSON.lang)] = (position, done)

    def position(self, slug: str, lang: str) -> int:
        return self.saved.get((slug, lang), (0, False))[0]

    def completed(self, slug: str, lang: str) -> bool:
        return self.saved.get((slug, lang), (0, False))[1]

    def record(self, slug: str, lang: str, index: int, *, done: bool = False) -> None:
        self.saved[(slug, lang)] = (index, done)
        self.records.append((index, done))


def make_lesson_app(
    data_dir: Path,
    runner: FakeRunner | None = None,
    progress: FakeProgress | None = None,
    *,
    presenter: bool = False,
    live: bool = True,
    lang: str = "en",
) -> tuple[Any, LessonSession, FakeRunner]:
    """The real app over in-process institutions, opened on the fake lesson."""
    backend = LocalBackend(data_dir)
    runner = runner or FakeRunner()
    app = build_lesson_app(
        backend,
        LESSON,
        runner,
        progress or FakeProgress(),
        lang=lang,
        presenter=presenter,
        animate=False,
        live=live,
        screenshot_dir=data_dir / "shots",
    )
    assert app.lesson is not None
    return app, app.lesson, runner
