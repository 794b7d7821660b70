"""Doing what a step's `[action]` says, against a running sandbox.

Every action that makes calls runs under a fresh root span, so the step's calls are exactly
the calls of its trace(s); the engine then reads them back from the sandbox's trace store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from sandbox.language import LANGUAGES, texts
from sandbox.lessons.exercise import (
    Exercise,
    ExerciseFailed,
    learner_file,
    load_function,
    run_function,
)
from sandbox.lessons.model import Lesson, Step
from sandbox.lessons.values import MISSING, UnknownPlaceholder, dig, fill
from sandbox.runtime.remote import ControlClient, ControlError
from sandbox.scenarios.identities import Actor
from sandbox.wire import Wire
from sandbox.wire.context import current_span, root_span
from sandbox.wire.faults import Fault

MAX_OUTPUT = 2000
"""Characters of a response body shown as a step's output."""


class ActionFailed(Exception):
    """The action itself could not run (a service down, a missing saved value...)."""

    def __init__(self, message: str, output: str = "", lines: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.output = output
        """What the action showed before it failed (the learner's prints)."""
        self.lines = lines or {}
        """An exercise's calls so far: span id to the learner's line (see Outcome.lines)."""


@dataclass
class Outcome:
    """What an action did: its traces, text to show, and (for `audit`) the report."""

    trace_ids: tuple[str, ...] = ()
    output: str = ""
    audit: Any = None
    """The AuditReport of an `audit` action."""
    lines: dict[str, str] = field(default_factory=dict)
    """For an exercise: the span id each learner's call was sent with, to the line of the
    learner's file that sent it."""
    learner_spans: frozenset[str] = frozenset()
    """For an exercise: every span id the learner's calls were sent with, line known or not."""


@dataclass
class Stage:
    """What actions act on: the running sandbox and what the lesson has done so far."""

    lesson: Lesson
    urls: dict[str, str]
    control: ControlClient
    world: dict[str, Any]
    personas: dict[str, dict[str, Any]]
    data_dir: Path
    wire: Wire
    solutions: bool = False
    """Run exercises with the lesson's reference solution (CI) instead of the learner's file."""
    saved: dict[str, Any] = field(default_factory=dict)
    traces: list[tuple[str, ...]] = field(default_factory=list)
    """The trace ids of every step that made calls, in order."""
    records: list[Any] = field(default_factory=list)
    """The lesson's own audit records (AuditRecord), newest last: the seeded world's at the
    start, then each audit a step recorded. Never the learner's audits.json, so a rehearsal
    always starts from the same audited system."""
    rulesets: list[Any] = field(default_factory=list)
    """Rule sets the learner wrote (`rules = "x.toml"`), audited from then on (RuleSet)."""

    def learner_copy(self, name: str) -> Path:
        """The file the learner edits for `name` (or the lesson's reference solution)."""
        folder = self.lesson.folder / "exercise"
        if self.solutions:
            return folder / "solution" / name
        return learner_file(folder / name, self.data_dir, self.lesson.slug)

    @property
    def lang(self) -> str:
        """The language the sandbox speaks in this lesson: the lesson file's own."""
        return self.lesson.lang if self.lesson.lang in LANGUAGES else "en"

    def scope(self) -> dict[str, Any]:
        """What `{{ placeholders }}` may name."""
        return {"personas": self.personas, "saved": self.saved, "urls": self.urls}

    def fill(self, value: Any) -> Any:
        """`value` with its placeholders replaced, or ActionFailed naming the missing one."""
        try:
            return fill(value, self.scope())
        except UnknownPlaceholder as exc:
            raise ActionFailed(f"{exc}: run the earlier step that saves it first") from None


async def perform(stage: Stage, step: Step) -> Outcome:
    """Run the step's action; raises ActionFailed when it cannot run."""
    assert step.action is not None
    kind, spec = step.action.kind, step.action.spec
    try:
        if kind == "request":
            return await _request(stage, spec)
        if kind == "story":
            return await _story(stage, spec, bool(step.expectations))
        if kind == "exercise":
            return await _exercise(stage, spec)
        if kind == "fault":
            return await _fault(stage, spec)
        if kind == "reset":
            await stage.control.reset()
            return Outcome(output="The seeded world is restored in every service.")
        if kind == "start":
            return await _start(stage, str(spec["service"]))
        if kind == "audit":
            return await _audit(stage, spec)
        if kind == "wait":
            await asyncio.sleep(float(spec["seconds"]))
            return Outcome(stage.traces[-1] if stage.traces else ())
    except ControlError as exc:
        raise ActionFailed(f"the sandbox refused: {exc.message}") from None
    except httpx.TransportError as exc:
        raise ActionFailed(f"a service could not be reached: {exc or type(exc).__name__}") from None
    raise ActionFailed(f"unknown action kind {kind!r}")


async def _request(stage: Stage, spec: dict[str, Any]) -> Outcome:
    service = str(spec["service"])
    if service not in stage.urls:
        raise ActionFailed(f"this sandbox does not run {service}")
    path, body = stage.fill(spec["path"]), stage.fill(spec.get("body"))
    path = _on_service(str(path), service, stage.urls[service])
    headers = {k: str(v) for k, v in stage.fill(spec.get("headers", {})).items()}
    span = root_span()
    token = current_span.set(span)
    try:
        response = await Actor(stage.wire, stage.world, str(spec["as"])).request(
            service, str(spec["method"]).upper(), path, json=body, headers=headers
        )
    finally:
        current_span.reset(token)
    stage.traces.append((span.trace_id,))
    output = f"{spec['method']} {path} -> HTTP {response.status_code}\n{_show(response.text)}"
    _save(stage, spec.get("save"), response)
    return Outcome((span.trace_id,), output)


def _on_service(path: str, service: str, base: str) -> str:
    """`path` as sent to `service`: a path as is, or a URL the service itself handed out (a
    checkout page's `checkout_url`) cut to its path; a URL elsewhere is refused."""
    if not path.startswith(("http://", "https://")):
        return path
    url, own = urlsplit(path), urlsplit(base)
    if (url.scheme, url.netloc) != (own.scheme, own.netloc):
        raise ActionFailed(
            f"{path} is not at {service} ({base}); a request goes to the service it names"
        )
    return (url.path or "/") + (f"?{url.query}" if url.query else "")


def _show(text: str) -> str:
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=1, ensure_ascii=False)
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "\n..."


