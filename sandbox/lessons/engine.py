"""LessonRunner: plays a lesson's steps against a running sandbox and judges their calls.

A step's action runs in its own trace; the runner then reads that trace back from the
sandbox, waiting up to `within` seconds for calls that arrive later (webhooks, retries), and
judges it with `matching`. Nothing here raises for a failed expectation or a service that is
down: the StepResult says what happened, in words a learner can act on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.language import texts
from sandbox.lessons.actions import ActionFailed, Outcome, Stage, perform, trace_calls
from sandbox.lessons.exercise import LEARNER, learner_file
from sandbox.lessons.known import persona_facts
from sandbox.lessons.matching import (
    ExpectationResult,
    Mismatch,
    SentFrom,
    outcomes,
    satisfied,
)
from sandbox.lessons.model import OUTCOMES, Expectation, Lesson, Step
from sandbox.lessons.progress import Progress
from sandbox.lessons.schema import CALL_KINDS, HUMAN_KEYS
from sandbox.runtime.remote import ControlClient, ControlError
from sandbox.runtime.remote_clock import RemoteClock
from sandbox.trace.events import HttpCall
from sandbox.trace.steps import format_step
from sandbox.trace.verdict import TRACE_ID, LessonVerdict
from sandbox.wire import Wire
from sandbox.wire.context import current_step

log = logging.getLogger(__name__)

__all__ = ["ExpectationResult", "LessonRunner", "Mismatch", "StepResult"]
DEFAULT_WITHIN = 5.0
EXERCISE_WITHIN = 1.0
"""An exercise's own calls are recorded before their answers reach the learner's code, so a
failing exercise step waits only a moment for what they caused (a webhook) by default."""
POLL_SECONDS = 0.1
SETTLE_SECONDS = 0.3
"""Looked again this long after the last positive expectation was met, before judging the
`never` ones: a forbidden call caused by a webhook comes a moment after the answer."""


@dataclass(frozen=True)
class StepResult:
    """What running one step produced."""

    step: Step
    ok: bool
    calls: tuple[HttpCall, ...]
    """Every call of the step's trace(s), in start order."""
    trace_ids: tuple[str, ...]
    failures: tuple[Mismatch, ...]
    error: str | None
    """The action itself could not run (service down, bad save path, learner's exception)."""
    hint: str | None
    """The next hint of the ladder, after a failed exercise."""
    output: str = ""
    """Text to show: the response, the story's narration, the audit report, exercise output."""
    checks: tuple[ExpectationResult, ...] = ()
    """Every expectation, met or not, with the call that shows it: goal versus actual."""
    learner_lines: dict[str, str] = field(default_factory=dict)
    """An exercise's calls: the span id each was sent with (the recorded call's `parent_id`)
    to the learner's line that sent it (`file.py line 12: ...`)."""

    def learner_line(self, call: HttpCall | None) -> str | None:
        """The line of the learner's file that made `call` (None for anyone else's call)."""
        if call is None or call.parent_id is None:
            return None
        return self.learner_lines.get(call.parent_id)


