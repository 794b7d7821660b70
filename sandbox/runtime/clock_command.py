"""`sandbox clock`: read and move the clock every institution of a running sandbox shares.

`show [--json]`, `advance 25h`, `set 2026-12-12T09:00:00+07:00`, `freeze`, `resume [--real]`,
all through the control API of the sandbox running on the data directory (runtime.json), like
`sandbox status`. Wire into `sandbox/cli/parser.py` with `add_parser(sub)`. Exit codes: 0 done,
2 no sandbox running or input the clock cannot use (said in words, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox.runtime.remote import ControlClient, ControlError

EXIT_USAGE = 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Define `sandbox clock ...` on the CLI's subparsers."""
    help_text = "show or move the clock every institution of the running sandbox reads"
    p = sub.add_parser("clock", help=help_text, description=help_text + " (see docs/clock.md).")
    actions = p.add_subparsers(dest="clock_action", metavar="ACTION", required=True)

    def action(name: str, help: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help, description=help)
        a.add_argument(
            "--data-dir",
            metavar="D",
            help="where the sandbox keeps its data (default: your user data dir, "
            "or $SANDBOX_DATA_DIR)",
        )
        a.add_argument("--json", action="store_true", help="print the clock as JSON")
        a.set_defaults(func=cmd_clock)
        return a

    action("show", "the clock now: virtual or real, frozen or running")
    advance = action("advance", "jump forward, firing what falls due on the way, in order")
    advance.add_argument("duration", help="how far: 15s, 90m, 25h, 2d, 1w, 13mo (30 days), 1h30m")
    to = action("set", "put the clock at an instant (may go back; going back fires nothing)")
    to.add_argument("instant", help="ISO 8601 with an offset, e.g. 2026-12-12T09:00:00+07:00")
    action("freeze", "stop the clock where it is")
    resume = action("resume", "let the clock run again from its virtual instant")
    resume.add_argument("--real", action="store_true", help="return to real time instead")
    return p


def _data_dir(args: argparse.Namespace) -> Path:
    raw = getattr(args, "data_dir", None)
    if raw:
        return Path(raw).expanduser()
    from sandbox.config import default_data_dir

    return default_data_dir()


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    async with ControlClient.from_data_dir(_data_dir(args)) as control:
        match args.clock_action:
            case "show":
                return await control.clock()
            case "advance":
                return await control.move_clock("advance", {"by": args.duration})
            case "set":
                return await control.move_clock("set", {"to": args.instant})
            case "resume":
                return await control.move_clock("resume", {"real": args.real})
            case _:
                return await control.move_clock(args.clock_action)


def describe(state: dict[str, Any]) -> str:
    """The clock in one line, as a person reads it."""
    now = datetime.fromisoformat(str(state["now"]))
    when = now.isoformat(sep=" ", timespec="seconds")
    if state.get("real"):
        return f"{when} - real time"
    how = "frozen" if state.get("frozen") else "running"
    offset = float(state.get("offset_seconds", 0.0))
    side = "ahead of" if offset >= 0 else "behind"
    return f"{when} - virtual, {how}, {_span(offset)} {side} real time"


def _span(seconds: float) -> str:
    left, parts = int(abs(seconds)), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    parts.append(f"{left}s")
    return " ".join(parts[:3])


def cmd_clock(args: argparse.Namespace) -> int:
    """`sandbox clock show|advance|set|freeze|resume`."""
    try:
        state = asyncio.run(_run(args))
    except ControlError as exc:
        print(f"sandbox clock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(state) if args.json else describe(state))
    return 0
