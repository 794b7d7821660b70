"""The exercise track: every exercise lints, passes with its reference solution and fails with
its template in both languages (the first failure naming the learner's own line), and
`sandbox watch` reruns an exercise when its file is saved."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest

from sandbox.lessons.check import check_lessons
from sandbox.lessons.lint import lint
from sandbox.lessons.loader import lesson_slugs, lessons_root, load_lesson
from sandbox.lessons.model import LANGS
from sandbox.lessons.progress import Progress
from sandbox.lessons.track import entries, exercise_file, exercises_root, next_exercise, render
from sandbox.lessons.watch import Watch

ROOT = exercises_root()
SLUGS = lesson_slugs(ROOT)


def test_the_track_has_twelve_exercises_that_lint_clean() -> None:
    assert len(SLUGS) >= 12
    assert [str(p) for p in lint(ROOT)] == []
    assert not set(SLUGS) & set(lesson_slugs(lessons_root()))  # one progress file serves both


@pytest.mark.parametrize("lang", LANGS)
def test_every_exercise_has_one_exercise_step_three_hints_and_both_todos(lang: str) -> None:
    for slug in SLUGS:
        lesson = load_lesson(ROOT / slug, lang)
        [step] = [s for s in lesson.steps if s.action and s.action.kind == "exercise"]
        assert len(step.hints) == 3, slug
        assert step.action is not None
        template = (ROOT / slug / "exercise" / step.action.spec["file"]).read_text()
        assert "TODO (en)" in template and "TODO (id)" in template, slug


def test_list_shows_each_exercise_with_the_learners_file_and_place(tmp_path: Path) -> None:
    Progress.load(tmp_path).record(SLUGS[0], "en", 0, done=True)
    Progress.load(tmp_path).failed(SLUGS[1], "en", 0)
    found = entries(ROOT, tmp_path, "en")
    assert [e.slug for e in found] == SLUGS
    assert (found[0].status, found[1].status, found[2].status) == ("done", "1 try", "-")
    assert found[1].file == tmp_path / "exercises" / SLUGS[1] / "balance.py"
    assert next_exercise(ROOT, tmp_path, "en") == SLUGS[1]
    assert json.loads(json.dumps([e.to_dict() for e in found]))[0]["name"] == SLUGS[0]


@pytest.mark.slow
def test_every_exercise_passes_with_its_solution_in_both_languages() -> None:
    report = check_lessons([ROOT / s for s in SLUGS], LANGS, solutions=True)
    assert report.ok, render(report)
    assert len(report.lessons) == 2 * len(SLUGS)


@pytest.mark.slow
def test_every_template_fails_and_the_first_failure_names_the_learners_line(
    tmp_path: Path,
) -> None:
    report = check_lessons([ROOT / s for s in SLUGS], LANGS, data_dir=tmp_path)
    assert not any(c.ok for c in report.lessons), render(report)
    for check in report.lessons:
        failed = next(r for r in check.results if not r.ok)
        file = exercise_file(load_lesson(ROOT / check.slug, check.lang), tmp_path)
        assert file is not None
        # Their code raised (the error names their line), or the first failing expectation is
        # about a call one of their lines made.
        named = failed.error or failed.learner_line(failed.failures[0].call) or ""
        assert re.match(rf"{re.escape(file.name)} line \d+", named), (check.slug, named)
        assert failed.hint, check.slug  # the first rung of the ladder
    text = render(report)
    assert "baris Anda: first_call.py line" in text and "your line: first_call.py line" in text


@pytest.mark.slow
async def test_watch_reruns_the_exercise_when_its_file_is_saved(tmp_path: Path) -> None:
    shown: list[str] = []
    watching = asyncio.Event()

    def out(text: str) -> None:
        shown.append(text)
        if text.startswith("Watching"):
            watching.set()

    watch = Watch(ROOT, tmp_path, "en", out=out)
    mine = tmp_path / "exercises" / SLUGS[0] / "first_call.py"
    solution = ROOT / SLUGS[0] / "exercise" / "solution" / "first_call.py"

    async def save_the_solution() -> None:
        await watching.wait()
        await asyncio.sleep(0.3)  # the watcher is listening by now
        shutil.copyfile(solution, mine)

    saver = asyncio.create_task(save_the_solution())
    assert await asyncio.wait_for(watch.run(SLUGS[0], runs=2), timeout=60) == 0
    await saver
    runs = [text for text in shown if text.startswith(("PASS", "FAIL"))]
    assert [r.split()[0] for r in runs] == ["FAIL", "PASS"]
    assert f"your file: {mine}" in runs[0] and "your line: first_call.py line" in runs[0]
    assert Progress.load(tmp_path).completed(SLUGS[0], "en")


def test_the_exercise_commands_list_as_json_and_refuse_an_unknown_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox.cli import main

    assert main(["exercise", "list", "--json", "--data-dir", str(tmp_path), "--lang", "id"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in listed] == SLUGS and listed[0]["status"] == "-"
    assert listed[0]["title"] == "Panggilan pertama Anda"
    assert main(["exercise", "list", "--data-dir", str(tmp_path), "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:3] == ["#", "exercise", "concept"]
    assert main(["exercise", "check", "99", "--data-dir", str(tmp_path)]) == 2
    assert "'99' matches no lesson" in capsys.readouterr().err
