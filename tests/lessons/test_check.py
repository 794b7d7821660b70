"""Lessons run headless against real sandboxes (slow: binds loopback ports)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.lessons.check import check_lessons
from sandbox.lessons.engine import LessonRunner
from sandbox.lessons.loader import load_lesson
from sandbox.lessons.model import Lesson
from sandbox.lessons.progress import Progress
from sandbox.runtime.remote import ControlClient
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.steps import Step, step_of, steps_for
from tests.lessons.conftest import BUYING

EXERCISE_LESSON = """# Balance

## 1. Read the balance

```toml
[action]
kind = "exercise"
file = "balance.py"
function = "balance"
hints = ["concept", "the call", "the field"]

[[expect]]
label = "logged in"
caller = "learner"
callee = "bank"
path = "/mobile/v1/sessions"
status = 201
within = 0.5

[[expect]]
caller = "learner"
callee = "bank"
path = "/mobile/v1/accounts/me"
status = 200
after = "logged in"
within = 0.5
```
"""


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("sandbox"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


@pytest.fixture
async def control(runtime: Runtime) -> AsyncIterator[ControlClient]:
    async with ControlClient(runtime.control_url, token=runtime.control_token) as client:
        yield client


def _runner(
    lesson: Lesson, runtime: Runtime, control: ControlClient, data_dir: Path
) -> LessonRunner:
    """A lesson runner on the module's running sandbox."""
    return LessonRunner(
        lesson, urls=runtime.urls, control=control, world=runtime.world, data_dir=data_dir
    )


