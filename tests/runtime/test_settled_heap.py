"""`sandbox up` leaves what start-up built out of later garbage collections; an embedded
runtime leaves its host process's collector alone (`supervisor._settle_heap`)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime

pytestmark = pytest.mark.slow

_SERVE_ON_MAIN_THREAD = """
import asyncio, gc, sys
from pathlib import Path
from sandbox.config import Settings
from sandbox.runtime.supervisor import Runtime

runtime = Runtime(Settings(data_dir=Path(sys.argv[1]), port_base=0))
runtime.check_seed()
runtime.bind()
runtime.build()
before = gc.get_freeze_count()

async def main() -> None:
    served = asyncio.create_task(runtime.serve())
    for _ in range(3000):
        if runtime.started.is_set() or served.done():
            break
        await asyncio.sleep(0.01)
    print(before, gc.get_freeze_count(), flush=True)
    runtime.stop()
    await asyncio.wait_for(served, 20)

asyncio.run(main())
"""


def test_runtime_on_its_process_main_thread_freezes_what_start_up_built(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_ON_MAIN_THREAD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0
    assert after > 10_000  # the apps, their models and the world


def test_embedded_runtime_leaves_the_collector_alone(tmp_path: Path) -> None:
    before = gc.get_freeze_count()
    runtime = Runtime(Settings(data_dir=tmp_path, port_base=0))
    runtime.start_in_thread()
    try:
        assert gc.get_freeze_count() == before
    finally:
        runtime.stop_thread()
