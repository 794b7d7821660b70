"""A PIN kept only as its slow, salted hash: the bank's mobile app and the registry's IKD app.

Both ask a person for a 6-digit PIN and must never store it. A million PINs are quickly tried
against a fast hash, so each is kept as PBKDF2-SHA256 with its own salt and many rounds, and
checked in constant time; both institutions also lock the app after a few wrong tries (their
own rule). The stored form names its scheme and rounds, "pbkdf2_sha256$rounds$salthex$hashhex",
so a hash made with other rounds still checks, and a hash that is not ours is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PIN_ITERATIONS = 100_000
"""PBKDF2 rounds per PIN hash: each guess costs about 40 ms of CPU, so the million 6-digit PINs
of one stolen hash take about half a day of a core rather than the minute 200 rounds took.
(OWASP asks 600,000 for passwords; a PIN also has the lock after five wrong tries.) The seeded
hashes are computed once, when the world is built, so starting or resetting an institution
hashes nothing; a login hashes once, off the event loop."""
MAX_PIN_ITERATIONS = 10_000_000
"""A stored hash asking for more rounds than this is not one of ours (and would hang a login)."""


def hash_pin(pin: str, salt: bytes | None = None, rounds: int = PIN_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 hash, stored as "pbkdf2_sha256$rounds$salthex$hashhex"."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, rounds)
    return f"pbkdf2_sha256${rounds}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN behind `stored`, compared in constant time. Slow on purpose
    (PIN_ITERATIONS): call it off the event loop."""
    try:
        scheme, rounds, salt, expected = stored.split("$")
        if scheme != "pbkdf2_sha256" or not 0 < int(rounds) <= MAX_PIN_ITERATIONS:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)
