"""What every dialect shares (common.py): the replay guard refuses a nonce seen within the
window and forgets expired ones; the body minifier drops whitespace outside strings only."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.dialects.common import FRESHNESS_SECONDS, ReplayGuard, body_hash, minify
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


def _minify_byte_by_byte(body: bytes) -> bytes:
    """The loop `minify` replaced, kept as its definition."""
    out = bytearray()
    in_string = escaped = False
    for byte in body:
        if in_string:
            out.append(byte)
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
            out.append(byte)
        elif byte not in b" \t\r\n":
            out.append(byte)
    return bytes(out)


JSONISH = st.lists(
    st.sampled_from([b'"', b"\\", b" ", b"\t", b"\r\n", b"\n", b"a", b"{", b":", b",", b"\xc3\xa9"])
    | st.binary(max_size=4),
    max_size=40,
).map(b"".join)


@given(JSONISH)
def test_minify_drops_whitespace_outside_strings_only(body: bytes) -> None:
    assert minify(body) == _minify_byte_by_byte(body)


@pytest.mark.parametrize(
    ("body", "minified"),
    [
        (b'{ "a" : "b c",\n "d\\" e": [1, 2] }', b'{"a":"b c","d\\" e":[1,2]}'),
        (b'{"unterminated": "a b', b'{"unterminated":"a b'),
        (b'"ends in \\', b'"ends in \\'),
        (b'{"esc": "\\\\" , "x" : 1}', b'{"esc":"\\\\","x":1}'),
        (b"", b""),
    ],
)
def test_minify_examples(body: bytes, minified: bytes) -> None:
    assert minify(body) == minified
    assert body_hash(body) == hashlib.sha256(minified).hexdigest()
