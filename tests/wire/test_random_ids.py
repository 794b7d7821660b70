"""Ids and nonces the sandbox makes never read as a NIK: 16 decimal digits in a row would be
masked by the redactor and reported by the audit as personal data where there is none."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator

import pytest

from sandbox.services.social.rules import purchase_id
from sandbox.trace import redact
from sandbox.wire import context

NIK_LIKE = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


def _draws(*values: str) -> Iterator[str]:
    yield from values


def test_an_all_decimal_nonce_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = _draws("3201234567890123", "32012345678901ab")
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(draws))
    nonce = context.random_hex()
    assert nonce == "32012345678901ab"
    assert redact.path(f"/x?nonce={nonce}") == f"/x?nonce={nonce}", "kept as sent"


def test_trace_and_span_ids_never_carry_sixteen_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    bits = iter([int("3201234567890123", 16), int("abc", 16)])
    monkeypatch.setattr(context._ids, "getrandbits", lambda n: next(bits))
    assert context.new_span_id() == "0000000000000abc"
    digits = int("ab" + "1" * 16 + "cd" * 7, 16)
    bits = iter([digits, int("f" * 32, 16)])
    assert context.new_trace_id() == "f" * 32


def test_a_purchase_id_from_a_key_is_never_sixteen_digits() -> None:
    # A key whose digest starts with 16 decimal digits: about one in 1,800.
    key = next(
        str(k)
        for k in range(200_000)
        if hashlib.sha256(f"7:{k}".encode()).hexdigest()[:16].isdigit()
    )
    made = purchase_id(7, key)
    assert not NIK_LIKE.search(made) and made == purchase_id(7, key), "stable, and no NIK"


def test_many_random_ids_none_nik_like() -> None:
    made = [context.random_hex() for _ in range(5000)] + [
        context.new_trace_id() for _ in range(5000)
    ]
    assert not [m for m in made if NIK_LIKE.search(m)]
