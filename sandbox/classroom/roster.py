"""The class as the board sees it: per student, where they are and their latest traces.

The receiver adds what each request carried from its own thread while the board reads
snapshots from the UI's: one lock, and `version` grows with every change so the board redraws
only when something arrived. Everything is bounded, since any machine on the class's network
may post: at most MAX_STUDENTS students, MAX_TRACES traces and MAX_CALLS calls per student
(the oldest traces go first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sandbox.classroom.spans import Received
from sandbox.trace.events import HttpCall
from sandbox.trace.steps import step_of
from sandbox.trace.verdict import LessonVerdict

MAX_STUDENTS = 500
MAX_TRACES = 20
MAX_CALLS = 2_000


@dataclass(frozen=True)
class StudentRow:
    """One line of the board."""

    name: str
    lesson: str
    """The lesson (or story) of the latest verdict, else of the latest step-labelled call."""
    step: int
    title: str
    verdict: str
    """`passed`, `failed`, `error`, or "" before any verdict."""
    expectation: str
    calls: int
    errors: int
    """Calls that failed or answered 5xx."""
    last_seen: float
    """`time.time()` when their sandbox last sent something."""
    latest_trace: str


@dataclass
class _Student:
    name: str
    verdict: LessonVerdict | None = None
    story: tuple[str, int, str] = ("", 0, "")
    story_at: float = 0.0
    calls: int = 0
    errors: int = 0
    last_seen: float = 0.0
    traces: OrderedDict[str, dict[str, HttpCall]] = field(default_factory=OrderedDict)
    started: dict[str, float] = field(default_factory=dict)
    """Each kept trace's latest call start: the latest trace is the one that moved last."""
    kept: int = 0

    def row(self) -> StudentRow:
        verdict = self.verdict
        if verdict is not None and verdict.at >= self.story_at:
            lesson, step, title = verdict.lesson, verdict.step, verdict.title
        else:
            lesson, step, title = self.story
        latest = max(self.started, key=self.started.__getitem__, default="")
        return StudentRow(
            name=self.name,
            lesson=lesson,
            step=step,
            title=title,
            verdict=verdict.verdict if verdict is not None else "",
            expectation=verdict.expectation if verdict is not None else "",
            calls=self.calls,
            errors=self.errors,
            last_seen=self.last_seen,
            latest_trace=latest,
        )


class Roster:
    """Every student heard from, safe to share between the receiver and the board."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._students: dict[str, _Student] = {}
        self.version = 0
        self.rejected = 0
        """Spans skipped as malformed or foreign, and students refused past MAX_STUDENTS."""

    def add(self, received: Received) -> None:
        """Take in what one request carried."""
        now = time.time()
        with self._lock:
            self.rejected += received.rejected
            for name in received.calls.keys() | received.verdicts.keys():
                student = self._student(name)
                if student is None:
                    self.rejected += len(received.calls.get(name, ()))
                    continue
                student.last_seen = now
                for call in received.calls.get(name, ()):
                    self._add_call(student, call)
                for verdict in received.verdicts.get(name, ()):
                    if student.verdict is None or verdict.at >= student.verdict.at:
                        student.verdict = verdict
            self.version += 1

    def rows(self) -> list[StudentRow]:
        """Every student, by name."""
        with self._lock:
            return [self._students[name].row() for name in sorted(self._students, key=str.lower)]

    def trace(self, name: str, trace_id: str) -> list[HttpCall]:
        """A kept trace of one student, in start order ([] when not kept)."""
        with self._lock:
            student = self._students.get(name)
            calls = student.traces.get(trace_id, {}) if student is not None else {}
            return sorted(calls.values(), key=lambda call: call.started_at)

    def latest_trace(self, name: str) -> str | None:
        with self._lock:
            student = self._students.get(name)
            if student is None or not student.started:
                return None
            return max(student.started, key=student.started.__getitem__)

    def _student(self, name: str) -> _Student | None:
        student = self._students.get(name)
        if student is None and len(self._students) < MAX_STUDENTS:
            student = self._students[name] = _Student(name)
        return student

    def _add_call(self, student: _Student, call: HttpCall) -> None:
        calls = student.traces.get(call.trace_id)
        if calls is None:
            calls = student.traces[call.trace_id] = {}
        if call.span_id in calls:
            return  # the same span posted twice (a retried post): counted once
        calls[call.span_id] = call
        student.kept += 1
        student.calls += 1
        if call.status is None or call.status >= 500:
            student.errors += 1
        student.started[call.trace_id] = max(
            student.started.get(call.trace_id, 0.0), call.started_at
        )
        step = step_of(call)
        if step is not None and call.started_at >= student.story_at:
            student.story, student.story_at = (
                (step.source, step.number, step.sentence),
                call.started_at,
            )
        while len(student.traces) > MAX_TRACES or student.kept > MAX_CALLS:
            oldest = min(student.started, key=student.started.__getitem__)
            student.kept -= len(student.traces.pop(oldest))
            del student.started[oldest]
