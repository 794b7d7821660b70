"""Rebuild `fixtures/world/` from a seed: `python -m sandbox.world.regenerate [SEED]`."""

from __future__ import annotations

import sys

from sandbox.config import DEFAULT_SEED
from sandbox.world.build import build_world, fixtures_dir
from sandbox.world.fixtures import dump


def main(argv: list[str]) -> int:
    """Write the world of SEED (default: the sandbox's default seed)."""
    seed = int(argv[0]) if argv else DEFAULT_SEED
    folder = fixtures_dir() / "world"
    dump(build_world(seed), folder)
    print(f"wrote the world of seed {seed} to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