class LessonRunner:
    """Runs the steps of one lesson against one running sandbox."""

    def __init__(
        self,
        lesson: Lesson,
        *,
        urls: dict[str, str],
        control: ControlClient,
        world: dict[str, Any],
        data_dir: Path,
        solutions: bool = False,
        progress: Progress | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Args:
        urls: service name to base URL of the running sandbox.
        control: its control API client.
        data_dir: where progress, fallbacks and the learner's exercises live.
        solutions: run exercise steps with the lesson's reference solution (CI).
        progress: where failed attempts are counted (default: the learner's saved progress;
            `Progress.in_memory()` for a check that must leave it alone).
        clock: the sandbox's clock, when it runs in this process (`runtime.clock`), read
            directly. None follows the sandbox's clock over `control` (refreshed before every
            step): steps and exercises sign partner calls with it, since the institutions
            refuse a timestamp far from their clock, which may have been moved.
        """
        self.lesson = lesson
        self.data_dir = data_dir
        self.control = control
        self.progress = progress if progress is not None else Progress.load(data_dir)
        self._remote: RemoteClock | None = None
        """The clock followed over `control` (None when the runtime's own was given)."""
        if clock is None:
            clock = self._remote = RemoteClock(control)
        wire = Wire(clock=clock)  # the running sandbox records these calls on its side
        for name, url in urls.items():
            wire.set_url(name, url)
        self.stage = Stage(
            lesson, dict(urls), control, world, persona_facts(world), data_dir, wire, solutions
        )

    async def prepare(self) -> list[str]:
        """Before step 1: reset the world if the lesson asks, clear faults, check every service
        is healthy. Returns problems in plain words ([] when all is well)."""
        problems: list[str] = []
        self.stage.saved.clear()
        self.stage.traces.clear()
        self.stage.records.clear()  # the seeded world's audit record, again
        self.stage.rulesets.clear()
        await self._follow_clock()
        try:
            if self.lesson.reset:
                await self.control.reset()
            await self.control.clear_faults()
            services = {info.name: info.health for info in await self.control.services()}
        except ControlError as exc:
            return [f"the sandbox does not answer: {exc.message}"]
        for name, health in services.items():
            if health != "ok" and name in self._needed():
                problems.append(f"{name} is {health}")
        for name in sorted(self._needed() - set(services)):
            problems.append(f"the lesson needs {name}, which this sandbox does not run")
        for index in range(len(self.lesson.steps)):
            self.exercise_file(index)  # the learner's copy exists from the first step on
        return problems

    def exercise_file(self, index: int) -> Path | None:
        """The file the learner edits for step `index` (an exercise, or an audit of rules
        they write), created from the lesson's template if absent; None for other steps.
        The lesson screen can show it from the first step."""
        action = self.lesson.steps[index].action
        name = None
        if action is not None and action.kind == "exercise":
            name = str(action.spec["file"])
        elif action is not None and action.kind == "audit" and "rules" in action.spec:
            name = str(action.spec["rules"])
        template = self.lesson.folder / "exercise" / (name or "")
        if name is None or self.stage.solutions or not template.is_file():
            return None
        return learner_file(template, self.data_dir, self.lesson.slug)

    def _needed(self) -> set[str]:
        """Services the lesson's actions name (started ones only count once started)."""
        return {
            str(step.action.spec["service"])
            for step in self.lesson.steps
            if step.action and "service" in step.action.spec and step.action.kind != "start"
        }

    async def run_step(self, index: int) -> StepResult:
        """Run step `index` (0-based) and judge it; never raises for a failed expectation or
        a service that is down."""
        step = self.lesson.steps[index]
        if step.action is None:
            return StepResult(step, True, (), (), (), None, None)
        outcome = Outcome()
        calls: list[HttpCall] = []
        checks: list[ExpectationResult] = []
        error = None
        before = len(self.stage.traces)
        await self._follow_clock()
        said = current_step.set(format_step(self.lesson.slug, step.number, step.title))
        try:
            outcome = await perform(self.stage, step)
            expectations = tuple(
                _as_sent(self._filled(e), outcome.learner_spans) for e in step.expectations
            )
            if step.action.kind == "audit":
                checks = _judge_audit(expectations, outcome.audit, self.lesson.lang)
            elif step.action.kind in CALL_KINDS:
                default = EXERCISE_WITHIN if step.action.kind == "exercise" else DEFAULT_WITHIN
                calls = await self._collect(outcome.trace_ids, expectations, default)
                checks = outcomes(expectations, calls, self.lesson.lang)
        except ActionFailed as exc:
            error = str(exc)
            new = self.stage.traces[before:]
            outcome = Outcome(tuple(t for ids in new for t in ids), exc.output, lines=exc.lines)
            calls = await self._calls_quietly(new)
        except ControlError as exc:
            error = f"the sandbox did not answer: {exc.message}"
        finally:
            current_step.reset(said)
        failures = [c.failure for c in checks if c.failure is not None]
        ok = error is None and not failures
        result = StepResult(
            step,
            ok,
            tuple(calls),
            outcome.trace_ids,
            tuple(failures),
            error,
            None if ok else self._hint(index, step),
            outcome.output,
            tuple(checks),
            dict(outcome.lines),
        )
        if ok and calls:
            self._keep_fallback(index, calls)
        await self._report(result)
        return result

    async def _follow_clock(self) -> None:
        """Hear the attached sandbox's clock again (a presenter may have moved it since the
        last step); nothing to do for the runtime's own clock."""
        if self._remote is not None and not await self._remote.refresh():
            log.debug("the sandbox did not say its clock; signing with the last one heard")

    async def _report(self, result: StepResult) -> None:
        """Tell the sandbox the verdict, for a class's teacher (`sandbox.trace.verdict`):
        best effort, since the learner's own verdict does not depend on it."""
        first = result.failures[0] if result.failures else None
        said = result.error or (
            f"{first.expectation}: expected {first.expected}, got {first.happened}"
            if first is not None
            else ""
        )
        verdict = LessonVerdict(
            lesson=self.lesson.slug,
            step=result.step.number,
            title=result.step.title,
            verdict="passed" if result.ok else ("error" if result.error else "failed"),
            expectation=said,
            trace_id=next(
                (t for t in result.trace_ids if TRACE_ID.match(t)), secrets.token_hex(16)
            ),
            at=self.stage.wire.clock(),
        )
        try:
            await self.control.report_verdict(verdict)
        except ControlError as exc:
            log.debug("the verdict of step %d was not reported: %s", verdict.step, exc)

    def _filled(self, expectation: Expectation) -> Expectation:
        machine = {k: v for k, v in expectation.spec.items() if k not in HUMAN_KEYS}
        human = {k: v for k, v in expectation.spec.items() if k in HUMAN_KEYS}
        return Expectation({**self.stage.fill(machine), **human}, expectation.line)

    async def _collect(
        self,
        trace_ids: tuple[str, ...],
        expectations: tuple[Expectation, ...],
        default: float = DEFAULT_WITHIN,
    ) -> list[HttpCall]:
        """The traces' calls, re-read until every positive expectation is met or its own
        `within` seconds have passed."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        by_label = {str(e.spec["label"]): e for e in expectations if "label" in e.spec}
        while True:
            calls = await trace_calls(self.control, trace_ids)
            waiting = [
                float(e.spec.get("within", default))
                for e in expectations
                if not satisfied(e, calls, by_label)
            ]
            if not waiting:
                break
            if loop.time() - start >= max(waiting):
                return calls
            await asyncio.sleep(POLL_SECONDS)
        if any(e.spec.get("never") for e in expectations):
            await asyncio.sleep(SETTLE_SECONDS)
            calls = await trace_calls(self.control, trace_ids)
        return calls

    async def _calls_quietly(self, traces: list[tuple[str, ...]]) -> list[HttpCall]:
        try:
            return [c for ids in traces for c in await trace_calls(self.control, ids)]
        except ControlError:
            return []

    def _hint(self, index: int, step: Step) -> str | None:
        """After a failed exercise: the next rung of its hint ladder."""
        if not step.hints:
            return None
        attempts = self.progress.failed(self.lesson.slug, self.lesson.lang, index)
        return step.hints[min(attempts, len(step.hints)) - 1]

    def _fallback_path(self, index: int) -> Path:
        lesson = self.lesson
        return (
            self.data_dir
            / "lessons"
            / "fallbacks"
            / lesson.slug
            / lesson.lang
            / f"step-{lesson.steps[index].number:02d}.jsonl"
        )

    def _keep_fallback(self, index: int, calls: list[HttpCall]) -> None:
        path = self._fallback_path(index)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in calls),
            encoding="utf-8",
        )
        tmp.replace(path)

    def fallback(self, index: int) -> list[HttpCall]:
        """The calls of the last passing run of step `index` ([] if none)."""
        path = self._fallback_path(index)
        if not path.exists():
            return []
        return [
            HttpCall.from_dict(json.loads(line))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    async def aclose(self) -> None:
        """Close the runner's HTTP clients (the control client belongs to the caller)."""
        await self.stage.wire.aclose()


def _as_sent(expectation: Expectation, spans: frozenset[str]) -> Expectation:
    """In an exercise step, `caller = "learner"` is any call the learner's code sent: the trace
    names who the callee verified, and a call signed with a partner's key is that partner's."""
    if not spans or expectation.spec.get("caller") != LEARNER:
        return expectation
    spec = {**expectation.spec, "caller": SentFrom(LEARNER, spans)}
    return Expectation(spec, expectation.line)


def _judge_audit(
    expectations: tuple[Expectation, ...], report: Any, lang: str = "en"
) -> list[ExpectationResult]:
    """`{ rule, outcome }` expectations over an audit report ("pass" means "did not fail")."""
    from sandbox.audit.checks import FAIL

    verdicts = {r.rule.id: r for r in report.results} if report is not None else {}
    _ = texts("lessons", lang)
    results = []
    for expectation in expectations:
        rule, wanted = expectation.spec.get("rule"), expectation.spec.get("outcome", "pass")
        result = verdicts.get(str(rule))
        got = "fail" if result is not None and result.verdict == FAIL else "pass"
        named = _(OUTCOMES[wanted]) if wanted in ("pass", "fail") else wanted
        failure = None
        if result is None or got != wanted:
            happened = (
                f"{rule}: {_(OUTCOMES[result.verdict])}: {result.reason}"
                if result is not None
                else _("the audit has no rule {rule}").format(rule=rule)
            )
            failure = Mismatch(
                expectation.describe(lang),
                f"{rule} {named}",
                happened,
                str(expectation.spec.get("because", "")),
                None,
            )
        results.append(
            ExpectationResult(
                expectation.describe(lang), f"{rule} {named}", failure is None, None, failure
            )
        )
    return results
