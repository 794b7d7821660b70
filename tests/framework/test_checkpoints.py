"""Checkpoints of the institutions' SQLite files happen on their own thread, not in a COMMIT
on the event loop (a COMMIT that checkpoints waits for the file's fsync)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.framework import checkpoints
from sandbox.framework.storage import open_database


def _until(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the checkpoint thread never got there"
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def _as_under_sandbox_up() -> Iterator[None]:
    checkpoints.enable()
    yield
    checkpoints.enable(False)


def test_only_sandbox_up_hands_its_files_to_the_thread(tmp_path: Path) -> None:
    checkpoints.enable(False)  # a test's or an embedded runtime's files
    db = open_database(tmp_path / "social.db")
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # SQLite's own
    assert (tmp_path / "social.db").resolve() not in checkpoints.registered()


def test_the_thread_copies_the_log_into_the_file_before_any_commit_would(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bank.db"
    db = open_database(path)
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == checkpoints.BACKSTOP_PAGES
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    empty = path.stat().st_size
    for _ in range(40):  # about 80 pages of log: far below the connection's own threshold
        with db.atomic():
            db.execute("INSERT INTO t (body) VALUES (?)", ["x" * 3000])
    _until(lambda: path.stat().st_size > empty + 100_000)
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 40


def test_a_closed_database_is_forgotten_and_a_removed_file_never_made_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "records.db"
    db = open_database(path)
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    assert path.resolve() in checkpoints.registered()
    for name in ("records.db", "records.db-wal", "records.db-shm"):  # the directory removed
        (tmp_path / name).unlink(missing_ok=True)
    time.sleep(checkpoints.INTERVAL * 3)  # rounds pass over the missing file
    assert not path.exists()
    db.conn.close()
    del db
    gc.collect()
    assert path.resolve() not in checkpoints.registered()


def test_a_quiet_file_is_checkpointed_twice_a_second_not_twenty_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a log is written the thread comes back every 50 ms; once nothing is written, every
    half second: a log keeps its length after a checkpoint, so the length is not the test."""
    db = open_database(tmp_path / "insurance.db")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    for _ in range(5):
        with db.atomic():
            db.execute("INSERT INTO t (body) VALUES (?)", ["x" * 3000])
    time.sleep(checkpoints.INTERVAL * 3)  # the writes are checkpointed; the log is quiet
    rounds: list[float] = []
    seen = checkpoints.registered

    def counted() -> list[Path]:
        rounds.append(time.monotonic())
        return seen()

    monkeypatch.setattr(checkpoints, "registered", counted)
    time.sleep(1.0)
    assert len(rounds) <= 4, f"{len(rounds)} rounds in a quiet second"
