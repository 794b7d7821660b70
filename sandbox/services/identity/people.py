"""The person's side of the registry: her IKD app (Identitas Kependudukan Digital) login.

A person who activated IKD logs in with her NIK and the 6-digit PIN she chose at activation.
The registry stores the PIN only as a salted PBKDF2 hash; five wrong PINs in a row lock the
app (reactivation is a visit to the civil registry office, `sandbox reset` here), so a stolen
phone cannot try every PIN. A session is a random token the registry keeps only as a hash, so
reading the database never gives a usable session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PIN_ITERATIONS = 100_000
"""PBKDF2 rounds: about 40 ms a check, slow for a thief, quick for one person logging in."""
MAX_PIN_ITERATIONS = 10_000_000
"""A stored hash claiming more rounds than this is refused rather than computed."""
MAX_WRONG_PINS = 5
SESSION_SECONDS = 900
"""An IKD session lasts 15 minutes of the registry's clock."""
TOKEN_PREFIX = "sess_"
"""Session tokens start with the prefix trace redaction already cuts (as the bank's do)."""


def hash_pin(pin: str, salt: bytes | None = None, rounds: int = PIN_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 hash, stored as "pbkdf2_sha256$rounds$salthex$hashhex"."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, rounds)
    return f"pbkdf2_sha256${rounds}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN behind `stored`, in constant time; slow on purpose."""
    try:
        scheme, rounds, salt, expected = stored.split("$")
        if scheme != "pbkdf2_sha256" or not 0 < int(rounds) <= MAX_PIN_ITERATIONS:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def new_session_token() -> str:
    """A fresh, unguessable session token."""
    return TOKEN_PREFIX + secrets.token_hex(20)


def token_hash(token: str) -> str:
    """What the registry stores of a session token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
