"""Progress: where the learner is, saved at once and shared between processes."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.lessons.progress import Progress


def test_a_new_learner_starts_at_zero(tmp_path: Path) -> None:
    progress = Progress.load(tmp_path)
    assert progress.position("01-x", "en") == 0
    assert not progress.completed("01-x", "en")
    assert not progress.started("01-x", "en")


def test_record_saves_at_once_per_lesson_and_language(tmp_path: Path) -> None:
    Progress.load(tmp_path).record("01-x", "en", 3)
    Progress.load(tmp_path).record("01-x", "id", 5, done=True)
    again = Progress.load(tmp_path)
    assert (again.position("01-x", "en"), again.completed("01-x", "en")) == (3, False)
    assert (again.position("01-x", "id"), again.completed("01-x", "id")) == (5, True)
    again.record("01-x", "id", 0)
    assert Progress.load(tmp_path).completed("01-x", "id")  # done stays done


def test_two_writers_keep_each_others_changes(tmp_path: Path) -> None:
    screen, check = Progress.load(tmp_path), Progress.load(tmp_path)
    screen.record("01-x", "en", 2)
    check.failed("01-x", "en", 6)
    final = Progress.load(tmp_path)
    assert (final.position("01-x", "en"), final.attempts("01-x", "en", 6)) == (2, 1)


def test_failed_attempts_count_up_per_step(tmp_path: Path) -> None:
    progress = Progress.load(tmp_path)
    assert [progress.failed("01-x", "en", 6) for _ in range(3)] == [1, 2, 3]
    assert progress.attempts("01-x", "en", 5) == 0
    assert Progress.load(tmp_path).attempts("01-x", "en", 6) == 3


def test_an_unreadable_file_is_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "lessons" / "progress.json"
    path.parent.mkdir()
    path.write_text("{not json")
    assert Progress.load(tmp_path).position("01-x", "en") == 0
    Progress.load(tmp_path).record("01-x", "en", 1)
    assert json.loads(path.read_text())["positions"] == {"01-x/en": 1}
