"""Each action kind's keys and the checks of their values (docs/lesson-format.md, Actions)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from sandbox.lessons.model import Action
from sandbox.lessons.step_check import (
    MAX_WAIT,
    StepCheck,
    check_operation,
    check_placeholders,
    suggest,
)
from sandbox.scenarios.checkout import WAYS
from sandbox.scenarios.identities import STAFF

ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "request": (("service", "as", "method", "path"), ("body", "headers", "save")),
    "story": (("story",), ("save", "pay")),
    "fault": (("service",), ("offline", "latency_ms", "error_rate", "clear")),
    "reset": ((), ()),
    "start": (("service",), ()),
    "audit": ((), ("scope", "rules", "record", "hints")),
    "exercise": (("file", "function"), ("hints", "timeout", "lose", "repeat")),
    "wait": (("seconds",), ()),
}
"""Each action kind's required and optional keys (besides `kind`)."""
PAY_WAYS = WAYS
"""A checkout story's `pay`: with Bank Contoh inside the checkout, or the VA in her bank app."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
CREDENTIAL_HEADERS = (
    "authorization",
    "x-signature",
    "x-client-key",
    "x-client-secret",
    "x-partner-id",
    "x-tts-access-token",
    "x-cons-id",
    "user_key",
)


def check_action(raw: Any, ctx: StepCheck, check_path: bool = True) -> Action | None:
    """The `[action]` table as an Action (None when it is missing or unusable).

    Args:
        check_path: look the request's path up in the service's OpenAPI document (not when
            the step shows a missing endpoint on purpose, expecting a 404).
    """
    if raw is None:
        return None
    line = ctx.where.table("action")
    if not isinstance(raw, dict):
        ctx.add(line, "`action` must be a table", "write it as an [action] table")
        return None
    kind = raw.get("kind")
    if kind not in ACTIONS:
        ctx.add(
            ctx.where.key("action", 0, "kind"),
            f"unknown action kind {kind!r}",
            suggest(str(kind), tuple(ACTIONS)) or f"kind is one of {', '.join(ACTIONS)}",
        )
        return None
    required, optional = ACTIONS[kind]
    for key in required:
        if key not in raw:
            ctx.add(line, f"a `{kind}` action needs `{key}`", f"add {key} = ... to [action]")
    for key in raw:
        if key != "kind" and key not in required + optional:
            ctx.add(
                ctx.where.key("action", 0, key),
                f"`{key}` is not a key of a `{kind}` action",
                suggest(key, required + optional)
                or f"a `{kind}` action takes {', '.join(required + optional) or 'no keys'}",
            )
    check = _ACTION_CHECKS.get(kind)
    if check is not None:
        check(raw, ctx)
    if kind == "request" and check_path:
        _operation(raw, ctx)
    check_placeholders(raw, "action", 0, ctx)
    return Action(kind, dict(raw), line)


def _key_line(ctx: StepCheck, key: str) -> int:
    return ctx.where.key("action", 0, key)


def _service(raw: dict[str, Any], ctx: StepCheck) -> None:
    service = raw.get("service")
    if service is not None and service not in ctx.services:
        ctx.add(
            _key_line(ctx, "service"),
            f"unknown service {service!r}",
            suggest(str(service), ctx.services) or f"services: {', '.join(ctx.services)}",
        )


def _request(raw: dict[str, Any], ctx: StepCheck) -> None:
    _service(raw, ctx)
    service, who = raw.get("service"), raw.get("as")
    known = ctx.known
    if (
        who is not None
        and who not in (*known.personas, "anonymous")
        and who not in known.partners.get(str(service), ())
        and STAFF.get(str(who)) != service
    ):
        holders = known.partners.get(str(service), ())
        if who in known.services:
            hint = (
                f"{who} holds no credentials at {service}; partners of {service}: "
                f"{', '.join(holders) or 'none'}"
            )
        else:
            hint = (
                suggest(str(who), (*known.personas, *holders, "anonymous"))
                or f"personas: {', '.join(known.personas)}; or a partner of {service}, or anonymous"
            )
        ctx.add(_key_line(ctx, "as"), f"cannot make a request as {who!r}", hint)
    method = raw.get("method")
    if method is not None and str(method).upper() not in METHODS:
        ctx.add(
            _key_line(ctx, "method"),
            f"unknown HTTP method {method!r}",
            f"one of {', '.join(METHODS)}",
        )
    path = raw.get("path")
    if path is not None and (
        not isinstance(path, str) or not path.startswith(("/", "{{", "http://", "https://"))
    ):
        ctx.add(
            _key_line(ctx, "path"),
            "`path` must be a string starting with /",
            'for example path = "/api/v1/feed" (the service comes from `service`), or a URL '
            'the service handed out, such as path = "{{ saved.checkout_url }}"',
        )
    body = raw.get("body")
    if body is not None and not isinstance(body, dict | list):
        ctx.add(
            _key_line(ctx, "body"),
            "`body` must be a table or an array (JSON)",
            "for example body = { product_id = 100101, quantity = 1 }",
        )
    _headers(raw.get("headers"), ctx)
    _save(raw.get("save"), ctx)


def _operation(raw: dict[str, Any], ctx: StepCheck) -> None:
    service, method, path = raw.get("service"), raw.get("method"), raw.get("path")
    if isinstance(service, str) and isinstance(path, str) and str(method).upper() in METHODS:
        check_operation(service, method, path, _key_line(ctx, "path"), ctx)


def _headers(headers: Any, ctx: StepCheck) -> None:
    if headers is None:
        return
    line = _key_line(ctx, "headers")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        ctx.add(
            line,
            "`headers` must be a table of strings",
            'for example headers = { "Idempotency-Key" = "lesson-1" }',
        )
        return
    for name in headers:
        if name.lower() in CREDENTIAL_HEADERS:
            ctx.add(
                line,
                f"header {name!r} carries credentials",
                "never write credentials in a lesson: `as` adds them",
            )


def _save(save: Any, ctx: StepCheck) -> None:
    if save is None:
        return
    if not isinstance(save, dict) or not all(isinstance(v, str) for v in save.values()):
        ctx.add(
            _key_line(ctx, "save"),
            "`save` must be a table of dotted paths",
            'for example save = { order_id = "order_id", va = "payment.va_number" }',
        )
        return
    ctx.saved.update(save)


def _story(raw: dict[str, Any], ctx: StepCheck) -> None:
    story = raw.get("story")
    if story is not None and story not in ctx.known.stories:
        ctx.add(
            _key_line(ctx, "story"),
            f"unknown story {story!r}",
            suggest(str(story), ctx.known.stories) or f"stories: {', '.join(ctx.known.stories)}",
        )
    if "pay" in raw:
        if story != "checkout":
            ctx.add(
                _key_line(ctx, "pay"),
                "only the checkout story takes `pay`",
                'remove pay, or use story = "checkout"',
            )
        elif raw["pay"] not in PAY_WAYS:
            ctx.add(
                _key_line(ctx, "pay"),
                f"unknown way to pay {raw['pay']!r}",
                f"pay is one of {', '.join(PAY_WAYS)}",
            )
    _save(raw.get("save"), ctx)


def _fault(raw: dict[str, Any], ctx: StepCheck) -> None:
    _service(raw, ctx)
    given = [k for k in ("offline", "latency_ms", "error_rate", "clear") if k in raw]
    if len(given) != 1:
        ctx.add(
            ctx.where.table("action"),
            "a `fault` action takes exactly one of offline, "
            f"latency_ms, error_rate, clear (found {len(given)})",
            "one fault per step; use another step for the next one",
        )
        return
    key, value = given[0], raw[given[0]]
    good = {
        "offline": value is True,
        "clear": value is True,
        "latency_ms": isinstance(value, int)
        and not isinstance(value, bool)
        and 0 < value <= 60_000,
        "error_rate": isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 < value <= 1,
    }[key]
    if not good:
        ctx.add(
            _key_line(ctx, key),
            f"bad value for {key}: {value!r}",
            {
                "offline": "offline = true",
                "clear": "clear = true",
                "latency_ms": "milliseconds, 1 to 60000",
                "error_rate": "a fraction above 0, at most 1.0",
            }[key],
        )


def _start(raw: dict[str, Any], ctx: StepCheck) -> None:
    service = raw.get("service")
    if service is not None and service not in ctx.extra_services:
        ctx.add(
            _key_line(ctx, "service"),
            f"{service!r} is not declared by the lesson's sandbox.toml",
            "`start` starts a service the lesson's config declares "
            "with start = false; set `config` in the [lesson] table",
        )


def _audit(raw: dict[str, Any], ctx: StepCheck) -> None:
    scope = raw.get("scope", "all")
    if scope not in ("all", "last"):
        ctx.add(
            _key_line(ctx, "scope"),
            f"unknown audit scope {scope!r}",
            '"all" (every call of the lesson so far) or "last" (the last step\'s calls)',
        )
    if "record" in raw and not isinstance(raw["record"], bool):
        ctx.add(_key_line(ctx, "record"), f"bad record {raw['record']!r}", "record = true")
    _hints(raw, ctx)
    rules = raw.get("rules")
    if rules is None:
        return
    line = _key_line(ctx, "rules")
    if not isinstance(rules, str) or "/" in rules or "\\" in rules or not rules.endswith(".toml"):
        ctx.add(
            line,
            f"bad rules file name {rules!r}",
            "a .toml rule set in the lesson's exercise/ folder, no directories",
        )
        return
    solution = ctx.folder / "exercise" / "solution" / rules
    for where, what in ((ctx.folder / "exercise" / rules, "template"), (solution, "solution")):
        if not where.exists():
            ctx.add(
                line,
                f"the rules {what} {where} does not exist",
                "the learner writes the rule from the template; CI checks the solution",
            )
    if solution.exists():
        ctx.rules.update(_rule_ids(solution))


def _rule_ids(path: Path) -> set[str]:
    """The rule ids of a rule set file (none when it does not parse: the check reports it)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return set()
    return {str(r["id"]) for r in data.get("rules", []) if isinstance(r, dict) and "id" in r}