@pytest.fixture
def exercise_lesson(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons" / "07-balance"
    (folder / "exercise" / "solution").mkdir(parents=True)
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(EXERCISE_LESSON, encoding="utf-8")
    for part in ("balance.py", "solution/balance.py"):
        shutil.copyfile(BUYING / "exercise" / part, folder / "exercise" / part)
    return folder


@pytest.mark.slow
def test_the_test_lesson_passes_in_both_languages_with_the_reference_solution() -> None:
    report = check_lessons([BUYING], ("en", "id"), solutions=True)
    assert [(c.lang, c.ok, len(c.results)) for c in report.lessons] == [
        ("en", True, 9),
        ("id", True, 9),
    ], report.render()
    first = report.lessons[0].results[0]
    assert [(c.caller, c.callee) for c in first.calls][:2] == [
        ("buyer", "social"),
        ("social", "marketplace"),
    ]
    assert report.render().endswith("2 of 2 lesson runs passed.")
    indonesian = check_lessons([BUYING], "id", solutions=True).render()
    assert indonesian.startswith("LULUS 01-buying-from-a-video [id] Membeli dari video (9 langkah")
    assert indonesian.endswith("1 dari 1 pelajaran lulus.")


@pytest.mark.slow
def test_the_format_docs_example_passes_and_a_wrong_lesson_fails_plainly(
    doc_lesson: Path, tmp_path: Path
) -> None:
    wrong = tmp_path / "09-wrong"
    shutil.copytree(doc_lesson, wrong)
    for lang in ("en", "id"):
        path = wrong / f"{lang}.md"
        path.write_text(path.read_text().replace('status = "2xx"', "status = 500\nwithin = 0.5", 1))
    report = check_lessons([doc_lesson, wrong], "en")
    assert [c.ok for c in report.lessons] == [True, False], report.render()
    text = report.render()
    assert "FAIL 09-wrong [en] Paying without leaving (1 step run)" in text
    assert "  step 1. Sari buys from a video (line 11)" in text
    assert "    expectation: marketplace -> bank POST /v1.0/transfer-va/create-va 500" in text
    assert (
        "      expected: a call marketplace -> bank, POST /v1.0/transfer-va/create-va, "
        "status 500, response responseCode = '2002700'" in text
    )
    assert (
        "      happened: closest: marketplace -> bank POST /v1.0/transfer-va/create-va "
        "200 (status is 200, not 500)" in text
    )  # the nearest miss comes first


@pytest.mark.slow
async def test_a_failing_exercise_climbs_the_hint_ladder_then_passes(
    runtime: Runtime, control: ControlClient, exercise_lesson: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "learner"
    lesson = load_lesson(exercise_lesson, "en")
    runner = _runner(lesson, runtime, control, data_dir)
    try:
        assert await runner.prepare() == []
        mine = data_dir / "exercises" / "07-balance" / "balance.py"
        assert mine.exists()  # the template was copied for the learner
        results = [await runner.run_step(0) for _ in range(4)]
        assert [r.ok for r in results] == [False] * 4
        assert [r.hint for r in results] == ["concept", "the call", "the field", "the field"]
        failure = results[0].failures[0]
        assert failure.call is not None and failure.call.status == 401
        assert results[0].learner_line(failure.call) == (
            'balance.py line 15: me = bank.get("/mobile/v1/accounts/me")  '
            "# TODO: the bank needs to know who is asking"
        )  # the learner's own line made the call that failed
        assert [c.ok for c in results[0].checks] == [True, False]
        assert "learner -> bank GET /mobile/v1/accounts/me 401" in failure.happened
        assert runner.fallback(0) == []
        shutil.copyfile(exercise_lesson / "exercise" / "solution" / "balance.py", mine)
        passed = await runner.run_step(0)
        said = {step_of(c) for c in passed.calls if c.caller == "learner"}
        assert said == {Step(lesson.slug, lesson.steps[0].number, lesson.steps[0].title)}
        assert passed.ok and passed.output == f"balance: 2500000\n(ran balance() from {mine})"
        assert [c.path for c in runner.fallback(0)] == [c.path for c in passed.calls]
        mine.write_text("def balance(exercise):\n    return 1 / 0\n")
        broken = await runner.run_step(0)
        assert (
            broken.error == "balance.py line 2, in balance: ZeroDivisionError: division "
            "by zero\n    return 1 / 0"
        )
        assert broken.hint == "the field"
        assert broken.output == f"(ran balance() from {mine})"
    finally:
        await runner.aclose()
    assert Progress.load(data_dir).attempts("07-balance", "en", 0) == 5


@pytest.mark.slow
async def test_faults_audit_and_an_unreachable_saved_value(
    runtime: Runtime, control: ControlClient, tmp_path: Path
) -> None:
    lesson = load_lesson(BUYING, "en")
    runner = _runner(lesson, runtime, control, tmp_path)
    try:
        assert await runner.prepare() == []
        skipped = await runner.run_step(1)  # step 2 uses the order id step 1 saves
        assert (
            not skipped.ok
            and skipped.error
            == "{{ saved.order_id }} has no value: run the earlier step that saves it first"
        )
        offline = await runner.run_step(2)
        assert offline.ok and offline.output == "bank is now offline."
        assert (await control.faults())["bank"].offline
        assert (await runner.run_step(3)).ok
        assert (await runner.run_step(4)).ok
        assert not (await control.faults())["bank"].offline
        audit = await runner.run_step(5)
        assert audit.ok and "SOC-PAY" in audit.output
    finally:
        await runner.aclose()


@pytest.mark.slow
async def test_a_story_step_speaks_the_lessons_language(
    runtime: Runtime, control: ControlClient, tmp_path: Path
) -> None:
    lesson = load_lesson(BUYING, "id")
    runner = _runner(lesson, runtime, control, tmp_path)
    try:
        assert await runner.prepare() == []
        whole = await runner.run_step(7)  # "8. Seluruh checkout": the checkout story
        assert whole.ok, whole
        assert {s.source for s in steps_for(whole.calls).values()} == {"checkout"}
        assert "menonton video 1 di aplikasi sosial" in whole.output
        assert "Rp185.000" in whole.output and "watches video" not in whole.output
    finally:
        await runner.aclose()


CHECKOUT_PAGE_LESSON = """# The checkout page

## 1. Buy

```toml
[action]
kind = "request"
service = "social"
as = "buyer"
method = "POST"
path = "/api/v1/videos/1/buy"
body = { product_id = 100101, quantity = 1 }
save = { checkout_url = "checkout_url" }

[[expect]]
callee = "social"
status = 201
```

## 2. Open the page the marketplace handed out

```toml
[action]
kind = "request"
service = "marketplace"
as = "buyer"
method = "GET"
path = "{{ saved.checkout_url }}"

[[expect]]
caller = "buyer"
callee = "marketplace"
method = "GET"
path = "/checkout/*"
status = 200
response_has = ["payment.virtual_account_no"]
```

## 3. The same URL is not the bank's

```toml
[action]
kind = "request"
service = "bank"
as = "buyer"
method = "GET"
path = "{{ saved.checkout_url }}"
```
"""


@pytest.mark.slow
async def test_a_request_may_follow_a_url_its_service_handed_out(
    runtime: Runtime, control: ControlClient, tmp_path: Path
) -> None:
    folder = tmp_path / "lessons" / "09-page"
    folder.mkdir(parents=True)
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(CHECKOUT_PAGE_LESSON, encoding="utf-8")
    runner = _runner(load_lesson(folder, "en"), runtime, control, tmp_path)
    try:
        assert await runner.prepare() == []
        assert (await runner.run_step(0)).ok
        page = await runner.run_step(1)
        assert page.ok, page
        elsewhere = await runner.run_step(2)
        assert not elsewhere.ok and elsewhere.error is not None
        assert "is not at bank" in elsewhere.error
    finally:
        await runner.aclose()


@pytest.mark.slow
def test_a_check_leaves_the_learners_progress_as_it_was(tmp_path: Path) -> None:
    data = tmp_path / "learner"
    Progress.load(data).record("01-buying-from-a-video", "en", 2)
    saved = (data / "lessons" / "progress.json").read_bytes()
    report = check_lessons([BUYING], "en", data_dir=data)  # the learner's own exercise file
    assert not report.ok  # the template fails the exercise step: an attempt, not progress
    assert (data / "lessons" / "progress.json").read_bytes() == saved
    assert Progress.load(data).position("01-buying-from-a-video", "en") == 2


@pytest.mark.slow
def test_a_new_lesson_checks_clean_in_both_languages(tmp_path: Path) -> None:
    from sandbox.lessons.new import new_lesson

    report = check_lessons([new_lesson(tmp_path, "paying-twice")], ("en", "id"))
    assert report.ok, report.render()


@pytest.mark.slow
def test_lesson_7_has_the_learner_write_a_rule_and_names_their_line(tmp_path: Path) -> None:
    from sandbox.lessons.loader import lessons_root

    report = check_lessons([lessons_root() / "07-audit-then-change"], "en", data_dir=tmp_path)
    [check] = report.lessons
    failed = check.results[-1]
    assert (failed.step.number, failed.ok) == (3, False)
    assert failed.error is not None and failed.error.startswith(
        "courier_rules.toml line 18: rule COURIER-DATA has unknown kind 'TODO'"
    )
    assert (tmp_path / "exercises" / "07-audit-then-change" / "courier_rules.toml").exists()
    assert not (tmp_path / "audits.json").exists()  # the lesson keeps its own audit records


@pytest.mark.slow
def test_lesson_8_refuses_a_fixed_idempotency_key(tmp_path: Path) -> None:
    from sandbox.lessons.loader import lessons_root

    folder = lessons_root() / "08-build-your-own-integration"
    mine = tmp_path / "exercises" / folder.name / "checkout_client.py"
    mine.parent.mkdir(parents=True)
    solution = (folder / "exercise" / "solution" / "checkout_client.py").read_text()
    fixed = solution.replace("key = uuid.uuid4().hex", 'key = "sari-1"')
    assert fixed != solution
    mine.write_text(fixed)
    [check] = check_lessons([folder], "en", data_dir=tmp_path).lessons
    failed = check.results[-1]
    assert failed.error is not None and "422 Unprocessable Entity" in failed.error
