"""What a lesson may name: services, personas, partners, stories and audit rules.

Read from the registry, the seeded world, the scenarios and the shipped audit rule sets, so a
lesson that names something the sandbox does not have is caught by the linter.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sandbox.scenarios.identities import STAFF

EXTRA_CALLERS = ("external", "learner", "anonymous")
"""Callers that are neither services nor personas: a stranger, the learner's exercise code,
and a request made as nobody."""


@dataclass(frozen=True, slots=True)
class Known:
    """Names a lesson may use."""

    services: tuple[str, ...]
    personas: dict[str, dict[str, Any]]
    """Persona name to its facts (the person's civil data merged with its accounts)."""
    partners: dict[str, tuple[str, ...]]
    """Service to the partners holding credentials there."""
    stories: tuple[str, ...]
    rules: tuple[str, ...]

    @property
    def callers(self) -> tuple[str, ...]:
        """Everything that can appear as a call's caller."""
        return (*self.services, *self.personas, *STAFF, *EXTRA_CALLERS)


def persona_facts(world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each persona's facts: its person in the world (by NIK) merged with its accounts."""
    by_nik = {p["nik"]: p for p in world["persons"]}
    return {
        name: {**by_nik.get(persona.get("nik"), {}), **persona}
        for name, persona in world["personas"].items()
    }


@functools.cache
def known() -> Known:
    """The names of the default sandbox (built once per process)."""
    from sandbox.audit.rules import load_rulesets
    from sandbox.runtime.registry import BUILTIN
    from sandbox.scenarios import SCENARIOS
    from sandbox.world import load_world

    world = load_world()
    return Known(
        services=tuple(s.name for s in BUILTIN),
        personas=persona_facts(world),
        partners={service: tuple(holders) for service, holders in world["partners"].items()},
        stories=tuple(SCENARIOS),
        rules=tuple(rule.id for ruleset in load_rulesets() for rule in ruleset.rules),
    )
