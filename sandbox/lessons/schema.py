"""Checking a step's TOML block against docs/lesson-format.md: the step and its expectations.

Every check adds a Problem with the file line of the key at fault and a hint for the fix; the
loader builds the step from what passed, so the linter can report everything in one run. The
action's checks live in `action_schema`.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.lessons.action_schema import METHODS, check_action
from sandbox.lessons.model import Action, Expectation
from sandbox.lessons.step_check import (
    HUMAN_KEYS,
    MAX_WAIT,
    StepCheck,
    Verdict,
    check_operation,
    check_placeholders,
    suggest,
)
from sandbox.lessons.values import PLACEHOLDER

__all__ = ["CALL_KINDS", "HUMAN_KEYS", "StepCheck", "check_step"]

CALL_KINDS = ("request", "story", "exercise", "wait")
"""Kinds whose calls `[[expect]]` entries judge (`wait`: the calls of the last such step)."""
EXPECT_KEYS = (
    "caller",
    "callee",
    "method",
    "path",
    "status",
    "request",
    "response",
    "request_has",
    "response_has",
    "request_lacks",
    "response_lacks",
    "request_headers_has",
    "request_headers_lacks",
    "count",
    "never",
    "within",
    "after",
    "label",
    "because",
)
AUDIT_KEYS = ("rule", "outcome", "label", "because")
MISSING_ENDPOINT = (404, 405)
"""An expectation (or a step) that expects these shows a missing endpoint on purpose."""
_STATUS_CLASS = re.compile(r"[1-5]xx")
_PATH_CHARS = re.compile(r"/[^\s?#]*")


def check_step(
    data: dict[str, Any], ctx: StepCheck
) -> tuple[Action | None, tuple[Expectation, ...], tuple[str, ...]]:
    """The step's action, expectations and hints, with problems added to `ctx`."""
    for key in data:
        if key not in ("action", "expect"):
            ctx.add(
                ctx.where.key("", 0, key) if key not in _tables(ctx) else ctx.where.table(key),
                f"unknown table or key {key!r} in a step",
                suggest(key, ("action", "expect"))
                or "a step holds [action] and [[expect]] entries only",
            )
    expects = data.get("expect")
    on_purpose = isinstance(expects, list) and any(
        isinstance(e, dict) and e.get("status") in MISSING_ENDPOINT for e in expects
    )
    action = check_action(data.get("action"), ctx, check_path=not on_purpose)
    raw = data.get("expect", [])
    if not isinstance(raw, list):
        ctx.add(
            ctx.where.table("expect"),
            "`expect` must be a list of tables",
            "write each expectation as its own [[expect]] table",
        )
        raw = []
    expectations = tuple(_expectation(entry, i, action, ctx) for i, entry in enumerate(raw))
    _check_after(expectations, ctx)
    hints = (
        tuple(action.spec.get("hints", ()))
        if action and action.kind in ("exercise", "audit")
        else ()
    )
    return action, tuple(e for e in expectations if e is not None), hints


def _tables(ctx: StepCheck) -> set[str]:
    return {name for name, _ in ctx.where.headers}


def _expectation(raw: Any, index: int, action: Action | None, ctx: StepCheck) -> Expectation | None:
    line = ctx.where.table("expect", index)
    if not isinstance(raw, dict):
        ctx.add(line, "each expectation must be a table", "write it as an [[expect]] table")
        return None
    kind = action.kind if action else None
    if kind == "audit":
        return _audit_expectation(raw, index, line, ctx)
    if kind not in CALL_KINDS:
        ctx.add(
            line,
            f"a {'narration-only' if kind is None else kind!r} step has no calls to check",
            "put [[expect]] after a request, story, exercise or wait action",
        )
        return None
    for key in raw:
        if key not in EXPECT_KEYS:
            ctx.add(
                ctx.where.key("expect", index, key),
                f"unknown expectation key {key!r}",
                suggest(key, EXPECT_KEYS) or f"keys: {', '.join(EXPECT_KEYS)}",
            )
    for key, check in _EXPECT_CHECKS.items():
        if key in raw:
            problem = check(raw[key], ctx)
            if problem:
                ctx.add(ctx.where.key("expect", index, key), f"bad {key}: {problem[0]}", problem[1])
    if raw.get("never") and "count" in raw:
        ctx.add(line, "`never` and `count` together", "never = true already means count 0")
    check_placeholders(raw, "expect", index, ctx)
    if (
        "path" in raw
        and not _path(raw["path"], ctx)
        and not _method_ok(raw, ctx)
        and raw.get("status") not in MISSING_ENDPOINT
    ):
        callee = raw.get("callee")
        check_operation(
            callee if isinstance(callee, str) else None,
            raw.get("method"),
            raw["path"],
            ctx.where.key("expect", index, "path"),
            ctx,
            never=bool(raw.get("never")) or raw.get("count") == 0,
        )
    return Expectation(dict(raw), line)


