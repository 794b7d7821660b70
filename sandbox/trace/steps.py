"""Which story or lesson step made a call, read from the call's `x-sandbox-step` header.

A story or lesson sets the header on the calls its steps make (`format_step` writes it,
`sandbox.wire.context.stamp_step` puts it on a request). It lives here, below the wire and the
TUI, because both the stage and the exporters read it from recorded calls, and a recorded call
is all they have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from sandbox.trace.events import HttpCall

STEP_HEADER = "x-sandbox-step"
"""Set by a story or lesson on the calls its steps make (`checkout#4 She pays the VA`), so the
stage can say which step of which story drew an arrow, even for a story run from a terminal."""


def format_step(source: str, number: int, sentence: str) -> str:
    """The header value for a step (latin-1 safe: anything else is percent-encoded)."""
    return f"{quote(source, safe='')}#{number} {quote(sentence, safe=' ,.;:()!?/-')}"


@dataclass(frozen=True, slots=True)
class Step:
    """The sentence of the story or lesson step that made a call."""

    source: str
    """The story or lesson (`checkout`, `lesson 3`)."""
    number: int
    sentence: str


def step_of(call: HttpCall) -> Step | None:
    """The step a call's `x-sandbox-step` header names (only calls a story or lesson made)."""
    for name, value in call.request_headers:
        if name.lower() == STEP_HEADER:
            return parse_step(value)
    return None


def parse_step(value: str) -> Step | None:
    """`checkout#4 She%20pays` as a Step; None when it is not one."""
    head, _, sentence = value.partition(" ")
    source, _, number = head.rpartition("#")
    if not source or not number.isascii() or not number.isdigit():
        return None
    return Step(unquote(source), int(number), unquote(sentence))


def steps_for(calls: Sequence[HttpCall]) -> dict[str, Step]:
    """The step behind every call of a trace (by span id): a call without its own header
    was made while serving one that has it (the social app's order call during Buy)."""
    found: dict[str, Step] = {}
    for call in sorted(calls, key=lambda c: c.started_at):
        step = step_of(call)
        if step is None and call.parent_id is not None:
            step = found.get(call.parent_id)
        if step is not None:
            found[call.span_id] = step
    return found
