"""Two recorded calls side by side: what changed between a payment and its retry.

Plain data for any viewer (the UI's compare screen, a test): rows of a left and a right text,
each row saying whether the two sides are the same, changed, or present on one side only.
Bodies that are both JSON are compared by structure - keys matched by name at every depth,
list items matched as a diff matches lines - so a reordered or re-indented body shows only
what really differs, and each difference is named by its path (`totalAmount.value`). Other
bodies are compared line by line. Headers are matched by name, whatever their case.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sandbox.trace.events import Headers, HttpCall

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
"""Row kinds: `added` is only on the right (the second call), `removed` only on the left."""
PARSE_LIMIT = 256_000
"""Bodies longer than this (characters) are compared as text, without parsing them as JSON."""
MAX_ROWS = 2_000
"""Rows of one section at most; past it the section says how many it left out."""
_INDENT = "  "


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the comparison; a side is None where that call has nothing."""

    left: str | None
    right: str | None
    kind: str
    """SAME, CHANGED, ADDED or REMOVED."""


@dataclass(frozen=True, slots=True)
class Section:
    """One part of both calls (the request line, the request headers...), row by row."""

    title: str
    """One of SECTION_TITLES (the viewer translates it)."""
    rows: tuple[Row, ...]
    changes: tuple[tuple[str, str], ...] = ()
    """(where, kind) of each difference, for a summary: a header's name, or a JSON body's path
    (`totalAmount.value`, `items[2]`; "" for the whole body). Empty for a body compared line
    by line."""
    left_out: int = 0
    """Rows past MAX_ROWS that are not in `rows`."""

    @property
    def differs(self) -> bool:
        """True when any row is not the same on both sides."""
        return self.left_out > 0 or any(row.kind != SAME for row in self.rows)


SECTION_TITLES = ("request headers", "request body", "response headers", "response body")
"""The sections of `compare_calls`, in order."""


def compare_calls(left: HttpCall, right: HttpCall) -> tuple[Section, ...]:
    """Headers and bodies of two calls, left (the marked one) against right; the request line
    and the status are the viewer's to word."""
    return (
        _section("request headers", compare_headers(left.request_headers, right.request_headers)),
        _section("request body", compare_bodies(left.request_body, right.request_body)),
        _section(
            "response headers", compare_headers(left.response_headers, right.response_headers)
        ),
        _section("response body", compare_bodies(left.response_body, right.response_body)),
    )


def _section(title: str, found: tuple[list[Row], list[tuple[str, str]]]) -> Section:
    rows, changes = found
    return Section(title, tuple(rows[:MAX_ROWS]), tuple(changes), max(len(rows) - MAX_ROWS, 0))


# -- headers -------------------------------------------------------------------------------


def compare_headers(left: Headers, right: Headers) -> tuple[list[Row], list[tuple[str, str]]]:
    """Headers matched by name (case-insensitive; repeated ones joined), left's order first."""
    a, b = _by_name(left), _by_name(right)
    rows: list[Row] = []
    changes: list[tuple[str, str]] = []
    for key in [*a, *(k for k in b if k not in a)]:
        (name_a, value_a), (name_b, value_b) = a.get(key, (key, None)), b.get(key, (key, None))
        line_a = None if value_a is None else f"{name_a}: {value_a}"
        line_b = None if value_b is None else f"{name_b}: {value_b}"
        kind = SAME if value_a == value_b else REMOVED if line_b is None else \
            ADDED if line_a is None else CHANGED  # fmt: skip
        rows.append(Row(line_a, line_b, kind))
        if kind != SAME:
            changes.append((name_b if line_a is None else name_a, kind))
    return rows, changes


def _by_name(headers: Headers) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name, value in headers:
        key = name.lower()
        if key in found:
            found[key] = (found[key][0], f"{found[key][1]}, {value}")
        else:
            found[key] = (name, value)
    return found


# -- bodies --------------------------------------------------------------------------------


def compare_bodies(left: str, right: str) -> tuple[list[Row], list[tuple[str, str]]]:
    """Bodies by JSON structure when both are JSON objects or arrays, else line by line."""
    a, b = _json(left), _json(right)
    if a is not _NOT_JSON and b is not _NOT_JSON:
        diff = _JsonDiff()
        diff.align(a, b, "", "", 0)
        return diff.rows, diff.changes
    return _lines(_pretty(left, a), _pretty(right, b)), []


class _NotJson:
    """Marks a body that is not a JSON object or array (None, numbers and strings are JSON)."""


_NOT_JSON = _NotJson()


