"""W3C Trace Context: which trace and span the current request belongs to.

A context variable carries the span of the inbound call being served, so an outbound call made
while serving it becomes its child without any service passing ids around by hand.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass

from sandbox.trace.steps import STEP_HEADER

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}")


@dataclass(frozen=True, slots=True)
class Span:
    """Where we are in a trace: the trace id and the id of the current call."""

    trace_id: str
    span_id: str
    """Empty for the root of a story (a scenario): its calls then have no parent."""


def root_span() -> Span:
    """A fresh trace for a story: every call made under it shares the trace id."""
    return Span(new_trace_id(), "")


current_span: ContextVar[Span | None] = ContextVar("sandbox_current_span", default=None)


_ids = random.Random()
"""Trace ids need to be unique, not secret: a seeded-from-urandom PRNG is enough and avoids a
system call per call (os.urandom showed up in profiles of the recording path)."""


_NIK_LIKE = re.compile(r"[0-9]{16}")
"""Sixteen decimal digits in a row read as a NIK to the redactor and the audit."""


def new_trace_id() -> str:
    """32 random hex digits (never all zeros, as W3C requires; never 16 decimal digits in a
    row, which the redactor would mask as a NIK and the audit report as personal data)."""
    while True:
        text = f"{_ids.getrandbits(128) or 1:032x}"
        if not _NIK_LIKE.search(text):
            return text


def new_span_id() -> str:
    """16 random hex digits (never all zeros, never all decimal: see `new_trace_id`)."""
    while True:
        text = f"{_ids.getrandbits(64) or 1:016x}"
        if not text.isdigit():
            return text


def random_hex(nbytes: int = 8) -> str:
    """`nbytes` random bytes as hex, for nonces and ids that travel in calls, never with 16
    decimal digits in a row: such a run reads as a NIK, so the redactor masks it and the
    audit reports personal data where there is none (an all-decimal nonce, one in about
    1,800, failed SOC-DATA for a social app call that carried none)."""
    while True:
        text = secrets.token_hex(nbytes)
        if not _NIK_LIKE.search(text):
            return text


def parse_traceparent(value: str | None) -> Span | None:
    """The caller's trace and span from a `traceparent` header, or None if absent or invalid."""
    if not value:
        return None
    match = _TRACEPARENT.fullmatch(value.strip().lower())
    if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return Span(match.group(1), match.group(2))


def format_traceparent(span: Span) -> str:
    """The `traceparent` header value for a call made as `span`."""
    return f"00-{span.trace_id}-{span.span_id}-01"


current_step: ContextVar[str | None] = ContextVar("sandbox_current_step", default=None)
"""The `x-sandbox-step` value for calls made now, or None outside a story or lesson step."""


def stamp_step(headers: MutableMapping[str, str]) -> None:
    """Name the current story or lesson step on an outgoing request, unless it already does."""
    step = current_step.get()
    if step is not None and STEP_HEADER not in headers:
        headers[STEP_HEADER] = step
