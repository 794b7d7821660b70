"""The sandbox installed from its wheel (`pip install .`, not -e) still has every lesson asset:
lesson 7's courier (in its folder), exercise templates and solutions, the seeded world."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, unpacked where `import sandbox` finds it first
    (its dependencies come from the test's own environment)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = out.glob("integration_sandbox-*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _sandbox(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


def test_the_wheel_runs_from_its_own_files(installed: Path, tmp_path: Path) -> None:
    found = _sandbox(installed, tmp_path, "--version")
    assert found.returncode == 0, found.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import sandbox; print(sandbox.__file__)"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(installed))


def test_lessons_that_need_assets_check_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    result = _sandbox(
        installed, tmp_path, "lesson", "check", "7", "8", "--solutions",
        "--data-dir", str(tmp_path / "data"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 of 4 lesson runs passed." in result.stdout


def test_the_exercise_track_checks_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    result = _sandbox(
        installed, tmp_path, "exercise", "check", "--all", "--solutions", "--lang", "en",
        "--data-dir", str(tmp_path / "data"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exercise runs passed." in result.stdout and "FAIL" not in result.stdout


def test_the_stage_page_ships_in_the_wheel(installed: Path) -> None:
    """`sandbox serve` renders its own page (no Google Fonts): it must be in the wheel."""
    page = installed / "sandbox" / "serve" / "template" / "app_index.html"
    assert page.is_file()
    assert "static/js/textual.js" in page.read_text()
