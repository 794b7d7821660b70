"""The map's load panel: per edge, calls per second, p95 latency and error rate over the last
few seconds, and the webhook backlog - what a flash sale does to each edge, live.

A sale records thousands of calls a second, so the figures are kept incrementally: each call
adds one entry to its edge's window and one count to a latency histogram, and leaving the
window takes them out again. Drawing reads at most a few dozen histogram buckets per edge,
whatever the traffic. Time is the calls' own `started_at` (the runtime's clock), never the
wall clock: the window ends at the newest call seen.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import _

WINDOW_S = 5.0
"""The figures cover the calls that started in the last this many seconds."""
HEAVY_PER_S = 50.0
"""Above this many calls a second in all, the panel shows itself (a sale is on)."""
_RATIO = 1.15
"""Each latency bucket is 15 % wider than the one before: p95 to within about 15 %."""
_FLOOR_MS = 0.1
_BUCKETS = 100
"""0.1 ms up to about 20 minutes: enough for any answer here."""


def _bucket(ms: float) -> int:
    if ms <= _FLOOR_MS:
        return 0
    return min(_BUCKETS - 1, 1 + int(math.log(ms / _FLOOR_MS, _RATIO)))


def _upper_ms(bucket: int) -> float:
    """The largest latency bucket `bucket` holds (what p95 reports)."""
    return _FLOOR_MS * _RATIO**bucket


@dataclass
class _Edge:
    recent: deque[tuple[float, int, bool]] = field(default_factory=deque)
    """(started_at, bucket, failed) of each call in the window, oldest first."""
    histogram: list[int] = field(default_factory=lambda: [0] * _BUCKETS)
    errors: int = 0

    def add(self, at: float, bucket: int, failed: bool) -> None:
        self.recent.append((at, bucket, failed))
        self.histogram[bucket] += 1
        self.errors += failed

    def forget_before(self, start: float) -> None:
        while self.recent and self.recent[0][0] < start:
            _at, bucket, failed = self.recent.popleft()
            self.histogram[bucket] -= 1
            self.errors -= failed

    def p95_ms(self) -> float:
        rank, seen = math.ceil(0.95 * len(self.recent)), 0
        for bucket, count in enumerate(self.histogram):
            seen += count
            if seen >= rank:
                return _upper_ms(bucket)
        return 0.0


@dataclass(frozen=True)
class EdgeFigures:
    """One edge over the window."""

    edge: tuple[str, str]
    per_s: float
    p95_ms: float
    error_rate: float
    """Calls with no answer or a 5xx, as a share of the edge's calls (a 4xx is an answer)."""


class EdgeLoad:
    """Calls per second, p95 and error rate per edge over a sliding window, kept as calls
    arrive; `figures()` costs the same at ten calls a second as at ten thousand."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._edges: dict[tuple[str, str], _Edge] = {}
        self._first = math.inf
        self._newest = -math.inf

    def add(self, calls: Iterable[HttpCall]) -> None:
        """Count new calls (in any order; a call older than the window is ignored)."""
        for call in calls:
            self._newest = max(self._newest, call.started_at)
            if call.started_at < self._newest - self.window_s:
                continue
            self._first = min(self._first, call.started_at)
            failed = call.status is None or call.status >= 500
            edge = self._edges.get((call.caller, call.callee))
            if edge is None:
                edge = self._edges[(call.caller, call.callee)] = _Edge()
            edge.add(call.started_at, _bucket(call.duration_ms or 0.0), failed)
        start = self._newest - self.window_s
        for edge in self._edges.values():
            edge.forget_before(start)

    def clear(self) -> None:
        """Forget every call (the world was reset)."""
        self._edges.clear()
        self._first, self._newest = math.inf, -math.inf

    def span_s(self) -> float:
        """Seconds the figures cover: the window, or less when traffic began more recently."""
        if self._newest == -math.inf:
            return 0.0
        return max(1.0, min(self.window_s, self._newest - self._first))

    def figures(self) -> list[EdgeFigures]:
        """Each edge with calls in the window, the busiest first."""
        span = self.span_s()
        found = [
            EdgeFigures(
                key,
                round(len(edge.recent) / span, 1),
                round(edge.p95_ms(), 1),
                edge.errors / len(edge.recent),
            )
            for key, edge in self._edges.items()
            if edge.recent
        ]
        return sorted(found, key=lambda f: (-f.per_s, f.edge))

    def per_s(self) -> float:
        """Calls per second over the window, all edges together."""
        span = self.span_s()
        return sum(len(e.recent) for e in self._edges.values()) / span if span else 0.0


class LoadPanel(Static):
    """The load figures as a small table over the map (key `p`, or by itself in a sale)."""

    DEFAULT_CSS = """
    LoadPanel { width: 56; height: auto; padding: 0 1; }
    """
    WIDTH = 56

    def show(self, figures: list[EdgeFigures], backlog: int, rows: int = 8) -> None:
        """Draw the busiest `rows` edges and the webhook backlog (text from the wire is
        plain `Text`, never markup)."""
        edge, per_s, p95, errors = _("edge"), _("calls/s"), _("p95 ms"), _("errors")
        table = Text(f"{edge:26} {per_s:>8} {p95:>8} {errors:>7}\n", style="bold")
        for f in figures[:rows]:
            name = f"{f.edge[0]}→{f.edge[1]}"[:26]
            line = Text(f"{name:26} {f.per_s:>8} {f.p95_ms:>8} ")
            line.append(f"{f.error_rate:>6.0%}\n", style="bold" if f.error_rate else "")
            table.append_text(line)
        if not figures:
            table.append(_("(no calls in the last {seconds} s)").format(seconds=f"{WINDOW_S:g}"))
            table.append("\n")
        table.append(_("webhook backlog: {count} pending").format(count=backlog))
        self.update(table)
