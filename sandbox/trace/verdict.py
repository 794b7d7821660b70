"""A lesson step's verdict, as it travels to a class's collector or teacher's board.

The lesson engine judges a step where the learner runs it (the terminal UI or `sandbox lesson
check`), but the stream to the class (`sandbox up --otlp-endpoint`) lives in the running
sandbox. So the engine reports each verdict to the sandbox's control API, which hands it to
that stream as one more span (`sandbox.trace.export.otlp.verdict_span`) in the step's own
trace: the teacher finds "failed" next to the calls that failed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.trace import redact

VERDICTS = ("passed", "failed", "error")
"""`error`: the step could not run at all (a service down, the learner's code raised)."""
MAX_TEXT = 500
"""Characters of the title or expectation kept: a line on the board, not an essay."""
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class LessonVerdict:
    """One run of one lesson step, judged."""

    lesson: str
    """The lesson's slug (`3-paying-without-leaving`)."""
    step: int
    """The step's number, from 1."""
    title: str
    verdict: str
    """One of VERDICTS."""
    expectation: str
    """The first expectation not met, in the lesson's words ("" when passed)."""
    trace_id: str
    """The step's trace (32 hex digits), or one of its own when the step made no call."""
    at: float
    """Unix seconds when it was judged."""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        if not TRACE_ID.match(self.trace_id):
            raise ValueError("trace_id must be 32 lowercase hex digits")
        # What a learner's failing check quotes may hold a NIK or a secret from a body.
        object.__setattr__(self, "title", _clean(self.title))
        object.__setattr__(self, "expectation", _clean(self.expectation))


def _clean(text: str) -> str:
    return redact.text(text[: MAX_TEXT * 2])[:MAX_TEXT] if text else ""
