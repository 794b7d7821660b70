"""`python -m benchmarks` runs each part with the smallest settings; the table has its rows.

No timing is asserted: only that every figure is there, measured, and carries its aim.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import sandbox.cli
from benchmarks.__main__ import main
from benchmarks.coldstart import compile_bytecode

pytestmark = pytest.mark.slow

TINY = ["--seconds", "0.5", "--repeats", "1", "--json"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    result = main([*args, *TINY])
    printed = json.loads(capsys.readouterr().out)
    assert printed["table"] == result["table"]
    assert result["machine"]["python"] and result["date"]
    return result


def _rows(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in result["figures"]}


def _measured(row: dict[str, Any]) -> None:
    assert row["value"] is not None and row["value"] > 0, row


def test_coldstart_rows(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(_run(capsys, "--only", "coldstart"))

    assert set(rows) == {
        "sandbox up: launch to all healthy (fresh data dir)",
        "sandbox up: launch to all healthy (restart)",
        "plain FastAPI + uvicorn: launch to healthy",
        "sandbox (UI): launch to first screen",
    }
    for row in rows.values():
        _measured(row)
    assert rows["sandbox up: launch to all healthy (restart)"]["aim"] == "< 0.5 s"
    assert rows["sandbox (UI): launch to first screen"]["met"] in (True, False)


def test_recording_rows(capsys: pytest.CaptureFixture[str]) -> None:
    result = _run(capsys, "--only", "recording", "--generator", "python")
    rows = _rows(result)

    assert result["generator"]["kind"] == "python"
    assert "python httpx" in result["generator"]["name"]
    assert len(rows) == 5
    _measured(rows["requests/s, recording on"])
    assert rows["requests/s, recording on"]["ratio"] > 0
    assert rows["added CPU per recorded call"]["aim"] == "<= 40 us"


def test_story_throughput_and_memory_rows(capsys: pytest.CaptureFixture[str]) -> None:
    result = _run(capsys, "--only", "story", "throughput", "memory", "--generator", "python",
                  "--sequential", "2", "--rounds", "1")  # fmt: skip
    rows = _rows(result)
    sections = {f["section"] for f in result["figures"]}

    assert sections == {
        "checkout story",
        "throughput and latency over HTTP",
        "memory of sandbox up (the whole runtime: one process)",
    }
    for name in (
        "stories/s, 20 buyers at once",
        "story p99, 20 buyers at once",
        "read (GET product): requests/s, 16 connections",
        "write (POST order): p99, one connection",
        "read (GET product): calls per CPU-second of the server",
        "peak under load (VmHWM after story + throughput)",
    ):
        _measured(rows[name])
        assert rows[name]["baseline"] is not None and rows[name]["baseline"] > 0, name
    assert "failed or non-2xx requests to the sandbox" not in rows
    # The one-connection latency split: the loop's CPU per request and its wait for a CPU.
    for op in ("read (GET product)", "write (POST order)"):
        _measured(rows[f"{op}: server loop's CPU per request, one connection"])
        assert f"{op}: server loop's wait for a CPU per request, one connection" in rows
    assert rows["idle: resident (VmRSS)"]["aim"] == "< 80 MB"
    # Issue 17's aims: reads per CPU-second against the plain app, orders per CPU-second.
    assert rows["read (GET product): calls per CPU-second of the server"]["aim"] == "ratio >= 0.6"
    assert rows["write (POST order): calls per CPU-second of the server"]["aim"] == ">= 1000 /s"
    assert rows["stories/s, 20 buyers at once"]["aim"] == ">= 200 /s"


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_throughput_with_wrk_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    result = _run(capsys, "--only", "throughput", "--generator", "wrk")
    rows = _rows(result)

    assert result["generator"]["kind"] == "wrk" and "wrk" in result["generator"]["name"]
    _measured(rows["write (POST order): requests/s, 16 connections"])
    # Under wrk a write run occasionally reports one failed request (not understood yet: see
    # docs/performance.md); more than a handful means the prepared requests are wrong.
    failed = rows.get("failed or non-2xx requests to the sandbox", {}).get("value") or 0
    assert failed <= 2, rows["failed or non-2xx requests to the sandbox"]


def test_store_rows(capsys: pytest.CaptureFixture[str]) -> None:
    result = _run(capsys, "--only", "store", "--calls", "2000")
    rows = _rows(result)

    assert {f["section"] for f in result["figures"]} == {"trace store and log at 2,000 calls"}
    assert set(rows) == {
        "insert rate through stream + writer thread",
        "sandbox up memory, idle on the full store",
        "UI: start to populated log",
        "UI peak memory",
    }
    for row in rows.values():
        _measured(row)
        assert row["baseline"] > 0
    assert result["raw"]["store"]["full"]["total"] == 2000


def test_inprocess_rows(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(_run(capsys, "--only", "inprocess", "--sequential", "2"))

    assert set(rows) == {
        "CPU per read (GET product, signed)",
        "CPU per order (order, VA at the bank, webhook)",
    }
    for row in rows.values():
        _measured(row)
    assert rows["CPU per order (order, VA at the bank, webhook)"]["aim"] == "<= 1000 us"


def test_coldstart_launches_from_compiled_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = Path(importlib.util.cache_from_source(sandbox.cli.__file__))
    cached.unlink(missing_ok=True)
    monkeypatch.setattr("sys.dont_write_bytecode", True)  # as PYTHONDONTWRITEBYTECODE=1

    compile_bytecode()

    assert cached.is_file()
