"""Audit records: one passed audit (`AuditRecord`) and the fingerprint of what it covered.

The checks read the last record (a service added since it is flagged); `history.py` keeps the
records in `audits.json`. The record is apart from its file so the checks need not import what
lists the rule sets, which imports the checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
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
    contracts: dict[str, str] = field(default_factory=dict)
    """Service -> digest of its OpenAPI document when audited (`runtime/fingerprints.py`);
    empty in records made before contracts were recorded, which are then not compared."""
    credentials: dict[str, str] = field(default_factory=dict)
    """Service -> digest of its partner credentials when audited (a digest, never a secret)."""

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
            contracts=_digests(data.get("contracts")),
            credentials=_digests(data.get("credentials")),
        )


def _digests(raw: Any) -> dict[str, str]:
    """A service -> digest table from a record file (anything else is read as none)."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}


def fingerprint(services: Iterable[str]) -> str:
    """A stable digest of the registry's service names."""
    return hashlib.sha256("\n".join(sorted(set(services))).encode()).hexdigest()[:16]
