"""Shared paths and the lesson example extracted from docs/lesson-format.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
LESSONS = DATA / "lessons"
BROKEN = DATA / "broken"
BUYING = LESSONS / "01-buying-from-a-video"
DOC = Path(__file__).parents[2] / "docs" / "lesson-format.md"


def doc_example() -> str:
    """The complete lesson example in docs/lesson-format.md (the ````markdown block)."""
    match = re.search(
        r"^````markdown\n(.*?)^````$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL
    )
    assert match, "docs/lesson-format.md lost its ````markdown example"
    return match.group(1)


@pytest.fixture
def doc_lesson(tmp_path: Path) -> Path:
    """The doc's example as a lesson folder (the same text in both languages)."""
    folder = tmp_path / "03-paying-without-leaving"
    folder.mkdir()
    for lang in ("en", "id"):
        (folder / f"{lang}.md").write_text(doc_example(), encoding="utf-8")
    return folder
