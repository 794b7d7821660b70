"""Dotted paths into JSON (`payment.va_number`, `items.0.id`) and `{{ name }}` placeholders."""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
ROOTS = ("personas", "saved", "urls")
"""What a placeholder may start with (docs/lesson-format.md, "request details")."""


class Missing:
    """The value at a dotted path that is not there (distinct from JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


class UnknownPlaceholder(LookupError):
    """A `{{ name }}` that has no value (yet)."""


def dig(data: Any, path: str) -> Any:
    """The value at dotted `path` in `data` (numbers index arrays), or MISSING."""
    here = data
    for part in path.split("."):
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif (
            isinstance(here, list)
            and part.lstrip("-").isascii()
            and part.lstrip("-").isdigit()
            and -len(here) <= int(part) < len(here)
        ):
            here = here[int(part)]
        else:
            return MISSING
    return here


def placeholders(value: Any) -> list[str]:
    """Every placeholder name in the strings of `value` (nested tables and arrays too)."""
    if isinstance(value, str):
        return PLACEHOLDER.findall(value)
    if isinstance(value, dict):
        return [name for v in value.values() for name in placeholders(v)]
    if isinstance(value, list):
        return [name for v in value for name in placeholders(v)]
    return []


def fill(value: Any, scope: dict[str, Any]) -> Any:
    """`value` with its placeholders replaced from `scope`; a string that is exactly one
    placeholder takes the value's own type (a number stays a number)."""
    if isinstance(value, dict):
        return {k: fill(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, scope) for v in value]
    if not isinstance(value, str):
        return value
    whole = PLACEHOLDER.fullmatch(value.strip())
    if whole:
        return _lookup(whole.group(1), scope)
    return PLACEHOLDER.sub(lambda m: str(_lookup(m.group(1), scope)), value)


def _lookup(name: str, scope: dict[str, Any]) -> Any:
    found = dig(scope, name)
    if found is MISSING:
        raise UnknownPlaceholder(f"{{{{ {name} }}}} has no value")
    return found
