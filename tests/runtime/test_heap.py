"""The collector is paused while the sandbox or the UI starts and back on afterwards, for
every command, whatever happens (sandbox/runtime/heap.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli import lifecycle
from sandbox.cli.parser import main

_SETTLE = """
import gc, weakref
from sandbox.runtime import heap
already_off = {off}
if already_off:
    gc.disable()
heap.pause_collection()
paused = not gc.isenabled()
built = [[object()] for _ in range(5000)]  # what a start builds
class Litter:
    pass
litter = Litter()
litter.itself = litter  # what a start leaves: a cycle nobody holds
gone = weakref.ref(litter)
del litter
heap.settle_after_start()
print(paused, gc.isenabled(), gc.get_freeze_count() > 5000, gone() is None)
"""


def _settle(off: bool) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SETTLE.format(off=off)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_a_start_collects_its_litter_freezes_what_it_built_and_collects_again() -> None:
    assert _settle(off=False) == "True True True True"


def test_a_collector_already_off_is_left_off_and_nothing_frozen() -> None:
    assert _settle(off=True) == "True False False False"


def test_a_command_that_does_not_settle_runs_with_the_collector_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def status(args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(lifecycle, "cmd_status", status)
    assert main(["status", "--data-dir", str(tmp_path)]) == 0
    assert seen == [True]
    assert gc.isenabled()


def test_sandbox_up_starts_paused_and_a_failed_start_collects_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = lifecycle.cmd_up

    def up(args: object) -> int:
        seen.append(gc.isenabled())
        return real(args)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle, "cmd_up", up)
    monkeypatch.setattr("sandbox.cli.parser._SETTLE_AFTER_START", (up,))
    # --student without --otlp-endpoint: refused before anything starts
    assert main(["up", "--student", "rina", "--data-dir", str(tmp_path)]) == 2
    assert seen == [False]
    assert gc.isenabled()


def test_a_start_that_never_ends_gets_the_collector_back() -> None:
    probe = (
        "import gc, time\n"
        "from sandbox.runtime import heap\n"
        "heap.pause_collection(longest=0.2)\n"
        "paused = not gc.isenabled()\n"
        "deadline = time.monotonic() + 30\n"
        "while not gc.isenabled() and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "print(paused, gc.isenabled(), gc.get_freeze_count() == 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "True True True"
