"""The person's side of the registry: her IKD app (Identitas Kependudukan Digital) login.

A person who activated IKD logs in with her NIK and the 6-digit PIN she chose at activation.
The registry stores the PIN only as a salted PBKDF2 hash; five wrong PINs in a row lock the
app (reactivation is a visit to the civil registry office, `sandbox reset` here), so a stolen
phone cannot try every PIN. A session is a random token the registry keeps only as a hash, so
reading the database never gives a usable session.
"""

from __future__ import annotations

import hashlib
import secrets

from sandbox.framework import pins

MAX_WRONG_PINS = 5
SESSION_SECONDS = 900
"""An IKD session lasts 15 minutes of the registry's clock."""
TOKEN_PREFIX = "sess_"
"""Session tokens start with the prefix trace redaction already cuts (as the bank's do)."""


# The PIN's slow, salted hash is the bank's too (sandbox/framework/pins.py).
hash_pin = pins.hash_pin
pin_matches = pins.pin_matches


def new_session_token() -> str:
    """A fresh, unguessable session token."""
    return TOKEN_PREFIX + secrets.token_hex(20)


def token_hash(token: str) -> str:
    """What the registry stores of a session token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
