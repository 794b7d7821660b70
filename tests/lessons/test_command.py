"""`sandbox lesson list | lint | check` through the parser the CLI adds."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from sandbox.lessons.command import add_parser
from sandbox.lessons.progress import Progress
from tests.lessons.conftest import BROKEN, BUYING, LESSONS


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sandbox")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lesson", *argv])
    result: int = args.func(args)
    return result


def test_lint_prints_file_line_message_and_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("lint", str(BROKEN / "03-unknown-kind")) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{BROKEN}/03-unknown-kind/en.md:7: unknown action kind 'requst' "
        "(hint: did you mean 'request'?)",
        f"{BROKEN}/03-unknown-kind/id.md:7: unknown action kind 'requst' "
        "(hint: did you mean 'request'?)",
    ]
    assert err == "2 problem(s).\n"


def test_lint_of_good_lessons_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("lint", "--root", str(LESSONS)) == 0
    assert capsys.readouterr().out == f"No problems in {LESSONS}.\n"


def test_list_shows_length_steps_progress_and_exercises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "lessons"
    shutil.copytree(BUYING, root / "01-buying-from-a-video")
    shutil.copytree(BUYING, root / "02-again")
    shutil.copytree(BROKEN / "03-unknown-kind", root / "03-unknown-kind")
    data = tmp_path / "data"
    Progress.load(data).record("01-buying-from-a-video", "id", 3)
    Progress.load(data).record("02-again", "id", 8, done=True)
    assert run("list", "--root", str(root), "--data-dir", str(data), "--lang", "id") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "pelajaran", "durasi", "langkah", "kemajuan", "latihan"]
    assert lines[1].split()[:1] == ["1"] and "Membeli dari video" in lines[1]
    assert lines[1].split()[-3:] == ["9", "3/9", f"{data}/exercises/01-buying-from-a-video"]
    assert lines[2].split()[-2:] == ["selesai", f"{data}/exercises/02-again"]
    assert "03-unknown-kind (rusak: lihat `sandbox lesson lint`)" in lines[3]
    assert lines[3].split()[-1] == "-"
    assert lines[4] == f"Latihan disimpan di {data}/exercises. Mulai dengan `sandbox learn N`."
    Progress.load(data).record("01-buying-from-a-video", "en", 8, done=True)
    assert run("list", "--root", str(root), "--data-dir", str(data), "--lang", "en") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "lesson", "length", "steps", "progress", "exercises"]
    assert lines[1].split()[-2] == "done" and "10 min" in lines[1]
    assert "03-unknown-kind (broken: see `sandbox lesson lint`)" in lines[3]
    assert lines[4] == f"Exercises live in {data}/exercises. Start one with `sandbox learn N`."


def test_list_of_a_new_learner_shows_dashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("list", "--root", str(LESSONS), "--data-dir", str(tmp_path)) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-2] == "-"


def test_check_of_a_broken_lesson_fails_without_starting_a_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("check", "--root", str(BROKEN), "03", "--lang", "en") == 1
    out = capsys.readouterr().out
    assert "FAIL 03-unknown-kind [en]  (0 steps run)" in out
    assert "en.md:7: unknown action kind 'requst'" in out
    assert out.endswith("0 of 1 lesson run passed.\n")


def test_check_of_an_unknown_lesson_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", "--root", str(LESSONS), "42") == 2
    assert "'42' matches no lesson; lessons: 01-buying-from-a-video" in capsys.readouterr().err


def test_new_lesson_writes_a_lesson_that_lints_clean_numbered_after_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox.cli import main

    shutil.copytree(BUYING, tmp_path / "01-buying-from-a-video")
    assert main(["new", "lesson", "paying-twice", "--root", str(tmp_path)]) == 0
    folder = tmp_path / "02-paying-twice"
    assert f"Created {folder / 'en.md'} and {folder / 'id.md'}." in capsys.readouterr().out
    assert run("lint", str(folder)) == 0
    assert main(["new", "lesson", "paying-twice", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "03-paying-twice").is_dir()
    assert main(["new", "lesson", "03-paying-twice", "--root", str(tmp_path)]) == 2
    assert main(["new", "lesson", "Paying Twice", "--root", str(tmp_path)]) == 2
    assert "is not a lesson name" in capsys.readouterr().err


def test_new_lesson_takes_only_ascii_numbers_and_no_trailing_newline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A number the loader would not read as one (٣, ²) or a name ending in a newline is refused,
    not written as a folder no lesson list finds."""
    from sandbox.cli import main

    for name in ("\u0663-paying", "\u00b2-paying", "paying\n", "04-paying\n"):
        assert main(["new", "lesson", name, "--root", str(tmp_path)]) == 2, name
        assert "is not a lesson name" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_learn_opens_a_lesson_outside_the_sandboxs_folder(tmp_path: Path) -> None:
    from sandbox.cli import parse
    from sandbox.cli.lessons import chosen_lesson

    mine = tmp_path / "teacher" / "01-buying-from-a-video"
    shutil.copytree(BUYING, mine)
    progress = Progress.load(tmp_path / "data")
    by_path = chosen_lesson(parse(["learn", str(mine), "--lang", "id"]), progress)
    assert (by_path.folder, by_path.lang) == (mine, "id")
    in_root = chosen_lesson(parse(["learn", "--root", str(mine.parent), "--lang", "en"]), progress)
    assert in_root.folder == mine
    by_number = chosen_lesson(parse(["present", "1", "--root", str(mine.parent)]), progress)
    assert by_number.folder == mine


def test_list_shows_the_folder_of_a_lesson_whose_learner_writes_audit_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("list", "--data-dir", str(tmp_path), "--lang", "en") == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if "Audit, then change" in line]
    assert row.endswith(f"{tmp_path}/exercises/07-audit-then-change")
