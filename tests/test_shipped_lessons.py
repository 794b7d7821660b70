"""The lessons under lessons/ are well-formed and true: every expectation holds, in both
languages, against a fresh sandbox (exercises run with their reference solutions)."""

from __future__ import annotations

import pytest

from sandbox.lessons.check import check_lessons
from sandbox.lessons.lint import lint
from sandbox.lessons.loader import lesson_slugs, lessons_root


def test_every_shipped_lesson_lints_clean() -> None:
    root = lessons_root()
    assert len(lesson_slugs(root)) >= 8
    assert [str(p) for p in lint(root)] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_shipped_lesson_checks(lang: str) -> None:
    root = lessons_root()
    report = check_lessons([root / slug for slug in lesson_slugs(root)], lang, solutions=True)
    assert report.ok, report.render()
