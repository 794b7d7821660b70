"""The linter over a corpus of broken lessons, the good test lesson and the doc's example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox.lessons.lint import lint
from tests.lessons.conftest import BROKEN, BUYING, LESSONS

CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_lint_reports_every_problem_of_a_broken_lesson(case: str) -> None:
    folder = BROKEN / case
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    found = [str(p).replace(f"{folder}/", "") for p in lint(folder)]
    assert found == expected


def test_every_broken_problem_has_a_line_and_a_hint() -> None:
    problems = lint(BROKEN)
    assert len(problems) > 40
    assert all(p.hint for p in problems)
    assert all(p.line >= 1 for p in problems)


def test_the_test_lesson_is_clean() -> None:
    assert lint(LESSONS) == []


def test_the_example_in_the_format_doc_is_clean(doc_lesson: Path) -> None:
    assert lint(doc_lesson) == []


def test_lint_of_one_file_skips_the_language_comparison(tmp_path: Path) -> None:
    folder = tmp_path / "06-languages-differ"
    shutil.copytree(BROKEN / "06-languages-differ", folder)
    assert lint(folder / "id.md") == []
    assert lint(folder / "en.md") == []
    assert len(lint(folder)) == 2


def test_translated_labels_may_differ_but_what_after_points_to_may_not(tmp_path: Path) -> None:
    folder = tmp_path / BUYING.name
    shutil.copytree(BUYING, folder)
    text = (folder / "id.md").read_text(encoding="utf-8")
    (folder / "id.md").write_text(
        text.replace('label = "pesanan dibuat di marketplace"\n', "", 1), encoding="utf-8"
    )
    problems = lint(folder)
    messages = [p.message for p in problems]
    assert any("`after` names no expectation" in m for m in messages)
    assert any(
        "expect[3].after is 'expectation 1' in en.md, 'expectation ?' here" in m for m in messages
    )


def test_a_folder_of_lessons_reports_shared_numbers_and_stray_folders(tmp_path: Path) -> None:
    shutil.copytree(BUYING, tmp_path / "01-one")
    shutil.copytree(BUYING, tmp_path / "01-two")
    (tmp_path / "notes").mkdir()
    problems = lint(tmp_path)
    assert [(p.file.name, p.message) for p in problems] == [
        ("en.md", "lesson number 01 is also used by 01-one"),
        ("notes", "this folder holds no en.md or id.md"),
    ]


def test_a_missing_path_is_one_problem(tmp_path: Path) -> None:
    [problem] = lint(tmp_path / "nope")
    assert problem.message == "no such lesson file or folder"


def test_a_lessons_path_pattern_is_looked_up_against_operation_templates() -> None:
    from sandbox.lessons.operations import Operation, matching

    ops = (
        Operation("GET", "/api/v2/fs/{fs_id}/products/{product_id}"),
        Operation("POST", "/api/v2/fs/{fs_id}/orders"),
        Operation("GET", "/files/{name:path}"),
    )
    assert matching(ops, "/api/v2/fs/7001/products/*", "GET") == [ops[0]]
    assert matching(ops, "/api/v2/fs/{{ saved.fs }}/orders", None) == [ops[1]]
    assert matching(ops, "/api/**", None) == [ops[0], ops[1]]
    assert matching(ops, "/api/v2/fs/7001/orders", "GET") == []
    assert matching(ops, "/files/a/b/c", "GET") == [ops[2]]
    assert matching(ops, "/api/v2/fs/*/prod*/1", "GET") == [ops[0]]
