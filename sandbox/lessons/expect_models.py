"""An `[[expect]]` table as a model: on the calls of a step, or on an audit's verdicts
(docs/lesson-format.md, Expectations)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field

from sandbox.lessons.action_models import METHODS
from sandbox.lessons.step_check import (
    MAX_WAIT,
    Verdict,
    operation_problem,
    placeholder_problems,
    suggest,
)
from sandbox.lessons.tables import Rule, Says, Scope, Table, among, checked
from sandbox.lessons.values import PLACEHOLDER

MISSING_ENDPOINT = (404, 405)
"""An expectation (or a step) that expects these shows a missing endpoint on purpose."""
_PATH_CHARS = re.compile(r"/[^\s?#]*")


def _bad(key: str, rule: Rule) -> Rule:
    """`rule`, its problem said as "bad KEY: ..."."""

    def said(value: Any, scope: Scope) -> Verdict:
        verdict = rule(value, scope)
        return (f"bad {key}: {verdict[0]}", verdict[1]) if isinstance(verdict, tuple) else None

    return said


def _party(value: Any, scope: Scope) -> Verdict:
    if not isinstance(value, str):
        return "a name in quotes", 'for example caller = "marketplace"'
    names = (*scope.check.services, *scope.check.known.callers)
    if value not in names:
        return f"nobody called {value!r}", suggest(value, names) or ", ".join(names)
    return None


def _method(value: Any, scope: Scope | None = None) -> Verdict:
    if not isinstance(value, str) or value.upper() not in METHODS:
        return f"{value!r} is not an HTTP method", f"one of {', '.join(METHODS)}"
    return None


def _path(value: Any, scope: Scope) -> list[Verdict]:
    """The pattern, its placeholders, then whether any operation of the callee can match."""
    found = placeholder_problems(value, scope.check)
    if not isinstance(value, str) or not _PATH_CHARS.fullmatch(PLACEHOLDER.sub("x", value)):
        hint = "start with /, no query string; * matches in one segment, ** across segments"
        return [(f"bad path: {value!r} is not a path pattern", hint), *found]
    raw = scope.raw
    if ("method" in raw and _method(raw["method"])) or raw.get("status") in MISSING_ENDPOINT:
        return found
    callee = raw.get("callee") if isinstance(raw.get("callee"), str) else None
    never = bool(raw.get("never")) or raw.get("count") == 0
    return [*found, operation_problem(callee, raw.get("method"), value, scope.check, never)]


def _never(value: Any, scope: Scope) -> Verdict:
    return None if value is True else (f"{value!r}", "never = true, or leave it out")


Names = Annotated[
    list[Annotated[str, Field(min_length=1)]] | None,
    Says("bad {key}: must be a list of names", 'for example ["order_id", "payment.va_number"]'),
    checked(),
]
Fields = Annotated[
    dict[str, Any] | None,
    Says(
        "bad {key}: must be a table",
        '{ "dotted.path" = value }, for example { status = "PAID" }',
    ),
    checked(),
]
Text = Annotated[
    Annotated[str, Field(pattern=r"\S")] | None,
    Says("bad {key}: must be text", 'text in double quotes: {key} = "the order is created"'),
]


class CallExpectation(Table):
    """Which calls the step's action must (or must never) produce."""

    caller: Annotated[Any, checked(_bad("caller", _party))] = None
    callee: Annotated[Any, checked(_bad("callee", _party))] = None
    method: Annotated[Any, checked(_bad("method", _method))] = None
    path: Annotated[Any, checked(_path, placeholders=False)] = None
    status: Annotated[
        Annotated[int, Field(ge=100, le=599)]
        | Annotated[str, Field(pattern=r"^([1-5]xx|failed)$")]
        | None,
        Says("bad status: {value!r}", 'an exact status (201), a class ("2xx", "4xx") or "failed"'),
        checked(),
    ] = None
    request: Fields = None
    response: Fields = None
    request_has: Names = None
    response_has: Names = None
    request_lacks: Names = None
    response_lacks: Names = None
    request_headers_has: Names = None
    request_headers_lacks: Names = None
    response_headers_has: Names = None
    response_headers_lacks: Names = None
    count: Annotated[
        Annotated[int, Field(ge=0)] | None,
        Says("bad count: {value!r}", "a whole number, 0 or more"),
    ] = None
    never: Annotated[Any, checked(_bad("never", _never))] = None
    within: Annotated[
        Annotated[float, Field(gt=0, le=MAX_WAIT)] | None,
        Says("bad within: {value!r}", f"seconds, above 0 and at most {MAX_WAIT}"),
    ] = None
    after: Annotated[Text, checked()] = None
    label: Text = None
    because: Text = None

    @classmethod
    def unknown_key(cls, key: str) -> tuple[str, str]:
        keys = cls.keys()
        return f"unknown expectation key {key!r}", suggest(key, keys) or f"keys: {', '.join(keys)}"

    @classmethod
    def across(cls, raw: dict[str, Any], scope: Scope) -> Verdict:
        if raw.get("never") and "count" in raw:
            return "`never` and `count` together", "never = true already means count 0"
        return None


class AuditExpectation(Table):
    """A verdict the step's audit must give a rule."""

    PLACEHOLDERS = False
    rule: Annotated[
        Any,
        checked(
            among("audit rule", "rules", lambda s: (*s.check.known.rules, *sorted(s.check.rules))),
            placeholders=False,
        ),
        Field(validate_default=True),
    ] = None
    outcome: Annotated[
        Literal["pass", "fail"], Says("bad outcome {value!r}", 'outcome = "pass" or "fail"')
    ] = "pass"
    label: Any = None
    because: Any = None

    @classmethod
    def unknown_key(cls, key: str) -> tuple[str, str]:
        return (
            f"{key!r} is not a key of an audit expectation",
            f"after an audit action: {', '.join(cls.keys())}",
        )
