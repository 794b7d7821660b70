"""What the presenter's stage shows, so that followers can show it too.

The presenter's UI puts a small document on the control API (`PUT /stage`, with the control
token) whenever what it shows changes: the screen (its mode), the trace open in the player and
the call under the player's cursor, and the lesson step on screen with the verdict of its last
run. The followers' read-only UIs read it (`GET /stage`, without a token: it holds no secret,
and the presenter's notes are never in it) and move to the same place.

The runtime keeps only the latest document, in memory, with a version that only grows while
the runtime runs; a follower asks with the tag it last saw and is told "unchanged" (304)
until the presenter moves. The control API checks every field of a document it is given
against the bounds below (`control.StageBody`); these plain dataclasses are what both sides
hold, so the UI never imports pydantic (it would cost the UI's start about 0.1 s).
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MODES = ("map", "trace", "faces", "services", "stories", "composer", "audit", "lesson")
"""The UI's modes (its screens, keys 1 to 8), by the names `SandboxApp` gives them."""
LANGS = ("en", "id")
TRACE_ID = r"^[0-9a-f]{32}$"
"""A W3C trace id: 32 lower-case hex digits, as the wire makes them."""
SPAN_ID = r"^[0-9a-f]{16}$"
"""A W3C span id (a call's id): 16 lower-case hex digits."""
SLUG = r"^([a-z0-9][a-z0-9._-]{0,79})?$"
"""A lesson's folder name (`03-paying-without-leaving`); empty for a lesson kept elsewhere."""
MAX_TEXT = 500
"""A title, an expectation, an error: a line or a short paragraph."""
MAX_OUTPUT = 4000
"""What a step printed (a response, an audit report), cut to what a panel shows anyway."""
MAX_FAILURES = 10
"""Failed expectations carried over; the verdict names the first one in full anyway."""
MAX_TRACES = 10
"""Traces of one step's run (a story or an exercise makes one or a few)."""
MAX_STEPS = 1000
VERDICTS = ("running", "passed", "failed")


@dataclass(frozen=True, slots=True)
class ShownFailure:
    """One failed expectation of the step on screen, in the lesson's words."""

    expectation: str
    expected: str = ""
    happened: str = ""
    because: str = ""


@dataclass(frozen=True, slots=True)
class ShownVerdict:
    """How the last run of the step on screen went (or that it is running)."""

    state: str
    """`running`, `passed` or `failed`."""
    error: str = ""
    """The step could not run at all: why."""
    failures: tuple[ShownFailure, ...] = ()
    output: str = ""
    trace_ids: tuple[str, ...] = ()
    """The run's traces: followers read their calls, to count them and draw them."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShownVerdict:
        """Build from JSON (raises TypeError or KeyError for something else)."""
        failures = tuple(ShownFailure(**_known(ShownFailure, f)) for f in data.get("failures", ()))
        trace_ids = tuple(str(t) for t in data.get("trace_ids", ()))
        return cls(**{**_known(cls, data), "failures": failures, "trace_ids": trace_ids})


@dataclass(frozen=True, slots=True)
class ShownLesson:
    """The lesson on the presenter's screen and the step it is at."""

    slug: str
    """The lesson's folder name: followers look it up among the sandbox's lessons."""
    lang: str
    title: str
    step: int
    """0-based index of the step on screen."""
    steps: int
    step_title: str = ""
    verdict: ShownVerdict | None = None
    """None: the step has not run (or only tells)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ShownLesson:
        """Build from JSON (raises TypeError or KeyError for something else)."""
        verdict = data.get("verdict")
        shown = ShownVerdict.from_dict(verdict) if verdict else None
        return cls(**{**_known(cls, data), "verdict": shown})


@dataclass(frozen=True, slots=True)
class StageView:
    """What the presenter's stage shows."""

    mode: str
    """One of MODES."""
    trace_id: str | None = None
    """The trace open in the player (mode `trace`)."""
    span_id: str | None = None
    """The call under the player's cursor."""
    response: bool = False
    """The cursor is on that call's response arrow, not its request."""
    lesson: ShownLesson | None = None
    """The lesson open in the presenter's UI, whichever screen it shows."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageView:
        """Build from JSON (raises TypeError or KeyError for something else)."""
        lesson = data.get("lesson")
        shown = ShownLesson.from_dict(lesson) if lesson else None
        return cls(**{**_known(cls, data), "lesson": shown})


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of `data` that `cls` has (a newer sandbox may say more)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass
class StageBoard:
    """The latest StageView and its version (0 before anything was shown).

    Used only on the runtime's event loop (the control API's routes), so it needs no lock.
    """

    version: int = 0
    view: StageView | None = None
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    """Tells this runtime's versions from another's (a restarted sandbox counts again)."""

    @property
    def tag(self) -> str:
        """The document's ETag: another tag means another document."""
        return f'"{self.epoch}-{self.version}"'

    def put(self, view: StageView) -> int:
        """Show `view`; the version grows only when it differs from what is shown."""
        if view != self.view:
            self.version += 1
            self.view = view
        return self.version
