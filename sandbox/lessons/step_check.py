"""What every check of a step's TOML shares: where problems go, placeholders, suggestions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.lessons.known import Known
from sandbox.lessons.model import Problem
from sandbox.lessons.toml_block import Where
from sandbox.lessons.values import ROOTS, placeholders

HUMAN_KEYS = ("because", "hints", "label")
"""Keys whose text differs between the English and Indonesian files."""
MAX_WAIT = 30
"""Longest wait a lesson may ask for, in seconds."""
Verdict = tuple[str, str] | None
"""None when a value is good, else (what is wrong, how to fix it)."""


@dataclass
class StepCheck:
    """Where a step's problems go, and what it may refer to."""

    file: Path
    where: Where
    known: Known
    folder: Path
    extra_services: tuple[str, ...] = ()
    """Services the lesson's sandbox.toml declares."""
    saved: set[str] = field(default_factory=set)
    """Names saved by earlier steps; this step's `save` names are added."""
    problems: list[Problem] = field(default_factory=list)
    config: Path | None = None
    """The lesson's sandbox.toml (its services' operations are checked too)."""
    rules: set[str] = field(default_factory=set)
    """Rule ids of the rule sets earlier audit steps (and this one) add (`rules = "x.toml"`)."""

    def add(self, line: int, message: str, hint: str = "") -> None:
        """Report one problem."""
        self.problems.append(Problem(self.file, line, message, hint))

    @property
    def services(self) -> tuple[str, ...]:
        return (*self.known.services, *self.extra_services)


def operation_problem(
    service: str | None, method: Any, path: Any, ctx: StepCheck, never: bool = False
) -> Verdict:
    """A path (and method) that no operation of `service` (or of any service, when None) has
    in its OpenAPI document; `never`: the expectation could then never fail."""
    from sandbox.lessons.operations import documents, matching

    if not isinstance(path, str) or not path.startswith("/"):
        return None
    method = str(method).upper() if isinstance(method, str) else None
    docs = documents(ctx.config)
    if service is not None and service not in docs:
        return None  # a persona, the learner, or a service whose document is not at hand
    scope = {service: docs[service]} if service is not None else docs
    if any(matching(ops, path, method) for ops in scope.values()):
        return None
    where = service or "any service"
    call = f"{method} {path}" if method else path
    message = f"no operation of {where} matches {call}"
    if never:
        message += ": this expectation can never fail"
    paths = sorted({op.path for ops in scope.values() for op in ops})
    on_path = sorted({op.method for ops in scope.values() for op in matching(ops, path, None)})
    if on_path:
        return message, f"{path} takes {', '.join(on_path)}"
    return message, suggest(path, paths) or f"see {where}'s OpenAPI document (/docs on its URL)"


def placeholder_problems(value: Any, ctx: StepCheck) -> list[Verdict]:
    """A problem for every `{{ name }}` in `value` that has no value."""
    found: list[Verdict] = []
    for name in placeholders(value):
        problem = _placeholder(name, ctx)
        if problem:
            found.append((f"unknown placeholder {{{{ {name} }}}}: {problem[0]}", problem[1]))
    return found


def _placeholder(name: str, ctx: StepCheck) -> Verdict:
    root, _, rest = name.partition(".")
    if root not in ROOTS or not rest:
        return (
            "it must start with personas., saved. or urls.",
            "{{ personas.buyer.nik }}, {{ saved.order_id }}, {{ urls.bank }}",
        )
    head, _, field_ = rest.partition(".")
    if root == "saved" and head not in ctx.saved:
        return (
            f"no earlier step saves {head!r}",
            f'add save = {{ {head} = "dotted.path" }} to an earlier request',
        )
    if root == "urls" and head not in ctx.services:
        return f"no service {head!r}", suggest(
            head, ctx.services
        ) or f"services: {', '.join(ctx.services)}"
    if root == "personas":
        facts = ctx.known.personas.get(head)
        if facts is None:
            return f"no persona {head!r}", suggest(
                head, tuple(ctx.known.personas)
            ) or f"personas: {', '.join(ctx.known.personas)}"
        if field_ and field_.split(".")[0] not in facts:
            return f"persona {head} has no {field_!r}", suggest(
                field_, tuple(facts)
            ) or f"its fields: {', '.join(facts)}"
    return None


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """ "did you mean 'x'?" for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}?" if close else ""