def _json(body: str) -> Any:
    if len(body) > PARSE_LIMIT or body.lstrip()[:1] not in ("{", "["):
        return _NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _pretty(body: str, parsed: Any) -> str:
    """A JSON body indented (compared with a body that is not JSON, line by line)."""
    if parsed is _NOT_JSON:
        return body
    return json.dumps(parsed, indent=2, ensure_ascii=False)


class _JsonDiff:
    """Rows and named differences of two JSON values, built by walking both at once."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.changes: list[tuple[str, str]] = []

    def align(self, a: Any, b: Any, label: str, path: str, depth: int) -> None:
        """Rows for one value on both sides, matched by structure where both are containers."""
        indent = _INDENT * depth
        if _canonical(a) == _canonical(b):  # equal as JSON (1 and 1.0 are not: the wire differs)
            self.rows.extend(Row(line, line, SAME) for line in _render(a, label, depth))
        elif isinstance(a, dict) and isinstance(b, dict):
            self.rows.append(Row(f"{indent}{label}{{", f"{indent}{label}{{", SAME))
            for key in [*a, *(k for k in b if k not in a)]:
                child = f"{json.dumps(key, ensure_ascii=False)}: "
                where = f"{path}.{key}" if path else str(key)
                if key in a and key in b:
                    self.align(a[key], b[key], child, where, depth + 1)
                else:
                    self.one_side(a.get(key), b.get(key), key in a, child, where, depth + 1)
            self.rows.append(Row(f"{indent}}}", f"{indent}}}", SAME))
        elif isinstance(a, list) and isinstance(b, list):
            self.rows.append(Row(f"{indent}{label}[", f"{indent}{label}[", SAME))
            self.align_items(a, b, path, depth + 1)
            self.rows.append(Row(f"{indent}]", f"{indent}]", SAME))
        else:
            self.changes.append((path, CHANGED))  # "" is the whole body
            pairs = zip_longest(_render(a, label, depth), _render(b, label, depth))
            self.rows.extend(Row(x, y, CHANGED) for x, y in pairs)

    def align_items(self, a: list[Any], b: list[Any], path: str, depth: int) -> None:
        """List items matched as a diff matches lines: an inserted item shifts nothing else."""
        matcher = difflib.SequenceMatcher(
            None, [_canonical(x) for x in a], [_canonical(y) for y in b], autojunk=False
        )
        # Position within each opcode is enough: equal items align as the same rows.
        for _op, a0, a1, b0, b1 in matcher.get_opcodes():
            for offset in range(max(a1 - a0, b1 - b0)):
                i, j = a0 + offset, b0 + offset
                has_a, has_b = i < a1, j < b1
                where = f"{path}[{i if has_a else j}]"
                if has_a and has_b:
                    self.align(a[i], b[j], "", where, depth)
                else:
                    item_a, item_b = (a[i], None) if has_a else (None, b[j])
                    self.one_side(item_a, item_b, has_a, "", where, depth)

    def one_side(self, a: Any, b: Any, on_left: bool, label: str, path: str, depth: int) -> None:
        """A value only one call has: removed (left only) or added (right only)."""
        if on_left:
            self.changes.append((path, REMOVED))
            self.rows.extend(Row(line, None, REMOVED) for line in _render(a, label, depth))
        else:
            self.changes.append((path, ADDED))
            self.rows.extend(Row(None, line, ADDED) for line in _render(b, label, depth))


def _render(value: Any, label: str, depth: int) -> list[str]:
    """`value` as indented lines, without commas (a comparison, not a document to parse)."""
    indent = _INDENT * depth
    if isinstance(value, dict) and value:
        lines = [f"{indent}{label}{{"]
        for key, item in value.items():
            lines += _render(item, f"{json.dumps(key, ensure_ascii=False)}: ", depth + 1)
        return [*lines, f"{indent}}}"]
    if isinstance(value, list) and value:
        lines = [f"{indent}{label}["]
        for item in value:
            lines += _render(item, "", depth + 1)
        return [*lines, f"{indent}]"]
    return [f"{indent}{label}{json.dumps(value, ensure_ascii=False)}"]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _lines(left: str, right: str) -> list[Row]:
    a, b = left.splitlines(), right.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(Row(line, line, SAME) for line in a[a0:a1])
            continue
        for x, y in zip_longest(a[a0:a1], b[b0:b1]):
            kind = CHANGED if x is not None and y is not None else ADDED if x is None else REMOVED
            rows.append(Row(x, y, kind))
    return rows
