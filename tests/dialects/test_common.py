"""What every dialect shares (common.py): the replay guard refuses a nonce seen within the
window and forgets expired ones."""

from __future__ import annotations

from pathlib import Path

from sandbox.dialects.common import FRESHNESS_SECONDS, ReplayGuard
from sandbox.framework.storage import open_database


def test_a_replay_within_the_window_is_refused() -> None:
    guard = ReplayGuard()
    assert guard.first_time("a", 1000.0)
    assert not guard.first_time("a", 1000.0 + FRESHNESS_SECONDS)


def test_expired_nonces_are_forgotten_as_time_passes() -> None:
    guard = ReplayGuard()
    for i in range(20_000):
        assert guard.first_time(f"n{i}", 1000.0 + i * 0.01)
    later = 1000.0 + 200 + 2 * FRESHNESS_SECONDS
    assert guard.first_time("fresh", later)
    assert len(guard._seen) == 1  # every older entry had expired
    assert guard.first_time("n0", later)  # long expired: the timestamp check refuses it


def test_nonces_kept_in_a_database_survive_a_new_guard(tmp_path: Path) -> None:
    """A restart builds a new guard on the same database file: the replay is still refused."""
    path = tmp_path / "service.db"
    assert ReplayGuard(open_database(path)).first_time("app:n1", 1000.0)
    again = ReplayGuard(open_database(path))
    assert not again.first_time("app:n1", 1000.0 + FRESHNESS_SECONDS)
    assert again.first_time("app:n2", 1000.0 + FRESHNESS_SECONDS)


def test_expired_nonces_in_a_database_are_forgotten(tmp_path: Path) -> None:
    db = open_database(tmp_path / "service.db")
    guard = ReplayGuard(db)
    for i in range(100):
        assert guard.first_time(f"n{i}", 1000.0 + i)
    later = 1000.0 + 100 + 2 * FRESHNESS_SECONDS
    assert guard.first_time("n0", later), "long expired: the timestamp check refuses it anyway"
    assert db.execute("SELECT COUNT(*) FROM _nonces").fetchone()[0] == 1
