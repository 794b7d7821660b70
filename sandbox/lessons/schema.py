"""Checking a step's TOML block against docs/lesson-format.md with the step's models.

Each table is validated by its model (`action_models`, `expect_models`) with the step's
`Scope` as context; every error pydantic collects becomes a Problem at the file line of the
key its `loc` names (else the table's header), with a hint for the fix. The loader builds the
step from what passed, so the linter reports everything in one run.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sandbox.lessons.action_models import ACTION, KINDS
from sandbox.lessons.expect_models import MISSING_ENDPOINT, AuditExpectation, CallExpectation
from sandbox.lessons.model import Action, Expectation
from sandbox.lessons.step_check import HUMAN_KEYS, StepCheck, placeholder_problems, suggest
from sandbox.lessons.tables import PROBLEM, Scope, Table

__all__ = ["CALL_KINDS", "HUMAN_KEYS", "StepCheck", "check_step"]

CALL_KINDS = ("request", "story", "exercise", "wait")
"""Kinds whose calls `[[expect]]` entries judge (`wait`: the calls of the last such step)."""
STEP_TABLES = ("action", "expect")


def check_step(
    data: dict[str, Any], ctx: StepCheck
) -> tuple[Action | None, tuple[Expectation, ...], tuple[str, ...]]:
    """The step's action, expectations and hints, with problems added to `ctx`."""
    tables = {name for name, _ in ctx.where.headers}
    for key in data:
        if key not in STEP_TABLES:
            ctx.add(
                ctx.where.table(key) if key in tables else ctx.where.key("", 0, key),
                f"unknown table or key {key!r} in a step",
                suggest(key, STEP_TABLES) or "a step holds [action] and [[expect]] entries only",
            )
    raw = data.get("expect", [])
    on_purpose = isinstance(raw, list) and any(
        isinstance(e, dict) and e.get("status") in MISSING_ENDPOINT for e in raw
    )
    action = _action(data.get("action"), ctx, check_path=not on_purpose)
    if not isinstance(raw, list):
        ctx.add(
            ctx.where.table("expect"),
            "`expect` must be a list of tables",
            "write each expectation as its own [[expect]] table",
        )
        raw = []
    expectations = tuple(_expectation(entry, i, action, ctx) for i, entry in enumerate(raw))
    _check_after(expectations, ctx)
    hints = action.spec.get("hints") if action and action.kind in ("exercise", "audit") else None
    ladder = tuple(hints) if isinstance(hints, list) else ()  # else reported already
    return action, tuple(e for e in expectations if e is not None), ladder


def _action(raw: Any, ctx: StepCheck, check_path: bool) -> Action | None:
    """The `[action]` table as an Action (None when it is missing or unusable)."""
    if raw is None:
        return None
    line = ctx.where.table("action")
    if not isinstance(raw, dict):
        ctx.add(line, "`action` must be a table", "write it as an [action] table")
        return None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        ctx.add(
            ctx.where.key("action", 0, "kind"),
            f"unknown action kind {kind!r}",
            suggest(str(kind), tuple(KINDS)) or f"kind is one of {', '.join(KINDS)}",
        )
        return None
    _validate(KINDS[kind], raw, ("action", 0), ctx, check_path, tagged=True)
    return Action(kind, dict(raw), line)


def _expectation(raw: Any, index: int, action: Action | None, ctx: StepCheck) -> Expectation | None:
    line = ctx.where.table("expect", index)
    if not isinstance(raw, dict):
        ctx.add(line, "each expectation must be a table", "write it as an [[expect]] table")
        return None
    kind = action.kind if action else None
    if kind != "audit" and kind not in CALL_KINDS:
        ctx.add(
            line,
            f"a {'narration-only' if kind is None else kind!r} step has no calls to check",
            "put [[expect]] after a request, story, exercise or wait action",
        )
        return None
    model = AuditExpectation if kind == "audit" else CallExpectation
    _validate(model, raw, ("expect", index), ctx)
    return Expectation(dict(raw), line)


def _validate(
    model: type[Table],
    raw: dict[str, Any],
    table: tuple[str, int],
    ctx: StepCheck,
    check_path: bool = True,
    tagged: bool = False,
) -> None:
    """Validate `raw` as `model`, adding a problem for every error at its key's line (a
    key's first error only: a union or a list can fail in several ways at once).

    Args:
        tagged: validate through the action union tagged by `kind` (whose `loc` starts
            with the kind), as the lesson's actions are.
    """
    scope = Scope(ctx, raw, check_path)
    model.remember(raw, scope)
    try:
        (ACTION.validate_python if tagged else model.model_validate)(raw, context=scope)
    except ValidationError as exc:
        said: set[str] = set()
        for error in exc.errors():
            loc = error["loc"][1:] if tagged else error["loc"]
            key = str(loc[0]) if loc else None
            if error["type"] == PROBLEM or key is None or key not in said:
                line = ctx.where.table(*table)
                if key is not None and error["type"] != "missing":
                    line = ctx.where.key(*table, key)
                value = raw.get(key, error["input"]) if key else error["input"]
                for message, hint in _said(error, model, key, value, ctx):
                    ctx.add(line, message, hint)
            said.add(str(key))
    whole = model.across(raw, scope)
    if whole is not None:
        ctx.add(ctx.where.table(*table), *whole)


def _said(
    error: Any, model: type[Table], key: Any, value: Any, ctx: StepCheck
) -> list[tuple[str, str]]:
    """What an error says to the lesson's author: its problems, each with a hint."""
    if error["type"] == PROBLEM:
        context = error["ctx"]
        return [(context["message"], context["hint"]), *context["more"]]
    if error["type"] == "missing":
        return [(f"a `{model.LABEL}` action needs `{key}`", f"add {key} = ... to [action]")]
    if error["type"] == "extra_forbidden":
        found = [model.unknown_key(str(key))]
    else:
        says = model.says(str(key))
        found = [
            (says.message.format(value=value, key=key), says.hint.replace("{key}", str(key)))
            if says
            else (error["msg"], "")
        ]
    # A misspelt key's (or a wrong number's) text is still looked at for placeholders.
    if model.PLACEHOLDERS and key not in HUMAN_KEYS:
        found += [p for p in placeholder_problems(value, ctx) if p]
    return found


def _check_after(expectations: tuple[Expectation | None, ...], ctx: StepCheck) -> None:
    labels = [e.spec.get("label") for e in expectations if e is not None]  # any TOML value
    for e in expectations:
        if e is not None and "after" in e.spec and e.spec["after"] not in labels:
            ctx.add(
                e.line,
                f"`after` names no expectation of this step: {e.spec['after']!r}",
                "give the earlier expectation a `label` and use the same text in `after`",
            )
