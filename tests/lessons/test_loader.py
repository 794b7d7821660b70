"""Reading lesson folders into Lesson objects, and finding lessons by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox.lessons.loader import find_lesson, lesson_slugs, load_lesson
from sandbox.lessons.model import LessonError
from tests.lessons.conftest import BROKEN, BUYING, LESSONS


def test_load_lesson_builds_steps_actions_and_expectations() -> None:
    lesson = load_lesson(BUYING, "en")
    assert (lesson.slug, lesson.number, lesson.lang, lesson.title) == (
        "01-buying-from-a-video",
        1,
        "en",
        "Buying from a video",
    )
    assert (lesson.minutes, lesson.reset, lesson.config) == (10, True, None)
    assert lesson.intro.startswith("The buyer taps Buy")
    assert "[lesson]" not in lesson.intro
    first = lesson.steps[0]
    assert (first.number, first.title, first.line) == (1, "Buy from the video", 12)
    assert first.narration.startswith("Sari taps Buy") and "toml" not in first.narration
    assert first.notes == "Presenter: ask who holds the buyer's money now."
    assert first.action is not None and first.action.kind == "request"
    assert first.action.spec["body"] == {"product_id": 100101, "quantity": 1}
    assert first.action.line == 18
    assert [e.line for e in first.expectations] == [27, 36, 44, 53]
    assert first.expectations[3].describe() == "no call social -> bank"
    assert first.expectations[1].describe() == "the order is created at the marketplace"
    exercise = lesson.steps[6]
    assert exercise.action is not None and exercise.action.kind == "exercise"
    assert len(exercise.hints) == 3 and exercise.hints[0].startswith("Concept:")
    assert [s.number for s in lesson.steps] == list(range(1, 10))


def test_both_languages_have_the_same_machine_part() -> None:
    en, id_ = load_lesson(BUYING, "en"), load_lesson(BUYING, "id")
    assert en.title != id_.title
    assert [s.action.kind if s.action else None for s in en.steps] == [
        s.action.kind if s.action else None for s in id_.steps
    ]
    assert id_.steps[6].hints[0].startswith("Konsep:")


def test_load_lesson_raises_the_first_problem_with_file_line_and_hint() -> None:
    with pytest.raises(LessonError) as caught:
        load_lesson(BROKEN / "03-unknown-kind", "en")
    error = caught.value
    assert (error.line, error.message, error.hint) == (
        7,
        "unknown action kind 'requst'",
        "did you mean 'request'?",
    )
    assert (
        str(error) == f"{BROKEN / '03-unknown-kind' / 'en.md'}:7: unknown action kind "
        "'requst' (hint: did you mean 'request'?)"
    )


def test_find_lesson_by_number_slug_word_or_path(tmp_path: Path) -> None:
    shutil.copytree(BUYING, tmp_path / "01-buying-from-a-video")
    shutil.copytree(BUYING, tmp_path / "12-paying-twice")
    assert lesson_slugs(tmp_path) == ["01-buying-from-a-video", "12-paying-twice"]
    for name in ("1", "01", "01-buying-from-a-video", "video", "buying-from"):
        assert find_lesson(name, tmp_path).name == "01-buying-from-a-video"
    assert find_lesson("12", tmp_path).name == "12-paying-twice"
    assert find_lesson(str(BUYING), tmp_path) == BUYING
    with pytest.raises(LookupError, match="matches no lesson; lessons: 01-buying"):
        find_lesson("7", tmp_path)


def test_lesson_slugs_of_the_test_lessons() -> None:
    assert lesson_slugs(LESSONS) == ["01-buying-from-a-video"]


SHARED = """# Shared

```toml
[lesson]
minutes = 5
```

## 1. Feed

```toml
[action]
kind = "exercise"
file = "feed.py"
function = "feed"
hints.en = ["look"]
hints.id = ["lihat"]

[[expect]]
label.en = "the feed"
label.id = "umpan"
because.en = "why"
because.id = "mengapa"
callee = "social"

[[expect]]
callee = "social"
after = "the feed"
```
"""


def test_id_md_shares_the_machine_part_written_once_in_en_md(tmp_path: Path) -> None:
    folder = tmp_path / "04-shared"
    (folder / "exercise" / "solution").mkdir(parents=True)
    for part in ("feed.py", "solution/feed.py"):
        (folder / "exercise" / part).write_text("def feed(exercise):\n    pass\n")
    (folder / "en.md").write_text(SHARED, encoding="utf-8")
    (folder / "id.md").write_text("# Bersama\n\n## 1. Umpan\n\nNarasi.\n", encoding="utf-8")
    en, id_ = load_lesson(folder, "en"), load_lesson(folder, "id")
    assert (en.minutes, id_.minutes) == (5, 5)
    assert [e.spec.get("label") for e in en.steps[0].expectations] == ["the feed", None]
    assert [e.spec.get("label") for e in id_.steps[0].expectations] == ["umpan", None]
    assert id_.steps[0].expectations[0].spec["because"] == "mengapa"
    assert id_.steps[0].expectations[1].spec["after"] == "umpan"  # the same expectation
    assert (en.steps[0].hints, id_.steps[0].hints) == (("look",), ("lihat",))
    assert id_.steps[0].narration == "Narasi." and id_.steps[0].action is not None
    assert en.steps[0].action is not None
    assert id_.steps[0].action.line == en.steps[0].action.line  # lines of en.md, where it is
