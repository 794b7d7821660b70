"""A follower's page: `python -m sandbox.serve.follow --attach URL [--lang en|id]`.

It runs on the presenter's machine, one per student's browser, and opens the UI read-only
(`SandboxApp(read_only=True)`) on the presenter's sandbox with no control token, so even the
control API would refuse a change it asked for. It reads the sandbox's seed from the control
API, like `sandbox --attach`, to draw the same world, and follows what the presenter's stage
shows (`/stage` on the control API; `sandbox.tui.following`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sandbox.language import LANGUAGES
from sandbox.runtime.remote import ControlClient, ControlError
from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import RemoteBackend
from sandbox.tui.themes import THEMES
from sandbox.world import load_world


async def _seed(url: str) -> int:
    control = ControlClient(url)
    try:
        return int((await control.health())["seed"])
    finally:
        await control.aclose()


def main(argv: list[str] | None = None) -> int:
    """Open the read-only UI on the sandbox at `--attach`."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.serve.follow")
    parser.add_argument("--attach", metavar="URL", required=True, help="the control API")
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    parser.add_argument("--theme", choices=sorted(THEMES), default="dark")
    args = parser.parse_args(argv)
    url = args.attach.rstrip("/")
    try:
        seed = asyncio.run(_seed(url))
    except (ControlError, KeyError, ValueError) as exc:
        print(f"sandbox: no sandbox answers at {url}: {exc}", file=sys.stderr)
        return 2
    backend = RemoteBackend(ControlClient(url, token=""), load_world(seed))
    SandboxApp(backend, lang=args.lang, theme=THEMES[args.theme], read_only=True).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
