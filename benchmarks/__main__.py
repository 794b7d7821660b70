"""Every benchmark in one run, printed as one table: `python -m benchmarks [--quick] [--json]`.

Parts, in the order they run (each in its own child processes; this process orchestrates):

1. cold start (`coldstart.py`): `sandbox up` and the UI, next to a plain FastAPI app;
2. recording overhead (`recording.py`): the same endpoint with recording on and off;
3. one `sandbox up` for the next three parts: its memory idle, then the checkout story
   (`story.py`), then a read and a write over HTTP against a plain app (`throughput.py`), then
   its memory under that load;
4. the trace store and the UI's log at 100,000 calls (`store.py`);
5. CPU per read and per order with the institutions in one process, no sockets
   (`inprocess.py`): the figure that moves with code rather than with the machine's load.

Figures are medians over repeated runs. Nothing here fails because of a number: a missed aim
is printed as MISSED. `--quick` runs everything short (about a minute) to check that it
works; the figures worth writing down come from a full run (three to four minutes).
docs/performance.md has the latest results and what limits each figure.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import coldstart, inprocess, load, recording, store, story, throughput
from benchmarks.figures import Aim, Figure, notes, render
from benchmarks.memory import status_mb
from benchmarks.processes import run_and_print, run_main, start_sandbox
from benchmarks.recording import machine
from benchmarks.ui_driver import start_ui

PARTS = ("coldstart", "recording", "story", "throughput", "memory", "store", "inprocess")
AIM_IDLE_MB = 80.0
AIM_LOADED_MB = 150.0
MEMORY = "memory of sandbox up (the whole runtime: one process)"


@dataclass(frozen=True)
class Settings:
    """How long and how often each part runs."""

    seconds: float
    repeats: int
    connections: int
    sequential: int
    rounds: int
    calls: int


FULL = Settings(seconds=3, repeats=3, connections=16, sequential=20, rounds=3, calls=100_000)
QUICK = Settings(seconds=1, repeats=1, connections=16, sequential=5, rounds=1, calls=20_000)


def _shared_sandbox(
    parts: set[str], s: Settings, generator: str, tmp: Path
) -> tuple[list[Figure], dict[str, Any]]:
    """Story, throughput and memory on one `sandbox up`, plus the UI opened on its empty store."""
    from sandbox.world import load_world

    raw: dict[str, Any] = {}
    figures: list[Figure] = []
    sandbox = start_sandbox(tmp / "shared", 100_000)
    try:
        world = load_world(sandbox.state.seed)
        time.sleep(1.0)  # past start-up work
        raw["idle"] = status_mb(sandbox.process.pid)
        if "store" in parts:
            ui = start_ui(multiprocessing.get_context("spawn"), sandbox, 0)
            raw["empty_ui"] = {"open_ms": ui.opened["open_ms"],
                               "ui_peak_mb": ui.close()["peak_rss_mb"],
                               "sandbox_rss_mb": raw["idle"].get("VmRSS")}  # fmt: skip
        shelf = story.Shelf.of(world)
        if "story" in parts:
            raw["story"] = story.measure(sandbox, world, s.sequential, s.rounds, shelf)
            figures += story.figures(raw["story"])
        if "throughput" in parts:
            raw["throughput"] = throughput.measure(
                sandbox, world, shelf.products(), generator, s.seconds, s.repeats, s.connections
            )
            figures += throughput.figures(raw["throughput"], s.connections)
        raw["loaded"] = status_mb(sandbox.process.pid)
    finally:
        sandbox.stop()
    if "memory" in parts:
        figures += _memory_figures(raw)
    return figures, raw


def _memory_figures(raw: dict[str, Any]) -> list[Figure]:
    plain = raw.get("throughput", {}).get("plain_memory", {})
    loaded_by = " + ".join(p for p in ("story", "throughput") if p in raw) or "no load"
    return [
        Figure(MEMORY, "idle: resident (VmRSS)", raw["idle"].get("VmRSS"), "MB",
               plain.get("idle", {}).get("VmRSS"), "plain app", Aim("<", AIM_IDLE_MB)),
        Figure(MEMORY, "idle: peak so far (VmHWM)", raw["idle"].get("VmHWM"), "MB",
               plain.get("idle", {}).get("VmHWM"), "plain app", Aim("<", AIM_IDLE_MB)),
        Figure(MEMORY, f"peak under load (VmHWM after {loaded_by})",
               raw["loaded"].get("VmHWM"), "MB", plain.get("loaded", {}).get("VmHWM"),
               "plain app", Aim("<", AIM_LOADED_MB)),
    ]  # fmt: skip


def run(parts: set[str], s: Settings, generator: str) -> dict[str, Any]:
    """Run the chosen parts; the figures and every raw result."""
    kind = load.choose(generator)
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-all-"))
    try:
        if "coldstart" in parts:
            figures += coldstart.run(s.repeats)
        if "recording" in parts:
            raw["recording"] = recording.run_benchmark(
                seconds=s.seconds, repeats=s.repeats, connections=s.connections, generator=kind
            )
            figures += recording.figures(raw["recording"])
        if parts & {"story", "throughput", "memory", "store"}:
            shared, raw["shared"] = _shared_sandbox(parts, s, kind, tmp)
            figures += shared
        if "store" in parts:
            raw["store"] = store.measure(tmp / "store", s.calls, raw["shared"].get("empty_ui"))
            figures += store.figures(raw["store"])
        if "inprocess" in parts:
            raw["inprocess"] = inprocess.run(s.sequential * 15, s.sequential * 5, s.repeats)
            figures += inprocess.figures(raw["inprocess"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "date": started.isoformat(timespec="seconds"),
        "seconds_taken": (datetime.datetime.now(datetime.UTC) - started).total_seconds(),
        "machine": machine(),
        "loadavg": {"before": load_before, "after": os.getloadavg()},
        "generator": {"kind": kind, "name": load.generator_name(kind)},
        "settings": s.__dict__,
        "figures": [f.as_dict() for f in figures],
        "table": render(figures),
        "notes": notes(figures),
        "raw": raw,
    }


def describe(result: dict[str, Any]) -> str:
    """The header, the table and the notes, as printed."""
    m, g, s = result["machine"], result["generator"], result["settings"]
    lines = [
        f"run:       {result['date']} ({result['seconds_taken']:.0f} s)",
        f"machine:   {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['platform']}",
        f"loadavg:   {_loads(result['loadavg']['before'])} before, "
        f"{_loads(result['loadavg']['after'])} after (1, 5 and 15 min averages)",
        f"load:      {g['name']} ({g['kind']}), {s['connections']} connections; "
        f"{s['seconds']:g} s x {s['repeats']} runs per figure (medians)",
        "",
        result["table"],
    ]
    if result["notes"]:
        lines += ["", "notes:", *(f"  {n}" for n in result["notes"])]
    return "\n".join(lines)


def _loads(values: list[float] | tuple[float, ...]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with `--quick` and per-part overrides."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=(__doc__ or "").split("\n\n")[0])  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="short runs, to check it works")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                        help="run only these parts")  # fmt: skip
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator (auto: wrk when on PATH, else Python)")  # fmt: skip
    parser.add_argument("--seconds", type=float, help="length of each load run")
    parser.add_argument("--repeats", type=int, help="runs per figure")
    parser.add_argument("--calls", type=int, help="calls in the big trace store")
    parser.add_argument("--sequential", type=int, help="checkout stories one at a time")
    parser.add_argument("--rounds", type=int, help="rounds of 20 concurrent stories")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run, print the table (or JSON) and return the results."""
    args = parse_args(argv)
    base = QUICK if args.quick else FULL
    chosen = {k: getattr(args, k) for k in ("seconds", "repeats", "calls", "sequential",
                                            "rounds") if getattr(args, k) is not None}  # fmt: skip
    settings = Settings(**{**base.__dict__, **chosen})
    return run_and_print(lambda: run(set(args.only), settings, args.generator), args.json, describe)


if __name__ == "__main__":
    run_main(main)