def _save(stage: Stage, save: dict[str, str] | None, response: httpx.Response) -> None:
    if not save:
        return
    try:
        data = response.json()
    except ValueError:
        data = MISSING
    for name, path in save.items():
        value = dig(data, path)
        if value is MISSING:
            raise ActionFailed(
                f"cannot save {name}: the response (HTTP {response.status_code}) "
                f"has no {path}: {response.text[:200]}"
            )
        stage.saved[name] = value


async def _story(stage: Stage, spec: dict[str, Any], judged: bool) -> Outcome:
    from sandbox.scenarios import SCENARIOS, TAKES_PHONE, PhoneReader, StoryFailed

    lines: list[str] = []
    traces: list[str] = []

    async def note_trace(_: str) -> None:
        span = current_span.get()  # the gate runs inside the story's span
        if span is not None and span.trace_id not in traces:
            traces.append(span.trace_id)

    failed = None
    lang = stage.lang
    name = str(spec["story"])
    options: dict[str, Any] = {"pay": str(spec["pay"])} if "pay" in spec else {}
    if name in TAKES_PHONE:  # her phone, read through the control API (not a call)
        options["phone"] = PhoneReader(stage.control.sms)
    try:
        story = await SCENARIOS[name](
            stage.wire, stage.world, lines.append, gate=note_trace, lang=lang, **options
        )
    except StoryFailed as exc:
        failed = str(exc)
        _ = texts("lessons", lang)
        lines.append(_("The story stopped: {reason}").format(reason=failed))
    stage.traces.append(tuple(traces))
    if failed is not None:
        if not judged:
            raise ActionFailed(f"the story {spec['story']} stopped: {failed}")
        return Outcome(tuple(traces), "\n".join(lines))
    for name, key in spec.get("save", {}).items():
        if key not in story.facts:
            raise ActionFailed(
                f"the story found no {key} to save as {name}; it found: "
                f"{', '.join(story.facts) or 'nothing'}"
            )
        stage.saved[name] = story.facts[key]
    return Outcome(tuple(traces), "\n".join(lines))


async def _exercise(stage: Stage, spec: dict[str, Any]) -> Outcome:
    path = stage.learner_copy(str(spec["file"]))
    span = root_span()
    stage.traces.append((span.trace_id,))
    output: list[str] = []
    lines: dict[str, str] = {}
    spans: set[str] = set()
    for _ in range(int(spec.get("repeat", 1))):  # each run is a fresh phone: losses start over
        exercise = Exercise(
            stage.urls,
            stage.personas,
            span.trace_id,
            partners=stage.world["partners"],
            path=path,
            lose=spec.get("lose"),
            clock=stage.wire.clock,
        )
        try:
            function = load_function(path, str(spec["function"]), output)
            await run_function(function, exercise, path, float(spec.get("timeout", 10)))
        except ExerciseFailed as exc:
            lines.update(exercise.lines)
            raise ActionFailed(str(exc), _ran(output, spec, path, stage.lang), lines) from None
        finally:
            await exercise.aclose()
        lines.update(exercise.lines)
        spans |= exercise.spans
    return Outcome(
        (span.trace_id,),
        _ran(output, spec, path, stage.lang),
        lines=lines,
        learner_spans=frozenset(spans),
    )


