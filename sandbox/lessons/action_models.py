"""Each action kind's table as a model, tagged by `kind` (docs/lesson-format.md, Actions)."""

from __future__ import annotations

import ast
import functools
import operator
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from sandbox.lessons.step_check import MAX_WAIT, Verdict, operation_problem, suggest
from sandbox.lessons.tables import Rule, Says, Scope, Table, among, checked
from sandbox.scenarios.checkout import WAYS
from sandbox.scenarios.identities import STAFF

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
CREDENTIAL_HEADERS = {
    *("authorization", "x-signature", "x-client-key", "x-client-secret", "x-partner-id"),
    *("x-tts-access-token", "x-cons-id", "user_key"),
}
FAULTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "offline": (lambda v: v is True, "offline = true"),
    "latency_ms": (lambda v: type(v) is int and 0 < v <= 60_000, "milliseconds, 1 to 60000"),
    "error_rate": (
        lambda v: type(v) in (int, float) and 0 < v <= 1,
        "a fraction above 0, at most 1.0",
    ),
    "clear": (lambda v: v is True, "clear = true"),
}
"""Each fault's key: what its value must be, and the hint when it is not."""
_SERVICE = among("service", "services", lambda scope: scope.check.services)


def _requester(who: Any, scope: Scope) -> Verdict:
    service, known = scope.raw.get("service"), scope.check.known
    holders = known.partners.get(str(service), ())
    if who in (*known.personas, "anonymous") or who in holders or STAFF.get(str(who)) == service:
        return None
    if who in known.services:
        return f"cannot make a request as {who!r}", (
            f"{who} holds no credentials at {service}; partners of {service}: "
            f"{', '.join(holders) or 'none'}"
        )
    return f"cannot make a request as {who!r}", suggest(
        str(who), (*known.personas, *holders, "anonymous")
    ) or f"personas: {', '.join(known.personas)}; or a partner of {service}, or anonymous"


def _method(method: Any, scope: Scope) -> Verdict:
    if str(method).upper() not in METHODS:
        return f"unknown HTTP method {method!r}", f"one of {', '.join(METHODS)}"
    return None


def _path(path: Any, scope: Scope) -> Verdict:
    if not isinstance(path, str) or not path.startswith(("/", "{{", "http://", "https://")):
        return "`path` must be a string starting with /", (
            'for example path = "/api/v1/feed" (the service comes from `service`), or a URL '
            'the service handed out, such as path = "{{ saved.checkout_url }}"'
        )
    service, method = scope.raw.get("service"), scope.raw.get("method")
    if scope.check_path and isinstance(service, str) and str(method).upper() in METHODS:
        return operation_problem(service, method, path, scope.check)
    return None


def _credentials(headers: dict[str, str], scope: Scope) -> list[Verdict]:
    hint = "never write credentials in a lesson: `as` adds them"
    return [
        (f"header {name!r} carries credentials", hint)
        for name in headers
        if name.lower() in CREDENTIAL_HEADERS
    ]


def _pay(pay: Any, scope: Scope) -> Verdict:
    if scope.raw.get("story") != "checkout":
        return "only the checkout story takes `pay`", 'remove pay, or use story = "checkout"'
    if pay not in WAYS:
        return f"unknown way to pay {pay!r}", f"pay is one of {', '.join(WAYS)}"
    return None


def _fault(key: str) -> Rule:
    """A fault's value, judged only when it is the step's one fault (else `across` says so)."""
    good, hint = FAULTS[key]

    def rule(value: Any, scope: Scope) -> Verdict:
        if sum(k in scope.raw for k in FAULTS) != 1 or good(value):
            return None
        return f"bad value for {key}: {value!r}", hint

    return rule


def _started(service: Any, scope: Scope) -> Verdict:
    if service not in scope.check.extra_services:
        return f"{service!r} is not declared by the lesson's sandbox.toml", (
            "`start` starts a service the lesson's config declares "
            "with start = false; set `config` in the [lesson] table"
        )
    return None


