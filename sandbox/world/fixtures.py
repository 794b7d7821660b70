"""Read and write the committed world files in `fixtures/world/`.

The default seed's world is committed as readable JSON so people can browse it; other seeds
are built in memory. A test checks the committed files still equal a fresh build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_SEED
from sandbox.world.build import build_world, fixtures_dir

PARTS = (
    "persons",
    "bank",
    "marketplace",
    "social",
    "partners",
    "personas",
    "regions",
    "hospital",
    "insurance",
    "records",
    "ikd",
)


def dump(world: dict[str, Any], folder: Path) -> None:
    """Write one pretty JSON file per part, plus the seed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seed.json").write_text(json.dumps({"seed": world["seed"]}) + "\n")
    for part in PARTS:
        text = json.dumps(world[part], indent=1, ensure_ascii=False, sort_keys=False)
        (folder / f"{part}.json").write_text(text + "\n", encoding="utf-8")


def load_world(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The committed world for the default seed (fast), otherwise a fresh build."""
    folder = fixtures_dir() / "world"
    if seed == DEFAULT_SEED and (folder / "seed.json").exists():
        world: dict[str, Any] = {"seed": seed}
        for part in PARTS:
            world[part] = json.loads((folder / f"{part}.json").read_text(encoding="utf-8"))
        return world
    return build_world(seed)
