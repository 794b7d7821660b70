"""Mermaid: one trace as a `sequenceDiagram`, for docs, lessons, issues and pull requests.

GitHub, GitLab and most Markdown viewers draw Mermaid, so a pasted trace shows who called whom
and in what order without the sandbox running. The diagram nests by time as well as by cause:

- Each call is a request arrow `caller->>callee: METHOD /path` and, once it is over, a dashed
  response arrow `callee-->>caller: 201`, or `callee--xcaller: refused` when none came back.
- Calls made while serving a call (its children by `parent_id`) are drawn between its request
  and response arrows; siblings are in `started_at` order.
- A child that started after its parent had already answered (a webhook delivered later by an
  outbox) is drawn where it happened in time: after that response, under the nearest ancestor
  still open then, or at the top level. Nesting it inside would claim the parent waited for it.

Labels escape what Mermaid would read as syntax (`;` ends a statement, `#` starts an entity,
`:` separates a message, `<` and `>` are HTML) with its `#59;` style entity codes. Participants
are declared in order of first appearance; a party whose name is not a plain identifier (a
persona like "Siti Rahayu") gets a safe id and its name as alias.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sandbox.trace.events import HttpCall

INDENT = "    "
_PLAIN_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = (
    "end participant actor as loop alt else opt par and rect note over left right of autonumber "
    "activate deactivate critical break box create destroy links link option title"
)
_RESERVED = frozenset(_KEYWORDS.split())
"""Words Mermaid reads as keywords: a party with such a name gets a prefixed id."""
_ENTITIES = {";": "#59;", "#": "#35;", ":": "#58;", "<": "#60;", ">": "#62;"}
_ESCAPES = str.maketrans({**_ENTITIES, "\n": " ", "\r": " "})


def to_mermaid(calls: Sequence[HttpCall], titles: Mapping[str, str] | None = None) -> str:
    """The calls as a Mermaid `sequenceDiagram`; `titles` maps party names to readable names."""
    placed = _placed(calls)
    ids = _participant_ids(placed)
    lines = ["sequenceDiagram", f"{INDENT}autonumber"]
    lines += [f"{INDENT}{_participant(name, ids[name], titles)}" for name in ids]
    for call, depth, is_request in placed:
        pad = INDENT * (depth + 1)
        caller, callee = ids[call.caller], ids[call.callee]
        if is_request:
            claim = f" (claims to be {call.claimed_caller})" if call.claimed_caller else ""
            label = escape(f"{call.method} {call.path}{claim}")
            lines.append(f"{pad}{caller}->>{callee}: {label}")
        elif call.status is None:
            lines.append(f"{pad}{callee}--x{caller}: {escape(call.error or 'failed')}")
        else:
            lines.append(f"{pad}{callee}-->>{caller}: {call.status}")
    return "\n".join(lines) + "\n"


def escape(label: str) -> str:
    """A label with Mermaid syntax characters as entity codes and newlines as spaces."""
    return label.translate(_ESCAPES)


def _placed(calls: Sequence[HttpCall]) -> list[tuple[HttpCall, int, bool]]:
    """(call, depth, is_request) per arrow, in drawing order."""
    ordered = sorted(calls, key=lambda call: call.started_at)
    by_span = {call.span_id: call for call in ordered}
    children: dict[str | None, list[HttpCall]] = {}
    for call in ordered:
        children.setdefault(_drawn_parent(call, by_span), []).append(call)
    placed: list[tuple[HttpCall, int, bool]] = []
    drawn: set[int] = set()

    def draw(call: HttpCall, depth: int) -> None:
        drawn.add(id(call))
        placed.append((call, depth, True))
        for child in children.get(call.span_id, []):
            if id(child) not in drawn:
                draw(child, depth + 1)
        placed.append((call, depth, False))

    for call in children.get(None, []):
        draw(call, 0)
    for call in ordered:  # only calls whose parent links loop (malformed data) are left
        if id(call) not in drawn:
            draw(call, 0)
    return placed


def _drawn_parent(call: HttpCall, by_span: Mapping[str, HttpCall]) -> str | None:
    """The span this call is drawn inside: its nearest ancestor still open when it started."""
    seen = {call.span_id}
    parent = by_span.get(call.parent_id or "")
    while parent is not None and parent.span_id not in seen:
        if call.started_at <= _end(parent):
            return parent.span_id
        seen.add(parent.span_id)
        parent = by_span.get(parent.parent_id or "")
    return None


def _end(call: HttpCall) -> float:
    return call.started_at + call.duration_ms / 1000


def _participant_ids(placed: Sequence[tuple[HttpCall, int, bool]]) -> dict[str, str]:
    """Party name to a Mermaid-safe id, in order of first appearance."""
    ids: dict[str, str] = {}
    for call, _, is_request in placed:
        for name in (call.caller, call.callee) if is_request else ():
            if name not in ids:
                ids[name] = _safe_id(name, set(ids.values()))
    return ids


def _safe_id(name: str, taken: set[str]) -> str:
    if _PLAIN_ID.fullmatch(name) and name.lower() not in _RESERVED and name not in taken:
        return name
    base = "p_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _participant(name: str, pid: str, titles: Mapping[str, str] | None) -> str:
    if titles and name in titles:
        return f"participant {pid} as {escape(titles[name])} ({escape(name)})"
    if pid != name:
        return f"participant {pid} as {escape(name)}"
    return f"participant {pid}"
