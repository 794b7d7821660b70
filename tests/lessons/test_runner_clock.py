"""Lessons sign with the sandbox's clock: after `sandbox clock advance 1d` the institutions
check timestamps against a clock a day ahead of the machine, and a step or an exercise that
signs as a partner must not be refused as stale (slow: a real sandbox on loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.config import Settings
from sandbox.lessons.engine import LessonRunner
from sandbox.lessons.loader import load_lesson
from sandbox.lessons.progress import Progress
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime

LESSON = """# Signed a day later

## 1. The marketplace asks for consent

```toml
[action]
kind = "request"
service = "identity"
as = "marketplace"
method = "POST"
path = "/v1/consent-requests"

[action.body]
nik = "{{ personas.newcomer.nik }}"
purpose = "SELLER_KYC"
scopes = ["identity_verification"]
reason = "Verifikasi pemilik toko"

[[expect]]
caller = "marketplace"
callee = "identity"
path = "/v1/consent-requests"
status = 202
within = 0.5
```

## 2. The learner's code asks the same, signing as the marketplace

```toml
[action]
kind = "exercise"
file = "consent.py"
function = "consent"

[[expect]]
caller = "learner"
callee = "identity"
path = "/v1/consent-requests"
status = 202
within = 0.5
```
"""

SOLUTION = """def consent(exercise):
    identity = exercise.partner_client("identity", "marketplace")
    answer = identity.post(
        "/v1/consent-requests",
        json={
            "nik": exercise.persona("newcomer")["nik"],
            "purpose": "SELLER_KYC",
            "scopes": ["identity_verification"],
            "reason": "Verifikasi pemilik toko",
        },
    )
    print(answer.status_code, answer.text[:200])
"""


class CountingControl(ControlClient):
    """A control client that counts how often the runner asked for the clock."""

    asked_clock = 0

    async def clock(self) -> dict[str, Any]:
        self.asked_clock += 1
        return await super().clock()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("sandbox"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


@pytest.fixture
async def control(runtime: Runtime) -> AsyncIterator[CountingControl]:
    client = CountingControl(runtime.control_url, token=runtime.control_token)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def lesson_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons" / "09-signed-later"
    (folder / "exercise" / "solution").mkdir(parents=True)
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(LESSON, encoding="utf-8")
    for part in ("consent.py", "solution/consent.py"):
        (folder / "exercise" / part).write_text(SOLUTION, encoding="utf-8")
    return folder


async def _run_both_steps(runner: LessonRunner) -> None:
    try:
        assert await runner.prepare() == []
        results = [await runner.run_step(index) for index in range(2)]
        refused = [(r.step.number, r.output[:300]) for r in results if not r.ok]
        assert refused == [], "signed with the machine's clock: refused as stale"
    finally:
        await runner.aclose()


@pytest.mark.slow
async def test_an_attached_runner_signs_with_the_remote_sandbox_s_clock(
    runtime: Runtime, control: CountingControl, lesson_folder: Path, tmp_path: Path
) -> None:
    await control.move_clock("advance", {"by": "1d"})
    runner = LessonRunner(
        load_lesson(lesson_folder),
        urls=runtime.urls,
        control=control,
        world=runtime.world,
        data_dir=tmp_path / "data",
        solutions=True,
        progress=Progress.in_memory(),
    )
    await _run_both_steps(runner)
    assert control.asked_clock >= 1


@pytest.mark.slow
async def test_an_in_process_runner_reads_the_runtime_s_clock_without_asking(
    runtime: Runtime, control: CountingControl, lesson_folder: Path, tmp_path: Path
) -> None:
    await control.move_clock("advance", {"by": "1d"})
    runner = LessonRunner(
        load_lesson(lesson_folder),
        urls=runtime.urls,
        control=control,
        world=runtime.world,
        data_dir=tmp_path / "data",
        solutions=True,
        progress=Progress.in_memory(),
        clock=runtime.clock,
    )
    await _run_both_steps(runner)
    assert control.asked_clock == 0, "the runtime's own clock needs no HTTP to itself"


EXERCISES = Path(__file__).parents[2] / "exercises"
SIGNED_BY_HAND = [
    "05-sign-a-marketplace-request",
    "06-snap-b2b-token",
    "07-snap-transaction-signature",
    "11-sign-a-vclaim-request",
]
"""The exercises whose learner writes the timestamp they sign (`exercise.now()`)."""


@pytest.mark.slow
@pytest.mark.parametrize("slug", SIGNED_BY_HAND)
async def test_an_exercise_that_signs_by_hand_stamps_the_sandbox_s_time(
    slug: str, runtime: Runtime, control: CountingControl, tmp_path: Path
) -> None:
    await control.move_clock("advance", {"by": "1d"})
    runner = LessonRunner(
        load_lesson(EXERCISES / slug),
        urls=runtime.urls,
        control=control,
        world=runtime.world,
        data_dir=tmp_path / "data",
        solutions=True,
        progress=Progress.in_memory(),
        clock=runtime.clock,
    )
    try:
        assert await runner.prepare() == []
        results = [await runner.run_step(i) for i in range(len(runner.lesson.steps))]
    finally:
        await runner.aclose()
    refused = [(r.step.number, r.error, [f.happened for f in r.failures]) for r in results]
    assert [r for r in refused if r[1] or r[2]] == []
