"""What the map keeps drawn: the current trace's calls, edge by edge, until the next trace.

A class watches a story and then talks about it, so the picture must outlast the calls: every
call of the trace on screen stays drawn, each direction between two parties its own edge, with
how many calls it carried and the last one's method, path and status (and whether the
others went to other paths). A call of a new trace
starts a new picture; a late call of an older trace (a webhook retried an hour later) does not
take the picture away from the trace being discussed.

Pure: no Textual. Parties are service slugs; callers that are not services (personas, tools,
`external`) are kept by their own names and drawn in the people box.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sandbox.trace.events import HttpCall
from sandbox.trace.steps import step_of

_SEEN_TRACES = 256


@dataclass(slots=True)
class Edge:
    """The calls one party made to another in the picture."""

    caller: str
    callee: str
    last: HttpCall
    count: int = 1
    failed: int = 0
    """Calls that got a 5xx or no answer."""
    mixed: bool = False
    """True once the edge carried calls to more than one method and path: its label then says
    that the path shown is only the last call's."""

    @property
    def key(self) -> tuple[str, str]:
        """(caller, callee)."""
        return self.caller, self.callee


@dataclass(slots=True)
class Picture:
    """The calls of one trace, gathered into edges."""

    trace_id: str | None = None
    calls: list[HttpCall] = field(default_factory=list)
    edges: OrderedDict[tuple[str, str], Edge] = field(default_factory=OrderedDict)
    """In order of their first call."""
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _spans: set[str] = field(default_factory=set)

    def add(self, call: HttpCall) -> bool:
        """Take in a new call; True when the picture changed (a new trace replaces the old)."""
        if call.trace_id != self.trace_id:
            if call.trace_id in self._seen and call.parent_id is not None:
                return False  # a late call of a trace already replaced: keep the picture
            self._start(call.trace_id)
        self._take(call)
        return True

    def load(self, calls: Iterable[HttpCall]) -> None:
        """Show exactly these calls (one trace, as the player or a lesson step shows it)."""
        ordered = sorted(calls, key=lambda c: c.started_at)
        self._start(ordered[0].trace_id if ordered else None)
        for call in ordered:
            self._take(call)

    def clear(self) -> None:
        """Show nothing until the next call."""
        self._start(None)

    def parties(self) -> list[str]:
        """Everyone in the picture, in order of first appearance (caller before callee)."""
        seen: dict[str, None] = {}
        for call in sorted(self.calls, key=lambda c: c.started_at):
            seen.setdefault(call.caller, None)
            seen.setdefault(call.callee, None)
        return list(seen)

    def story(self) -> str | None:
        """The story or lesson that made the trace, if its calls say so."""
        for call in self.calls:
            step = step_of(call)
            if step is not None:
                return step.source
        return None

    def _start(self, trace_id: str | None) -> None:
        self.trace_id = trace_id
        self.calls = []
        self._spans = set()
        self.edges = OrderedDict()
        if trace_id is not None:
            self._seen[trace_id] = None
            self._seen.move_to_end(trace_id)
            while len(self._seen) > _SEEN_TRACES:
                self._seen.popitem(last=False)

    def _take(self, call: HttpCall) -> None:
        if call.caller == call.callee or call.span_id in self._spans:
            return  # a call met twice (loaded, then live) is drawn once
        self._spans.add(call.span_id)
        self.calls.append(call)
        key = (call.caller, call.callee)
        failed = 1 if call.status is None or call.status >= 500 else 0
        edge = self.edges.get(key)
        if edge is None:
            self.edges[key] = Edge(call.caller, call.callee, call, 1, failed)
            return
        edge.count += 1
        edge.failed += failed
        edge.mixed = edge.mixed or not same_kind(call, edge.last)
        if call.started_at >= edge.last.started_at:
            edge.last = call


def same_kind(a: HttpCall, b: HttpCall) -> bool:
    """The same method and path (the query aside): an edge's count may say `3×` of it."""
    return a.method == b.method and a.path.split("?", 1)[0] == b.path.split("?", 1)[0]
