"""What every part of the world is drawn from: the fixtures folder, the region table, the
world's size and epoch, and the secrets a seed gives.

Each part of the world (people, bank accounts, commerce, health, credentials) has its own
module; they all draw from here, so the same seed gives the same world byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

PERSONS, SELLERS, PRODUCTS, VIDEOS = 200, 50, 500, 300
SOCIAL_USERS, CREATORS = 150, 30
_WORLD_EPOCH = date(2024, 3, 1)
"""Dates in the world are relative to this day, never to "now", so the world never changes."""


def fixtures_dir() -> Path:
    """The fixtures folder: the repository's `fixtures/`, or the copy packed inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "fixtures", here / "_fixtures"):
        if (candidate / "personas.json").exists():
            return candidate
    raise FileNotFoundError("fixtures folder not found next to the sandbox package")


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((fixtures_dir() / name).read_text(encoding="utf-8"))
    return data


def _secret(seed: int, *parts: str) -> str:
    """A deterministic secret: the same seed gives the same credentials."""
    return hashlib.sha256("/".join([str(seed), *parts]).encode()).hexdigest()[:32]


def _regions() -> list[dict[str, str]]:
    rows = []
    for province in _read("regions.json")["provinces"]:
        for regency in province["regencies"]:
            for district in regency["districts"]:
                rows.append(
                    {
                        "code": district["code"],
                        "province": province["name"],
                        "regency": regency["name"],
                        "district": district["name"],
                        "postcode": district["postcode"],
                    }
                )
    return rows