def _method_ok(raw: dict[str, Any], ctx: StepCheck) -> Verdict:
    """A problem with the method (already reported), so the operation is not looked up."""
    return _method(raw["method"], ctx) if "method" in raw else None


def _audit_expectation(
    raw: dict[str, Any], index: int, line: int, ctx: StepCheck
) -> Expectation | None:
    for key in raw:
        if key not in AUDIT_KEYS:
            ctx.add(
                ctx.where.key("expect", index, key),
                f"{key!r} is not a key of an audit expectation",
                "after an audit action: rule, outcome, label, because",
            )
    rule = raw.get("rule")
    known = (*ctx.known.rules, *sorted(ctx.rules))
    if rule not in known:
        ctx.add(
            ctx.where.key("expect", index, "rule"),
            f"unknown audit rule {rule!r}",
            suggest(str(rule), known) or f"rules: {', '.join(known)}",
        )
    if raw.get("outcome", "pass") not in ("pass", "fail"):
        ctx.add(
            ctx.where.key("expect", index, "outcome"),
            f"bad outcome {raw.get('outcome')!r}",
            'outcome = "pass" or "fail"',
        )
    return Expectation(dict(raw), line)


def _party(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, str):
        return "a name in quotes", 'for example caller = "marketplace"'
    names = (*ctx.services, *ctx.known.callers)
    if value not in names:
        return f"nobody called {value!r}", suggest(value, names) or ", ".join(names)
    return None


def _method(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, str) or value.upper() not in METHODS:
        return f"{value!r} is not an HTTP method", f"one of {', '.join(METHODS)}"
    return None


def _path(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, str) or not _PATH_CHARS.fullmatch(PLACEHOLDER.sub("x", value)):
        return (
            f"{value!r} is not a path pattern",
            "start with /, no query string; * matches in one segment, ** across segments",
        )
    return None


def _status(value: Any, ctx: StepCheck) -> Verdict:
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return None
    if isinstance(value, str) and (_STATUS_CLASS.fullmatch(value) or value == "failed"):
        return None
    return f"{value!r}", 'an exact status (201), a class ("2xx", "4xx") or "failed"'


def _fields(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, dict):
        return "must be a table", '{ "dotted.path" = value }, for example { status = "PAID" }'
    return None


def _paths(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return "must be a list of names", 'for example ["order_id", "payment.va_number"]'
    return None


def _count(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"{value!r}", "a whole number, 0 or more"
    return None


def _never(value: Any, ctx: StepCheck) -> Verdict:
    return None if value is True else (f"{value!r}", "never = true, or leave it out")


def _within(value: Any, ctx: StepCheck) -> Verdict:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= MAX_WAIT:
        return f"{value!r}", f"seconds, above 0 and at most {MAX_WAIT}"
    return None


def _text(value: Any, ctx: StepCheck) -> Verdict:
    return None if isinstance(value, str) and value.strip() else ("must be text", "")


_EXPECT_CHECKS = {
    "caller": _party,
    "callee": _party,
    "method": _method,
    "path": _path,
    "status": _status,
    "request": _fields,
    "response": _fields,
    "request_has": _paths,
    "response_has": _paths,
    "request_lacks": _paths,
    "response_lacks": _paths,
    "request_headers_has": _paths,
    "request_headers_lacks": _paths,
    "count": _count,
    "never": _never,
    "within": _within,
    "after": _text,
    "label": _text,
    "because": _text,
}


def _check_after(expectations: tuple[Expectation | None, ...], ctx: StepCheck) -> None:
    labels = {e.spec.get("label") for e in expectations if e is not None}
    for e in expectations:
        if e is not None and "after" in e.spec and e.spec["after"] not in labels:
            ctx.add(
                e.line,
                f"`after` names no expectation of this step: {e.spec['after']!r}",
                "give the earlier expectation a `label` and use the same text in `after`",
            )
