"""`sandbox lesson check`: run lessons headless against a fresh sandbox and report plainly.

One runtime serves every lesson that needs the same services (the world is reset between
lessons), so checking all lessons in both languages in CI costs one start-up, not one per run.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_SEED, Settings
from sandbox.language import texts
from sandbox.lessons.engine import LessonRunner, StepResult
from sandbox.lessons.loader import find_lesson, load_lesson
from sandbox.lessons.model import LANGS, Lesson, LessonError
from sandbox.lessons.progress import Progress

MAX_OUTPUT_LINES = 12
"""Lines of a failed step's output (response, story, learner's prints) shown in a report."""


@dataclass(frozen=True)
class LessonCheck:
    """One lesson run in one language."""

    slug: str
    lang: str
    title: str
    results: tuple[StepResult, ...] = ()
    problems: tuple[str, ...] = ()
    """Why the lesson could not run (a broken file, an unhealthy sandbox)."""

    @property
    def ok(self) -> bool:
        """True when the lesson ran and every step passed."""
        return not self.problems and all(r.ok for r in self.results)


@dataclass(frozen=True)
class CheckReport:
    """Every lesson run of one `sandbox lesson check`."""

    lessons: tuple[LessonCheck, ...]

    @property
    def ok(self) -> bool:
        """True when every lesson passed."""
        return all(lesson.ok for lesson in self.lessons)

    def render(self) -> str:
        """The report as text: one line per lesson, details under each failure, each lesson in
        its own language (the summary too, when every lesson is in one)."""
        lines = []
        for check in self.lessons:
            lang = check.lang
            _ = texts("lessons", lang)
            mark = _("PASS") if check.ok else _("FAIL")
            count = len(check.results)
            run = _.ngettext("{count} step run", "{count} steps run", count).format(count=count)
            lines.append(f"{mark} {check.slug} [{lang}] {check.title} ({run})")
            lines.extend(f"  {problem}" for problem in check.problems)
            for result in check.results:
                if not result.ok:
                    lines.extend(_failure(result, lang))
        passed, total = sum(c.ok for c in self.lessons), len(self.lessons)
        langs = {c.lang for c in self.lessons}
        _ = texts("lessons", langs.pop() if len(langs) == 1 else "en")
        summary = _.ngettext(
            "{passed} of {total} lesson run passed.",
            "{passed} of {total} lesson runs passed.",
            total,
        )
        lines.append(summary.format(passed=passed, total=total))
        return "\n".join(lines)


def _failure(result: StepResult, lang: str = "en") -> list[str]:
    step = result.step
    _ = texts("lessons", lang)
    where = _("step {number}. {title} (line {line})")
    lines = ["  " + where.format(number=step.number, title=step.title, line=step.line)]
    if result.error:
        lines.append("    " + _("error: {error}").format(error=result.error))
    for failure in result.failures:
        lines.append(
            "    " + _("expectation: {expectation}").format(expectation=failure.expectation)
        )
        lines.append("      " + _("expected: {expected}").format(expected=failure.expected))
        lines.append("      " + _("happened: {happened}").format(happened=failure.happened))
        if failure.because:
            lines.append("      " + _("because: {because}").format(because=failure.because))
    if result.hint:
        lines.append("    " + _("hint: {hint}").format(hint=result.hint))
    shown = result.output.splitlines()
    if shown:
        lines.append("    " + _("output:"))
        lines.extend(f"      {line}" for line in shown[:MAX_OUTPUT_LINES])
        more = len(shown) - MAX_OUTPUT_LINES
        if more > 0:
            cut = _.ngettext("... ({count} more line)", "... ({count} more lines)", more)
            lines.append("      " + cut.format(count=more))
    return lines


def sandbox_config(config: Path | None) -> Any:
    """The one place that chooses the services a lesson runs against: the built-in ones, or
    those of the lesson's sandbox.toml."""
    from sandbox.runtime.config_file import DEFAULT, load_config

    return DEFAULT if config is None else load_config(config, confined=True)