def _hints(raw: dict[str, Any], ctx: StepCheck) -> None:
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        ctx.add(
            _key_line(ctx, "hints"),
            "`hints` must be a list of strings",
            "concept first, then the call to look at, then the exact field",
        )


def _exercise(raw: dict[str, Any], ctx: StepCheck) -> None:
    _hints(raw, ctx)
    repeat = raw.get("repeat", 1)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= 5:
        ctx.add(
            _key_line(ctx, "repeat"),
            f"bad repeat {repeat!r}",
            "how many times the learner's function runs in the step, 1 to 5",
        )
    lose = raw.get("lose", {})
    if not isinstance(lose, dict) or not all(
        isinstance(k, str)
        and len(k.split(" ", 1)) == 2
        and k.split(" ", 1)[0] in METHODS
        and k.split(" ", 1)[1].startswith("/")
        and isinstance(v, int)
        and not isinstance(v, bool)
        and v > 0
        for k, v in lose.items()
    ):
        ctx.add(
            _key_line(ctx, "lose"),
            f"bad lose {lose!r}",
            'answers lost on the way back, per call: lose = { "POST /mobile/v1/va-payments" = 1 }',
        )
    timeout = raw.get("timeout", 10)
    if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_WAIT:
        ctx.add(
            _key_line(ctx, "timeout"), f"bad timeout {timeout!r}", f"seconds, at most {MAX_WAIT}"
        )
    file, function = raw.get("file"), raw.get("function")
    if not isinstance(file, str) or not isinstance(function, str):
        return
    line = _key_line(ctx, "file")
    if "/" in file or "\\" in file or not file.endswith(".py"):
        ctx.add(
            line,
            f"bad exercise file name {file!r}",
            "a .py file name in the lesson's exercise/ folder, no directories",
        )
        return
    for where, what in (
        (ctx.folder / "exercise" / file, "template"),
        (ctx.folder / "exercise" / "solution" / file, "reference solution"),
    ):
        if not where.exists():
            ctx.add(
                line,
                f"the exercise {what} {where} does not exist",
                "add it; CI checks the lesson with the reference solution"
                if what != "template"
                else "add the starting template for the learner",
            )
        elif function not in _functions(where):
            ctx.add(
                _key_line(ctx, "function"),
                f"{where.name} ({what}) defines no function {function!r}",
                f"define `def {function}(exercise):` in it",
            )


def _wait(raw: dict[str, Any], ctx: StepCheck) -> None:
    seconds = raw.get("seconds")
    if seconds is not None and (
        not isinstance(seconds, int | float)
        or isinstance(seconds, bool)
        or not 0 < seconds <= MAX_WAIT
    ):
        ctx.add(
            _key_line(ctx, "seconds"),
            f"bad wait {seconds!r}",
            f"seconds, above 0 and at most {MAX_WAIT}",
        )


_ACTION_CHECKS = {
    "request": _request,
    "story": _story,
    "fault": _fault,
    "start": _start,
    "audit": _audit,
    "exercise": _exercise,
    "wait": _wait,
}


def _functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return set()
    return {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