def _rules(rules: str, scope: Scope) -> list[Verdict]:
    folder = scope.check.folder / "exercise"
    solution = folder / "solution" / rules
    if solution.exists():
        scope.check.rules.update(_rule_ids(solution))
    hint = "the learner writes the rule from the template; CI checks the solution"
    return [
        (f"the rules {what} {where} does not exist", hint)
        for where, what in ((folder / rules, "template"), (solution, "solution"))
        if not where.exists()
    ]


def _rule_ids(path: Path) -> set[str]:
    """The rule ids of a rule set file (none when it does not parse: the check reports it)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return set()
    return {str(r["id"]) for r in data.get("rules", []) if isinstance(r, dict) and "id" in r}


def _timeout(timeout: Any, scope: Scope) -> Verdict:
    if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_WAIT:
        return f"bad timeout {timeout!r}", f"seconds, at most {MAX_WAIT}"
    return None


def _exercise_files(scope: Scope) -> list[tuple[Path, str]]:
    """The template and the solution of an exercise step whose file name is good."""
    file, function = scope.raw.get("file"), scope.raw.get("function")
    if not isinstance(file, str) or not isinstance(function, str) or not _py_name(file):
        return []
    folder = scope.check.folder / "exercise"
    return [(folder / file, "template"), (folder / "solution" / file, "reference solution")]


def _py_name(file: str) -> bool:
    return "/" not in file and "\\" not in file and file.endswith(".py")


def _file(file: Any, scope: Scope) -> list[Verdict]:
    if isinstance(file, str) and isinstance(scope.raw.get("function"), str) and not _py_name(file):
        hint = "a .py file name in the lesson's exercise/ folder, no directories"
        return [(f"bad exercise file name {file!r}", hint)]
    return [
        (
            f"the exercise {what} {where} does not exist",
            "add the starting template for the learner"
            if what == "template"
            else "add it; CI checks the lesson with the reference solution",
        )
        for where, what in _exercise_files(scope)
        if not where.exists()
    ]


def _function(function: Any, scope: Scope) -> list[Verdict]:
    hint = f"define `def {function}(exercise):` in it"
    return [
        (f"{where.name} ({what}) defines no function {function!r}", hint)
        for where, what in _exercise_files(scope)
        if where.exists() and function not in _functions(where)
    ]


def _functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


Saves = Annotated[
    dict[str, str] | None,
    Says(
        "`save` must be a table of dotted paths",
        'for example save = { order_id = "order_id", va = "payment.va_number" }',
    ),
    checked(),
]
Hints = Annotated[
    list[str] | None,
    Says(
        "`hints` must be a list of strings",
        "concept first, then the call to look at, then the exact field",
    ),
]


class Saving(Table):
    """An action that saves values from its answer for later steps; its own keys may name
    them (the names count from the step that saves them)."""

    @classmethod
    def remember(cls, raw: dict[str, Any], scope: Scope) -> None:
        save = raw.get("save")
        if isinstance(save, dict) and all(isinstance(v, str) for v in save.values()):
            scope.check.saved.update(save)


class RequestAction(Saving):
    """One HTTP request to a service, made as someone."""

    LABEL = "request"
    kind: Literal["request"]
    service: Annotated[Any, checked(_SERVICE)]
    as_: Annotated[Any, checked(_requester), Field(alias="as")]
    method: Annotated[Any, checked(_method)]
    path: Annotated[Any, checked(_path)]
    body: Annotated[
        dict[str, Any] | list[Any] | None,
        Says(
            "`body` must be a table or an array (JSON)",
            "for example body = { product_id = 100101, quantity = 1 }",
        ),
        checked(),
    ] = None
    headers: Annotated[
        dict[str, str] | None,
        Says(
            "`headers` must be a table of strings",
            'for example headers = { "Idempotency-Key" = "lesson-1" }',
        ),
        checked(_credentials),
    ] = None
    save: Saves = None


class StoryAction(Saving):
    """A whole story, as `sandbox run STORY` runs it."""

    LABEL = "story"
    kind: Literal["story"]
    story: Annotated[Any, checked(among("story", "stories", lambda s: s.check.known.stories))]
    save: Saves = None
    pay: Annotated[Any, checked(_pay)] = None


class FaultAction(Table):
    """One fault on a service, as the services screen sets it."""

    LABEL = "fault"
    kind: Literal["fault"]
    service: Annotated[Any, checked(_SERVICE)]
    offline: Annotated[Any, checked(_fault("offline"))] = None
    latency_ms: Annotated[Any, checked(_fault("latency_ms"))] = None
    error_rate: Annotated[Any, checked(_fault("error_rate"))] = None
    clear: Annotated[Any, checked(_fault("clear"))] = None

    @classmethod
    def across(cls, raw: dict[str, Any], scope: Scope) -> Verdict:
        given = sum(key in raw for key in FAULTS)
        if given == 1:
            return None
        return (
            f"a `fault` action takes exactly one of {', '.join(FAULTS)} (found {given})",
            "one fault per step; use another step for the next one",
        )


class ResetAction(Table):
    """Restores the seeded world in every service."""

    LABEL = "reset"
    kind: Literal["reset"]


class StartAction(Table):
    """Starts a service the lesson's sandbox.toml declares with start = false."""

    LABEL = "start"
    kind: Literal["start"]
    service: Annotated[Any, checked(_started)]


