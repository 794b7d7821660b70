"""`sandbox reset` and `sandbox up` touch only a sandbox's own data directory and files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.runtime import data_dir

pytestmark = pytest.mark.reliability


def _sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANDBOX_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _someone_elses(folder: Path) -> dict[str, bytes]:
    files = {
        "app.db": b"SQLite format 3\x00 not yours",
        "photos.dbx": b"\x89PNG",
        "bank.db": b"my own bank",
        "notes.txt": b"keep me",
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.slow  # starts a process
def test_reset_refuses_a_folder_that_is_not_a_sandbox(tmp_path: Path) -> None:
    files = _someone_elses(tmp_path / "mine")
    result = _sandbox("reset", "--data-dir", str(tmp_path / "mine"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a sandbox data directory" in result.stderr and "Traceback" not in result.stderr
    assert _contents(tmp_path / "mine") == files, "nothing deleted, nothing added"


@pytest.mark.slow  # starts a process
def test_up_refuses_to_adopt_files_it_did_not_create(tmp_path: Path) -> None:
    files = _someone_elses(tmp_path / "mine")
    result = _sandbox("up", "--data-dir", str(tmp_path / "mine"), "--port-base", "47100")
    assert result.returncode == 2 and "will not adopt" in result.stderr, result.stderr
    assert _contents(tmp_path / "mine") == files


@pytest.mark.slow  # starts a process
def test_reset_deletes_only_the_sandbox_files(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert _sandbox("reset", "--data-dir", str(folder)).returncode == 0  # builds the world
    assert (folder / data_dir.MARKER).exists() and (folder / "bank.db").exists()
    for name, content in {"app.db": b"x", "photos.dbx": b"y", "notes.txt": b"z"}.items():
        (folder / name).write_bytes(content)
    (folder / "trace.db").write_bytes(b"")  # the trace survives a reset
    result = _sandbox("reset", "--data-dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert {"app.db", "photos.dbx", "notes.txt", "trace.db", "bank.db"} <= set(_contents(folder))
    assert (folder / "app.db").read_bytes() == b"x" and (folder / "photos.dbx").read_bytes() == b"y"


def test_a_folder_from_before_the_marker_is_still_recognised(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "world.json").write_text('{"seed": 20231211}\n')
    (folder / "bank.db").write_bytes(b"")
    (folder / "app.db").write_bytes(b"mine")
    assert data_dir.is_ours(folder)
    deleted = data_dir.clear(folder, ["bank", "social"])
    assert {p.name for p in deleted} == {"bank.db", "world.json"}
    assert (folder / "app.db").read_bytes() == b"mine"


@pytest.mark.parametrize("marker", ['{"databases": ["bank"]}', "[]", "not json"])
def test_a_marker_the_sandbox_did_not_write_proves_nothing(tmp_path: Path, marker: str) -> None:
    (tmp_path / data_dir.MARKER).write_text(marker)
    (tmp_path / "bank.db").write_bytes(b"x")
    with pytest.raises(data_dir.ForeignFolder):
        data_dir.clear(tmp_path)
    assert (tmp_path / "bank.db").exists()


@pytest.mark.parametrize("names", ['"bank"', '["../x", "a/b", "", 3]'])
def test_only_plain_database_names_in_the_marker_are_deleted(tmp_path: Path, names: str) -> None:
    (tmp_path / data_dir.MARKER).write_text(
        f'{{"created_by": "integration-sandbox", "databases": {names}}}'
    )
    (tmp_path / "bank.db").write_bytes(b"x")
    (tmp_path.parent / "x.db").write_bytes(b"outside")
    assert data_dir.clear(tmp_path) == []
    assert (tmp_path / "bank.db").exists() and (tmp_path.parent / "x.db").exists()


def test_a_sandbox_still_starting_keeps_the_folder_to_itself(tmp_path: Path) -> None:
    """`sandbox run` while a sandbox is starting on the folder (no runtime.json yet): it does
    not start a second sandbox on the same databases, and says who holds the folder."""
    from sandbox.config import Settings
    from sandbox.runtime.supervisor import Runtime

    folder = tmp_path / "data"
    starting = Runtime(Settings(data_dir=folder, port_base=0))
    starting.check_seed()  # started starting: seeded, not serving yet
    assert not (folder / "runtime.json").exists()
    second = Runtime(Settings(data_dir=folder, port_base=0))
    with pytest.raises(data_dir.DataDirInUse, match=f"pid {os.getpid()}"):
        second.start_in_thread()
    run = _sandbox("run", "open-account", "--data-dir", str(folder))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "a sandbox is starting or running on" in run.stderr
    assert not (folder / "bank.db").exists(), "no second sandbox opened the databases"
    starting.build()  # its databases
    reset = _sandbox("reset", "--data-dir", str(folder))
    assert reset.returncode == 2, reset.stdout + reset.stderr
    assert "a sandbox is starting or running on" in reset.stderr
    assert (folder / "bank.db").exists(), "reset deleted nothing under it"

    starting.lock.release()  # the first gave up (or stopped serving): the folder is free
    second.start_in_thread()
    try:
        assert (folder / "runtime.json").exists()
    finally:
        second.stop_thread()
    assert not second.lock.held
    third = Runtime(Settings(data_dir=folder, port_base=0))
    third.check_seed()  # after a sandbox stopped, the next may start
    third.lock.release()
