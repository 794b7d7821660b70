"""The exercise track: small exercises, one concept each, in `exercises/`.

An exercise is a lesson folder like any other (Markdown in both languages, steps, TOML, a
template and its reference solution in `exercise/`), so the loader, the linter and the engine
serve it unchanged; usually one step runs the learner's function, after any setup steps. What
this module adds is the track around it: the list with the learner's place, a check of one or
all exercises, and a report that shows the first failing expectation with the learner's own
request and response (and the line of their file that sent it), collapsing the failures that
came after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.language import texts
from sandbox.lessons.check import CheckReport, LessonCheck
from sandbox.lessons.engine import StepResult
from sandbox.lessons.exercise import exercise_dir
from sandbox.lessons.loader import content_root, lesson_slugs, load_lesson
from sandbox.lessons.model import Lesson, LessonError
from sandbox.lessons.progress import Progress
from sandbox.trace.events import HttpCall

MAX_BODY = 600
"""Characters of a request or response body shown in a report."""
SHOWN_HEADERS = ("content-type", "authorization", "idempotency-key", "x-signature")
"""Request headers worth showing beside the body (recorded values are redacted)."""


def exercises_root() -> Path:
    """The repository's `exercises/`, or the copy packed inside the wheel."""
    return content_root("exercises")


@dataclass(frozen=True)
class Entry:
    """One exercise as `sandbox exercise list` shows it."""

    number: int
    slug: str
    title: str
    concept: str
    """The first sentence of its introduction."""
    file: Path | None
    """The learner's file (it exists once the exercise ran, or `watch` started it)."""
    status: str
    """`done`, `N attempts`, `-` (not tried) or `broken`."""

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON (`sandbox exercise list --json`)."""
        return {
            "number": self.number,
            "name": self.slug,
            "title": self.title,
            "concept": self.concept,
            "file": str(self.file) if self.file else None,
            "status": self.status,
        }


def exercise_file(lesson: Lesson, data_dir: Path) -> Path | None:
    """Where the learner writes the exercise (None for a lesson without one)."""
    for step in lesson.steps:
        if step.action is not None and step.action.kind == "exercise":
            return exercise_dir(data_dir, lesson.slug) / str(step.action.spec["file"])
    return None


def entries(root: Path, data_dir: Path, lang: str) -> list[Entry]:
    """Every exercise under `root` with the learner's place in it."""
    progress = Progress.load(data_dir)
    _ = texts("lessons", lang)
    found = []
    for slug in lesson_slugs(root):
        number = int(slug.split("-")[0]) if slug.split("-")[0].isdigit() else 0
        try:
            lesson = load_lesson(root / slug, lang)
        except LessonError:
            found.append(Entry(number, slug, slug, "", None, "broken"))
            continue
        tries = sum(progress.attempts(slug, lang, i) for i in range(len(lesson.steps)))
        if progress.completed(slug, lang):
            status = _("done")
        elif tries:
            status = _.ngettext("{count} try", "{count} tries", tries).format(count=tries)
        else:
            status = "-"
        concept = lesson.intro.split("\n\n")[0].replace("\n", " ")
        found.append(
            Entry(
                lesson.number, slug, lesson.title, concept, exercise_file(lesson, data_dir), status
            )
        )
    return found


def next_exercise(root: Path, data_dir: Path, lang: str) -> str | None:
    """The first exercise not done yet (None when every one is)."""
    progress = Progress.load(data_dir)
    for slug in lesson_slugs(root):
        if not progress.completed(slug, lang):
            return slug
    return None


def render(report: CheckReport) -> str:
    """A check of exercises: one line each, and under a failure its first failing expectation
    with the learner's request and response."""
    lines = []
    for check in report.lessons:
        lines.extend(render_one(check))
    passed, total = sum(c.ok for c in report.lessons), len(report.lessons)
    langs = {c.lang for c in report.lessons}
    _ = texts("lessons", langs.pop() if len(langs) == 1 else "en")
    summary = _.ngettext(
        "{passed} of {total} exercise run passed.",
        "{passed} of {total} exercise runs passed.",
        total,
    )
    lines.append(summary.format(passed=passed, total=total))
    return "\n".join(lines)


