"""The replay guard refuses a nonce seen within the window and forgets expired ones."""

from __future__ import annotations

from sandbox.wire.signing.common import FRESHNESS_SECONDS, ReplayGuard


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
