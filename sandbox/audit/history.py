"""Audit history: `audits.json` in the data directory, a list of passed audits, newest last.

When the file does not exist the seeded world's record applies: a passed audit covering the
built-in institutions, so a fresh sandbox audits clean and a service added later is flagged.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sandbox.audit.records import SEEDED, AuditRecord, fingerprint
from sandbox.audit.rules import RULESET_DIR

FILENAME = "audits.json"


def default_record() -> AuditRecord:
    """The passed audit the seeded world starts with: every built-in institution, every rule set."""
    from sandbox.runtime.registry import BUILTIN

    names = tuple(s.name for s in BUILTIN)
    rulesets = tuple(sorted(p.stem for p in RULESET_DIR.glob("*.toml")))
    return AuditRecord(
        recorded_at=SEEDED, services=names, rulesets=rulesets, fingerprint=fingerprint(names)
    )


def load_records(data_dir: Path) -> list[AuditRecord]:
    """Every record in `audits.json`, oldest first; the seeded record when the file is absent."""
    path = data_dir / FILENAME
    if not path.exists():
        return [default_record()]
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = raw.get("audits", []) if isinstance(raw, dict) else raw
    return [AuditRecord.from_dict(r) for r in items if isinstance(r, dict)]


def newest_of(items: list[dict[str, Any]] | None) -> AuditRecord | None:
    """The newest of the records the control API's `GET /audits` returned (`None`: none was
    ever recorded, so the seeded world's record; `[]`: none on record)."""
    if items is None:
        return default_record()
    records = [AuditRecord.from_dict(r) for r in items if isinstance(r, dict)]
    return records[-1] if records else None


def last_record(data_dir: Path) -> AuditRecord | None:
    """The newest recorded audit (None if the file exists but holds none)."""
    records = load_records(data_dir)
    return records[-1] if records else None


def save_record(data_dir: Path, record: AuditRecord) -> Path:
    """Append `record` to `audits.json` (keeping the seeded one first) and return the path."""
    records = load_records(data_dir) + [record]
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILENAME
    tmp = data_dir / f".{FILENAME}.{os.getpid()}"
    tmp.write_text(
        json.dumps({"audits": [r.to_dict() for r in records]}, indent=1), encoding="utf-8"
    )
    tmp.replace(path)
    return path