def render_one(check: LessonCheck, file: Path | None = None) -> list[str]:
    """One exercise run: PASS/FAIL, then what to fix first."""
    lang = check.lang
    _ = texts("lessons", lang)
    mark = _("PASS") if check.ok else _("FAIL")
    lines = [f"{mark} {check.slug} [{lang}] {check.title}"]
    if file is not None:
        lines.append("  " + _("your file: {file}").format(file=file))
    lines.extend(f"  {problem}" for problem in check.problems)
    failed = next((r for r in check.results if not r.ok), None)
    if failed is not None:
        lines.extend(first_failure(failed, lang))
    return lines


def first_failure(result: StepResult, lang: str) -> list[str]:
    """The first thing to fix in a failed step: the learner's error, or the first failing
    expectation with the call it is about; the failures after it are collapsed into one line
    (they usually follow from it)."""
    step = result.step
    _ = texts("lessons", lang)
    lines = ["  " + _("step {number}. {title}").format(number=step.number, title=step.title)]
    if result.error:
        lines.append("    " + _("error: {error}").format(error=result.error))
    elif result.failures:
        first = result.failures[0]
        lines.append("    " + _("expected: {expected}").format(expected=first.expected))
        lines.append("    " + _("happened: {happened}").format(happened=first.happened))
        if first.because:
            lines.append("    " + _("because: {because}").format(because=first.because))
        lines.extend(_the_call(result, first.call, lang))
        rest = len(result.failures) - 1
        if rest:
            collapsed = _.ngettext(
                "(+{count} more not met after this one: fix this one first)",
                "(+{count} more not met after this one: fix this one first)",
                rest,
            )
            lines.append("    " + collapsed.format(count=rest))
    shown = [line for line in result.output.splitlines() if line.strip()]
    if shown:
        lines.append("    " + _("your output:"))
        lines.extend(f"      {line}" for line in shown[-8:])
    if result.hint:
        lines.append("    " + _("hint: {hint}").format(hint=result.hint))
    return lines


def _the_call(result: StepResult, call: HttpCall | None, lang: str) -> list[str]:
    """The learner's line, request and response behind a failure."""
    if call is None:
        return []
    _ = texts("lessons", lang)
    lines = []
    mine = result.learner_line(call)
    if mine:
        lines.append("    " + _("your line: {line}").format(line=mine))
    request = f"{call.method} {call.path}"
    lines.append("    " + _("your request: {request}").format(request=request))
    for name, value in call.request_headers:
        if name.lower() in SHOWN_HEADERS:
            lines.append(f"      {name}: {value}")
    if call.request_body:
        lines.append(f"      {_cut(call.request_body)}")
    status = (
        call.status if call.status is not None else _("failed ({error})").format(error=call.error)
    )
    lines.append("    " + _("the answer: {status}").format(status=status))
    if call.response_body:
        lines.append(f"      {_cut(call.response_body)}")
    return lines


def _cut(text: str) -> str:
    text = text.replace("\r", "").replace("\n", " ")  # one line; spaces inside values stay
    return text if len(text) <= MAX_BODY else text[:MAX_BODY] + "..."


def record(progress: Progress, check: LessonCheck) -> None:
    """Keep a passed run of the learner's own file as done (the runner counts failed attempts,
    which climb the hint ladder). An exercise's name never equals a lesson's, so both keep
    their places in the same progress file."""
    if check.ok:
        progress.record(check.slug, check.lang, max(len(check.results) - 1, 0), done=True)


def names(root: Path, wanted: Sequence[str]) -> list[Path]:
    """The exercise folders for names, numbers or folders (LookupError for an unknown one)."""
    from sandbox.lessons.loader import find_lesson

    return [find_lesson(name, root) for name in wanted]
