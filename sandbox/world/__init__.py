"""The seeded synthetic world: people, accounts, shops, videos and partner credentials.

The runtime builds it once and hands plain dicts to each institution's seeding code, so no
service imports this package (institutions only share HTTP contracts).
"""

from sandbox.world.build import build_world
from sandbox.world.fixtures import load_world

__all__ = ["build_world", "load_world"]
