"""Text renderings of recorded calls for terminals: a waterfall of one trace, a line per call."""

from __future__ import annotations

import time

from sandbox.trace.events import HttpCall
from sandbox.trace.store import iter_tree

BAR_WIDTH = 24


def call_line(call: HttpCall) -> str:
    """One line for `trace tail`: time, parties, request, outcome, duration."""
    clock = time.strftime("%H:%M:%S", time.localtime(call.started_at))
    outcome = str(call.status) if call.status is not None else (call.error or "failed")
    return (
        f"{clock} {call.trace_id[:8]} {call.who:>12} -> {call.callee:<12} "
        f"{call.method:<6} {call.path[:60]:<60} {outcome:>7} {call.duration_ms:8.1f} ms"
    )


def waterfall(calls: list[HttpCall], mark: str | None = None) -> list[str]:
    """The call tree of one trace, indented by depth, with a timing bar per call; the call
    whose span id is `mark` starts with `>`."""
    if not calls:
        return []
    start = min(c.started_at for c in calls)
    end = max(c.started_at + c.duration_ms / 1000 for c in calls)
    span = max(end - start, 1e-6)
    parties = list(dict.fromkeys([c.caller for c in calls] + [c.callee for c in calls]))
    lines = [
        f"trace {calls[0].trace_id}  {len(calls)} calls  {', '.join(parties)}  {span * 1000:.1f} ms"
    ]
    for depth, call in iter_tree(calls):
        left = int((call.started_at - start) / span * BAR_WIDTH)
        width = max(1, round(call.duration_ms / 1000 / span * BAR_WIDTH))
        bar = (" " * left + "█" * width)[:BAR_WIDTH].ljust(BAR_WIDTH)
        outcome = str(call.status) if call.status is not None else (call.error or "failed")
        label = f"{'  ' * depth}{call.who} -> {call.callee} {call.method} {call.path}"
        pointer = "> " if mark is not None and call.span_id == mark else "  "
        lines.append(f"{pointer}{label[:78]:<78} {outcome:>7} {call.duration_ms:8.1f} ms |{bar}|")
    return lines
