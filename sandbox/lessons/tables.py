"""A step's TOML table as a pydantic model: keys it does not know are problems, and every
problem a rule finds is an error of type `lesson` carrying its message and hint.

`schema.check_step` turns each error's `loc` into the lesson file's line (toml_block.Where).
What a value may name (services, personas, saved values, rules, files) comes from the `Scope`
passed as the validation context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo
from pydantic_core import PydanticCustomError

from sandbox.lessons.step_check import StepCheck, Verdict, placeholder_problems, suggest

PROBLEM = "lesson"
"""The error type of a problem a rule found (its context holds message, hint and more)."""


@dataclass
class Scope:
    """The validation context: what the step may name, and the table being validated."""

    check: StepCheck
    raw: dict[str, Any]
    """The table as written (rules across keys read their siblings here)."""
    check_path: bool = True
    """Look a request's path up in its service's OpenAPI document (not when a step expects
    a 404 or 405: it shows a missing endpoint on purpose)."""


@dataclass(frozen=True)
class Says:
    """How a failed type or range constraint on a key is reported (in `message`, {value} is
    the key's value; in both, {key} is its name)."""

    message: str
    hint: str


def _scope(info: ValidationInfo) -> Scope:
    """The step's scope, which every validation of a step's table is given."""
    if not isinstance(info.context, Scope):
        raise TypeError("validate a step's table with a Scope as its context")
    return info.context


Rule = Callable[[Any, Scope], list[Verdict] | Verdict]
"""A check of one key's value: its problems (None, or a list of them)."""


def among(what: str, plural: str, names: Callable[[Scope], tuple[str, ...]]) -> Rule:
    """A value that must be one of `names`: "unknown WHAT 'x'", with the closest name."""

    def rule(value: Any, scope: Scope) -> Verdict:
        known = names(scope)
        if value in known:
            return None
        return f"unknown {what} {value!r}", suggest(str(value), known) or (
            f"{plural}: {', '.join(known)}"
        )

    return rule


def problem(found: list[tuple[str, str]]) -> PydanticCustomError:
    """The error for one or more problems of one key or table."""
    message, hint = found[0]
    return PydanticCustomError(
        PROBLEM, "{message}", {"message": message, "hint": hint, "more": tuple(found[1:])}
    )


def checked(rule: Rule | None = None, placeholders: bool = True) -> AfterValidator:
    """A key's validator: its rule's problems, then the unknown placeholders in its value
    (not in the text of `label`, `because` and `hints`, which is for people)."""

    def run(value: Any, info: ValidationInfo) -> Any:
        scope = _scope(info)
        verdicts = rule(value, scope) if rule is not None else None
        found = verdicts if isinstance(verdicts, list) else [verdicts]
        if placeholders:
            found += placeholder_problems(value, scope.check)
        if any(found):
            raise problem([v for v in found if v])
        return value

    return AfterValidator(run)


class Table(BaseModel):
    """A TOML table of a step: unknown keys are problems, keys keep their TOML spelling."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    LABEL: ClassVar[str] = ""
    """The action kind the table is for ("" for an expectation)."""
    PLACEHOLDERS: ClassVar[bool] = True
    """Look up the placeholders of its keys (an audit expectation's keys have none)."""

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The keys this table takes, as written in TOML (without `kind`)."""
        return tuple(f.alias or n for n, f in cls.model_fields.items() if n != "kind")

    @classmethod
    def says(cls, key: str) -> Says | None:
        """How a failed constraint on `key` is reported."""
        for name, info in cls.model_fields.items():
            if key in (name, info.alias):
                return next((m for m in info.metadata if isinstance(m, Says)), None)
        return None

    @classmethod
    def unknown_key(cls, key: str) -> tuple[str, str]:
        """The problem of a key this table does not take."""
        keys = cls.keys()
        return (
            f"`{key}` is not a key of a `{cls.LABEL}` action",
            suggest(key, keys) or f"a `{cls.LABEL}` action takes {', '.join(keys) or 'no keys'}",
        )

    @classmethod
    def remember(cls, raw: dict[str, Any], scope: Scope) -> None:
        """Tell the scope what this table makes known (a `save`'s names), before its keys are
        checked."""

    @classmethod
    def across(cls, raw: dict[str, Any], scope: Scope) -> Verdict:
        """A problem of the table as a whole, reported at its header after its keys' problems
        (a rule over several keys that holds whatever their values are)."""
        return None
