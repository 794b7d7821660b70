"""A lesson as plain data: its steps, their actions and the expectations on their calls."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.language import LANGUAGES, N_, texts

LANGS = LANGUAGES
"""Every lesson is written in English and in Bahasa Indonesia."""
OUTCOMES = {"pass": N_("pass"), "fail": N_("fail"), "not-applicable": N_("not applicable")}
"""An audit rule's verdicts, in words."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a lesson file, with where it is and how to fix it."""

    file: Path
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.file}:{self.line}: {self.message}{hint}"


class LessonError(Exception):
    """A problem in a lesson file; `str(e)` is `file:line: message (hint: ...)`."""

    def __init__(self, file: Path, line: int, message: str, hint: str = "") -> None:
        self.file, self.line, self.message, self.hint = file, line, message, hint
        super().__init__(str(Problem(file, line, message, hint)))

    @classmethod
    def of(cls, problem: Problem) -> LessonError:
        """The error for `problem`."""
        return cls(problem.file, problem.line, problem.message, problem.hint)


@dataclass(frozen=True, slots=True)
class Expectation:
    """One `[[expect]]` entry: which calls the step's action must (or must never) produce."""

    spec: dict[str, Any]
    line: int

    def describe(self, lang: str = "en") -> str:
        """The label, or words built from the keys ("marketplace -> bank POST /x 2xx"), in
        `lang`."""
        spec = self.spec
        if spec.get("label"):
            return str(spec["label"])
        _ = texts("lessons", lang)
        if "rule" in spec:
            outcome = str(spec.get("outcome", "pass"))
            named = _(OUTCOMES[outcome]) if outcome in ("pass", "fail") else outcome
            return _("audit rule {rule} {outcome}").format(rule=spec["rule"], outcome=named)
        caller, callee = spec.get("caller", _("anyone")), spec.get("callee") or _("any service")
        who = f"{caller} -> {callee}"
        parts = [
            who,
            str(spec.get("method", "")).upper(),
            str(spec.get("path", "")),
            str(spec.get("status", "")),
        ]
        text = " ".join(p for p in parts if p)
        if spec.get("never"):
            return _("no call {words}").format(words=text)
        if "count" in spec:
            return _("{words} (exactly {count})").format(words=text, count=spec["count"])
        return text


@dataclass(frozen=True, slots=True)
class Action:
    """The `[action]` table of a step: what the step does (see docs/lesson-format.md)."""

    kind: str
    spec: dict[str, Any]
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    """One `## N. Title` section of a lesson file."""

    number: int
    title: str
    narration: str
    """Markdown, without the TOML block and the presenter notes."""
    notes: str
    """Presenter notes (Markdown), "" if none."""
    action: Action | None
    expectations: tuple[Expectation, ...]
    hints: tuple[str, ...]
    """The exercise's hint ladder (concept, call, field), () if none."""
    line: int


@dataclass(frozen=True, slots=True)
class Lesson:
    """One lesson in one language."""

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

    @property
    def folder(self) -> Path:
        """The lesson folder (holding en.md, id.md, exercise/...)."""
        return self.path.parent
