"""Audit records: one passed audit (`AuditRecord`) and the fingerprint of what it covered.

The checks read the last record (a service added since it is flagged); `history.py` keeps the
records in `audits.json`. The record is apart from its file so the checks need not import what
lists the rule sets, which imports the checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

SEEDED = "seeded world"
"""`recorded_at` of the built-in record."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One passed audit."""

    recorded_at: str
    """ISO 8601 time (or `seeded world` for the built-in record)."""
    services: tuple[str, ...]
    """The services the audit covered."""
    rulesets: tuple[str, ...]
    fingerprint: str
    """sha256 over the covered service names: a different registry gives a different value."""
    verdict: str = "pass"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["services"] = list(self.services)
        data["rulesets"] = list(self.rulesets)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditRecord:
        return cls(
            recorded_at=str(data.get("recorded_at", "")),
            services=tuple(str(s) for s in data.get("services", ())),
            rulesets=tuple(str(s) for s in data.get("rulesets", ())),
            fingerprint=str(data.get("fingerprint", "")),
            verdict=str(data.get("verdict", "pass")),
        )


def fingerprint(services: Iterable[str]) -> str:
    """A stable digest of the registry's service names."""
    return hashlib.sha256("\n".join(sorted(set(services))).encode()).hexdigest()[:16]