def check_lessons(
    names: Sequence[str | Path],
    langs: Sequence[str] | str = LANGS,
    *,
    root: Path | None = None,
    data_dir: Path | None = None,
    solutions: bool = False,
    seed: int = DEFAULT_SEED,
) -> CheckReport:
    """Run lessons (by name, number or folder) in each language against fresh sandboxes.

    Args:
        data_dir: the learner's data directory (their exercise files and the steps'
            fallbacks; never their progress, which a check leaves as it was); None keeps
            everything in the temporary sandbox.
        solutions: run exercise steps with each lesson's reference solution (CI).
    """
    langs = (langs,) if isinstance(langs, str) else tuple(langs)
    checks: dict[tuple[str, str], LessonCheck] = {}
    groups: dict[Path | None, list[Lesson]] = {}
    order: list[tuple[str, str]] = []
    for name in names:
        folder = Path(name) if isinstance(name, Path) else find_lesson(name, root)
        for lang in langs:
            order.append((folder.name, lang))
            try:
                lesson = load_lesson(folder, lang)
            except LessonError as exc:
                checks[(folder.name, lang)] = LessonCheck(folder.name, lang, "", (), (str(exc),))
                continue
            groups.setdefault(lesson.config, []).append(lesson)
    for config, lessons in groups.items():
        for check in _run_group(config, lessons, data_dir, solutions, seed):
            checks[(check.slug, check.lang)] = check
    return CheckReport(tuple(checks[key] for key in order))


def _run_group(
    config: Path | None, lessons: list[Lesson], data_dir: Path | None, solutions: bool, seed: int
) -> list[LessonCheck]:
    """Start one sandbox for lessons needing the same services, run them, stop it."""
    from sandbox.runtime.supervisor import Runtime

    with tempfile.TemporaryDirectory(prefix="sandbox-lesson-check-") as tmp:
        try:
            runtime = Runtime(
                Settings(data_dir=Path(tmp), port_base=0, seed=seed), sandbox_config(config)
            )
            runtime.start_in_thread()
        except Exception as exc:  # a config or port problem: every lesson of the group fails
            return [
                LessonCheck(
                    lesson.slug,
                    lesson.lang,
                    lesson.title,
                    (),
                    (f"the sandbox could not start: {exc}",),
                )
                for lesson in lessons
            ]
        try:
            return asyncio.run(_run_all(runtime, lessons, data_dir or Path(tmp), solutions))
        finally:
            runtime.stop_thread()


async def _run_all(
    runtime: Any, lessons: list[Lesson], data_dir: Path, solutions: bool
) -> list[LessonCheck]:
    """Run each lesson; the learner's progress is never read or written (a check is not
    learning: `sandbox learn` must open where the learner stopped, not where a check did)."""
    from sandbox.runtime.remote import ControlClient

    checks = []
    async with ControlClient(runtime.control_url, token=runtime.control_token) as control:
        for lesson in lessons:
            if not lesson.reset:
                await control.reset()  # every lesson starts from the seeded world here
            runner = LessonRunner(
                lesson,
                urls=dict(runtime.urls),
                control=control,
                world=runtime.world,
                data_dir=data_dir,
                solutions=solutions,
                progress=Progress.in_memory(),
                clock=runtime.clock,  # in this process: read it, never ask over HTTP
            )
            try:
                checks.append(await run_lesson(runner))
            finally:
                await runner.aclose()
    return checks


async def run_lesson(runner: LessonRunner) -> LessonCheck:
    """Prepare and run every step of the runner's lesson, stopping at the first failure
    (later steps build on earlier ones)."""
    lesson = runner.lesson
    problems = await runner.prepare()
    if problems:
        return LessonCheck(lesson.slug, lesson.lang, lesson.title, (), tuple(problems))
    results = []
    for index in range(len(lesson.steps)):
        result = await runner.run_step(index)
        results.append(result)
        if not result.ok:
            break
    return LessonCheck(lesson.slug, lesson.lang, lesson.title, tuple(results))
