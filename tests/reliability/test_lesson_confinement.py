"""A lesson runs only what its own folder holds: its config, and its services' Python.

A lesson is something a teacher shares as a folder. Its `config` must be a file inside that
folder, and the services it declares may run Python only from there (or installed plugins):
`sandbox lesson lint` says so, and `sandbox lesson check` refuses such a lesson without
importing anything from outside.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.lessons.lint import lint
from sandbox.lessons.loader import load_lesson
from sandbox.lessons.model import LessonError
from tests.lessons.conftest import BUYING

REPO = Path(__file__).parents[2]
COURIER = REPO / "lessons" / "07-audit-then-change"
TRIPWIRE = 'import pathlib; pathlib.Path(__file__).with_name("IMPORTED").write_text("ran")\n'
"""A module that leaves a file when imported: proof that outside code ran."""

pytestmark = pytest.mark.reliability


def _lesson(tmp_path: Path, config: str, toml: str | None = None) -> Path:
    folder = tmp_path / "lessons" / BUYING.name
    shutil.copytree(BUYING, folder)
    for lang in ("en", "id"):
        page = folder / f"{lang}.md"
        text = page.read_text(encoding="utf-8")
        page.write_text(
            text.replace("reset = true\n", f'reset = true\nconfig = "{config}"\n', 1),
            encoding="utf-8",
        )
    if toml is not None:
        (folder / "sandbox.toml").write_text(toml, encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "evil").mkdir(parents=True)
    (outside / "evil" / "__init__.py").write_text(TRIPWIRE)
    (outside / "evil" / "app.py").write_text(TRIPWIRE + "def create_app(env): ...\n")
    (outside / "sandbox.toml").write_text('[services.evil]\napp = "evil.app:create_app"\n')
    return folder


def _messages(folder: Path) -> list[str]:
    return [p.message for p in lint(folder)]


def test_a_config_outside_the_lesson_folder_fails_lint(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, "../../outside/sandbox.toml")
    assert any("outside the lesson folder" in m for m in _messages(folder)), _messages(folder)
    with pytest.raises(LessonError, match="outside the lesson folder"):
        load_lesson(folder, "en")


def test_a_service_path_outside_the_lesson_folder_fails_lint(tmp_path: Path) -> None:
    toml = '[services.evil]\napp = "evil.app:create_app"\npath = "../../outside"\n'
    folder = _lesson(tmp_path, "sandbox.toml", toml)
    assert any("leaves the lesson's folder" in m for m in _messages(folder)), _messages(folder)


def test_a_module_that_is_not_in_the_lesson_folder_fails_lint(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, "sandbox.toml", '[services.evil]\napp = "evil.app:create_app"\n')
    sys.path.insert(0, str(tmp_path / "outside"))  # importable, but not the lesson's
    try:
        assert any("no module 'evil.app' in the lesson's folder" in m for m in _messages(folder)), (
            _messages(folder)
        )
    finally:
        sys.path.remove(str(tmp_path / "outside"))
    assert not (tmp_path / "outside" / "evil" / "IMPORTED").exists()


def test_a_symlink_out_of_the_lesson_folder_does_not_count_as_inside(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, "sandbox.toml", '[services.evil]\napp = "evil.app:create_app"\n')
    os.symlink(tmp_path / "outside" / "evil", folder / "evil")
    assert any("no module 'evil.app' in the lesson's folder" in m for m in _messages(folder))


@pytest.mark.slow  # starts a process
def test_lesson_check_runs_no_python_from_outside(tmp_path: Path) -> None:
    folder = _lesson(tmp_path, "../../outside/sandbox.toml")
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "lesson", "check", str(folder), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path / "outside",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "outside")},
    )
    assert result.returncode != 0
    assert "outside the lesson folder" in result.stdout + result.stderr
    assert not (tmp_path / "outside" / "evil" / "IMPORTED").exists()


def test_the_shipped_courier_lesson_keeps_its_python_inside(tmp_path: Path) -> None:
    assert lint(COURIER) == []
    assert (COURIER / "kirim_cepat" / "app.py").is_file()


def test_the_lessons_courier_is_the_example_courier_to_the_byte() -> None:
    """Lesson 7 runs its own copy of the courier (a lesson runs Python only from its folder);
    the copy must not drift from examples/courier, which the docs describe."""
    example = REPO / "examples" / "courier" / "courier"
    for name in ("app.py", "store.py"):
        assert (COURIER / "kirim_cepat" / name).read_bytes() == (example / name).read_bytes()