class AuditAction(Table):
    """Runs the audit rules over the lesson's calls (and the learner's own rule set)."""

    LABEL = "audit"
    kind: Literal["audit"]
    scope: Annotated[
        Literal["all", "last"],
        Says(
            "unknown audit scope {value!r}",
            '"all" (every call of the lesson so far) or "last" (the last step\'s calls)',
        ),
    ] = "all"
    rules: Annotated[
        str | None,
        Field(pattern=r"^[^/\\]*\.toml$"),
        Says(
            "bad rules file name {value!r}",
            "a .toml rule set in the lesson's exercise/ folder, no directories",
        ),
        checked(_rules),
    ] = None
    record: Annotated[bool, Says("bad record {value!r}", "record = true")] = False
    hints: Hints = None


class ExerciseAction(Table):
    """Runs the learner's function from their exercise file."""

    LABEL = "exercise"
    kind: Literal["exercise"]
    file: Annotated[Any, checked(_file)]
    function: Annotated[Any, checked(_function)]
    hints: Hints = None
    timeout: Annotated[Any, checked(_timeout)] = None
    lose: Annotated[
        dict[
            Annotated[str, Field(pattern=rf"^({'|'.join(METHODS)}) /")], Annotated[int, Field(gt=0)]
        ]
        | None,
        Says(
            "bad lose {value!r}",
            'answers lost on the way back, per call: lose = { "POST /mobile/v1/va-payments" = 1 }',
        ),
    ] = None
    repeat: Annotated[
        int,
        Field(ge=1, le=5),
        Says(
            "bad repeat {value!r}", "how many times the learner's function runs in the step, 1 to 5"
        ),
    ] = 1


class WaitAction(Table):
    """Waits, for a retry or an expiry to happen."""

    LABEL = "wait"
    kind: Literal["wait"]
    seconds: Annotated[
        float,
        Field(gt=0, le=MAX_WAIT),
        Says("bad wait {value!r}", f"seconds, above 0 and at most {MAX_WAIT}"),
    ]


MODELS = (
    *(RequestAction, StoryAction, FaultAction, ResetAction),
    *(StartAction, AuditAction, ExerciseAction, WaitAction),
)
KINDS: dict[str, type[Table]] = {model.LABEL: model for model in MODELS}
_TAGGED: Any = Annotated[functools.reduce(operator.or_, MODELS), Field(discriminator="kind")]
ACTION = TypeAdapter[Table](_TAGGED)
"""Validates an `[action]` table as the model of its `kind` (a union tagged by `kind`)."""
