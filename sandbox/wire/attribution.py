"""Who made a call: the party whose credential the callee verified, never who it said it was.

The trace is evidence, so a caller cannot choose how it is recorded. Each institution's own
authentication code, once a credential has checked out (a signature, a secret, a token it
issued), calls `verified(party)`; the recording middleware reads that after the response and
names the caller by it. Everything a caller merely says about itself counts for nothing:

- no verified credential, but it presented one that belongs to a party (a client key, an
  `X-PARTNER-ID`, an app key) or named an institution in `X-Sandbox-Caller`: recorded as
  `external`, with that identity kept apart as `claimed_caller` ("claims to be social");
- no verified credential and a plain label (`buyer`, `my-script`) in `X-Sandbox-Caller`: a
  person or a tool naming itself, recorded under that label, which may never be the name of an
  institution or a registered partner;
- nothing at all: `external`.

The note travels in a context variable holding a list the middleware owns, so it reaches the
middleware from async endpoints and from dependencies run in a thread pool alike.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from contextvars import ContextVar, Token

EXTERNAL = "external"
"""The caller of a call nobody verified."""
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
"""What `X-Sandbox-Caller` may say: a short name for a person or a tool."""

_verified: ContextVar[list[str] | None] = ContextVar("sandbox_verified_caller", default=None)


def verified(party: str) -> None:
    """Say that the call being served proved to come from `party` (call it right after the
    credential checked out, before any other refusal, so a refused call is still the party's)."""
    holder = _verified.get()
    if holder is not None:
        holder.append(party)


def listen() -> tuple[list[str], Token[list[str] | None]]:
    """Start collecting what the callee verifies for the call being served (middleware)."""
    holder: list[str] = []
    return holder, _verified.set(holder)


def deaf() -> Token[list[str] | None]:
    """Collect nothing for a call some client of ours records itself, so a call it makes
    in-process cannot leak a verification into the call that caused it."""
    return _verified.set(None)


def stop(token: Token[list[str] | None]) -> None:
    """Undo `listen` or `deaf`."""
    _verified.reset(token)


def attribute(
    verified_parties: list[str], label: str, presented: str | None, reserved: Collection[str]
) -> tuple[str, str | None]:
    """(caller, claimed_caller) of a call recorded by the callee.

    Args:
        verified_parties: what the callee's authentication verified, in order.
        label: the `X-Sandbox-Caller` header as sent ("" if none).
        presented: the party owning a credential id the call presented, if any.
        reserved: names no label may take (institutions and registered partners).
    """
    if verified_parties:
        return verified_parties[-1], None
    named = label.strip()
    taken = named.lower() in reserved
    if presented:
        return EXTERNAL, presented
    if named and taken:
        return EXTERNAL, named.lower()
    if named and LABEL.fullmatch(named):
        return named, None
    return EXTERNAL, None