def _ran(output: list[str], spec: dict[str, Any], path: Path, lang: str) -> str:
    """The learner's prints, then which file ran (so they know which file to edit)."""
    _ = texts("lessons", lang)
    ran = _("(ran {function}() from {path})").format(function=spec["function"], path=path)
    return "".join(output) + ran


async def _fault(stage: Stage, spec: dict[str, Any]) -> Outcome:
    service = str(spec["service"])
    if spec.get("clear"):
        await stage.control.clear_fault(service)
        return Outcome(output=f"{service} is healthy again.")
    fault = Fault(
        offline=bool(spec.get("offline", False)),
        latency_ms=int(spec.get("latency_ms", 0)),
        error_rate=float(spec.get("error_rate", 0.0)),
    )
    await stage.control.set_fault(service, fault)
    what = (
        "offline"
        if fault.offline
        else f"slowed by {fault.latency_ms} ms"
        if fault.latency_ms
        else f"failing {fault.error_rate:.0%} of its calls"
    )
    return Outcome(output=f"{service} is now {what}.")


async def _start(stage: Stage, service: str) -> Outcome:
    start = getattr(stage.control, "start_service", None)
    if start is None:
        raise ActionFailed("this sandbox cannot start services")
    started = await start(service)
    for info in await stage.control.services():
        if info.name == service and info.url:
            stage.urls[service] = info.url
            stage.wire.set_url(service, info.url)
    return Outcome(output=f"{service} {'started' if started else 'was already running'}.")


async def _audit(stage: Stage, spec: dict[str, Any]) -> Outcome:
    from sandbox.audit.engine import run_audit
    from sandbox.audit.history import default_record
    from sandbox.audit.report import render
    from sandbox.audit.rules import load_rulesets

    if "rules" in spec:
        stage.rulesets.append(_learner_rules(stage.learner_copy(str(spec["rules"]))))
    scope = [stage.traces[-1]] if spec.get("scope") == "last" and stage.traces else stage.traces
    calls = []
    for trace_ids in scope:
        calls.extend(await trace_calls(stage.control, trace_ids))
    services = [info.name for info in await stage.control.services()]
    lang = stage.lang
    if not stage.records:
        stage.records.append(default_record())
    sets = [*load_rulesets(), *stage.rulesets]

    def audit() -> Any:
        return run_audit(calls, services, stage.records[-1], stage.urls, sets, lang=lang)

    report = audit()
    if not spec.get("record"):
        return Outcome((), render(report, lang=lang), report)
    _ = texts("lessons", lang)
    if not report.recordable:
        failed = ", ".join(r.rule.id for r in report.failed)
        refused = _("not recorded: the audit failed ({rules}); fix what the evidence shows first")
        raise ActionFailed(refused.format(rules=failed), render(report, lang=lang))
    stage.records.append(report.to_record())
    report = audit()  # the audit as it stands now that it is recorded
    recorded = _("Recorded a passed audit covering {services}.").format(
        services=", ".join(report.services)
    )
    return Outcome((), f"{recorded}\n{render(report, lang=lang)}", report)


def _learner_rules(path: Path) -> Any:
    """The learner's rule set, or ActionFailed naming the line of their file at fault."""
    import re
    import tomllib

    from sandbox.audit.rules import RuleError, parse_ruleset

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_ruleset(data, path)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        where = f"{path.name} line {found.group(1)}" if found else path.name
        what = re.sub(r" \(at line.*", "", str(exc))
        raise ActionFailed(f"{where}: {what}") from None
    except RuleError as exc:
        message = str(exc).removeprefix(f"{path}: ")
        raise ActionFailed(f"{path.name}{_todo_line(path)}: {message}") from None


def _todo_line(path: Path) -> str:
    """` line N` of the first TODO in the file (where a rule is unfinished), else ""."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "TODO" in text and not text.lstrip().startswith("#"):
            return f" line {number}"
    return ""


async def trace_calls(control: ControlClient, trace_ids: tuple[str, ...]) -> list[Any]:
    """Every recorded call of these traces, in start order ([] for a trace with no calls)."""
    calls = []
    for trace_id in trace_ids:
        try:
            calls.extend(await control.trace(trace_id))
        except ControlError as exc:
            if exc.status != 404:
                raise
    return sorted(calls, key=lambda c: c.started_at)
