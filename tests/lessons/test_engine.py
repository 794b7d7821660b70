"""LessonRunner over a fake control API: the steps that need no institution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.lessons.actions import ActionFailed, perform
from sandbox.lessons.engine import LessonRunner, _judge_audit
from sandbox.lessons.loader import load_lesson
from sandbox.lessons.model import Action, Expectation, Step
from sandbox.runtime.models import ServiceInfo
from sandbox.runtime.remote import ControlError
from sandbox.trace.verdict import LessonVerdict
from sandbox.wire.faults import Fault
from sandbox.world import load_world

LESSON = """# Fake

```toml
[lesson]
reset = {reset}
```

## 1. Only words

Narration.

## 2. Reset

```toml
[action]
kind = "reset"
```

## 3. Slow the bank

```toml
[action]
kind = "fault"
service = "bank"
latency_ms = 200
```

## 4. Wait with nothing to look at

```toml
[action]
kind = "wait"
seconds = 0.01

[[expect]]
callee = "bank"
within = 0.2
```
"""


class FakeControl:
    """The part of ControlClient the runner uses, recording what it was asked."""

    def __init__(self, health: str = "ok") -> None:
        self.asked: list[tuple[str, Any]] = []
        self.health = health
        self.said_clock: dict[str, Any] = {
            "now": "2026-12-12T02:00:00+00:00",
            "frozen": False,
            "offset_seconds": 0.0,
        }

    async def clock(self) -> dict[str, Any]:
        return self.said_clock

    async def reset(self) -> dict[str, Any]:
        self.asked.append(("reset", None))
        return {"reset": True}

    async def clear_faults(self) -> None:
        self.asked.append(("clear_faults", None))

    async def set_fault(self, service: str, fault: Fault) -> Fault:
        self.asked.append(("set_fault", (service, fault)))
        return fault

    async def services(self) -> list[ServiceInfo]:
        return [
            ServiceInfo(name, name, "", "back", "", "", self.health if name == "bank" else "ok")
            for name in ("social", "bank")
        ]

    async def trace(self, trace_id: str) -> list[Any]:
        raise ControlError(f"No trace {trace_id!r} is stored.", 404, "unknown_trace")

    async def report_verdict(self, verdict: LessonVerdict) -> bool:
        self.asked.append(("report_verdict", verdict))
        return True


def runner(tmp_path: Path, control: FakeControl, reset: str = "true") -> LessonRunner:
    folder = tmp_path / "01-fake"
    folder.mkdir(exist_ok=True)
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(LESSON.replace("{reset}", reset))
    return LessonRunner(
        load_lesson(folder),
        urls={"social": "http://s", "bank": "http://b"},
        control=control,  # type: ignore[arg-type]
        world=load_world(),
        data_dir=tmp_path,
    )


async def test_prepare_resets_clears_faults_and_reports_unhealthy_services(tmp_path: Path) -> None:
    control = FakeControl(health="offline")
    lesson = runner(tmp_path, control)
    assert await lesson.prepare() == ["bank is offline"]
    assert [name for name, _ in control.asked] == ["reset", "clear_faults"]
    quiet = FakeControl()
    assert await runner(tmp_path, quiet, reset="false").prepare() == []
    assert [name for name, _ in quiet.asked] == ["clear_faults"]


async def test_steps_without_calls(tmp_path: Path) -> None:
    control = FakeControl()
    lesson = runner(tmp_path, control)
    words = await lesson.run_step(0)
    assert (words.ok, words.calls, words.error, words.hint) == (True, (), None, None)
    assert (await lesson.run_step(1)).output == "The seeded world is restored in every service."
    slowed = await lesson.run_step(2)
    assert slowed.ok and slowed.output == "bank is now slowed by 200 ms."
    assert ("set_fault", ("bank", Fault(latency_ms=200))) in control.asked
    waited = await lesson.run_step(3)
    assert not waited.ok and waited.failures[0].happened == "no call"
    assert lesson.fallback(3) == []
    # Each judged step is reported for the class's teacher; a step that only tells is not.
    reported = [v for asked, v in control.asked if asked == "report_verdict"]
    assert [(v.step, v.verdict) for v in reported] == [(2, "passed"), (3, "passed"), (4, "failed")]
    assert "no call" in reported[-1].expectation and len(reported[-1].trace_id) == 32


async def test_an_attached_runner_follows_the_sandbox_s_clock_step_by_step(
    tmp_path: Path,
) -> None:
    """Before each step the runner hears the sandbox's clock again: its partner calls sign,
    and its verdicts are dated, with the institutions' time, not the machine's."""
    control = FakeControl()
    control.said_clock = {"now": "2030-01-02T03:04:05+00:00", "frozen": True, "offset_seconds": 9}
    lesson = runner(tmp_path, control)
    await lesson.prepare()
    assert lesson.stage.wire.clock() == 1893553445.0
    control.said_clock = {"now": "2030-01-03T03:04:05+00:00", "frozen": True, "offset_seconds": 9}
    await lesson.run_step(1)
    verdict = next(v for asked, v in control.asked if asked == "report_verdict")
    assert verdict.at == 1893553445.0 + 86400


async def test_start_needs_a_sandbox_that_can_start_services(tmp_path: Path) -> None:
    lesson = runner(tmp_path, FakeControl())
    step = Step(1, "Start", "", "", Action("start", {"service": "courier"}, 1), (), (), 1)
    with pytest.raises(ActionFailed, match="^this sandbox cannot start services$"):
        await perform(lesson.stage, step)


def test_an_audit_expectation_is_judged_in_the_lessons_language() -> None:
    [check] = _judge_audit((Expectation({"rule": "NOPE-1", "outcome": "pass"}, 1),), None, "id")
    assert not check.ok and check.failure is not None
    miss = check.failure
    assert (miss.expectation, miss.expected) == ("aturan audit NOPE-1 lulus", "NOPE-1 lulus")
    assert miss.happened == "audit tidak punya aturan NOPE-1"
    [check] = _judge_audit((Expectation({"rule": "NOPE-1"}, 1),), None)
    assert check.failure is not None
    assert check.failure.happened == "the audit has no rule NOPE-1"
