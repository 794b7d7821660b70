"""The UI benchmark runs end to end with the smallest settings (no timing asserted)."""

from __future__ import annotations

import json

import pytest

from benchmarks.ui import main


@pytest.mark.slow
def test_ui_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    result = main(
        [
            "--seconds",
            "1",
            "--rps",
            "20",
            "--repeats",
            "1",
            "--presses",
            "5",
            "--calls",
            "2000",
            "--warmup",
            "0.5",
            "--json",
        ]
    )

    printed = json.loads(capsys.readouterr().out)
    assert printed["redraw"].keys() == result["redraw"].keys()
    for side in ("idle", "loaded"):
        row = result["redraw"][side]
        for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
            assert row[key] > 0, (side, key)
        assert row["presses"] == 5, side
    assert result["redraw"]["loaded"]["events_per_s"] > 0
    assert result["redraw"]["loaded"]["rps"] > 0
    assert set(result["redraw"]["ratios"]) == {"p50_ms", "p95_ms", "p99_ms", "max_ms"}
    assert all(ratio > 0 for ratio in result["redraw"]["ratios"].values())
    assert "met" in result["redraw"]["aim"]

    log = result["log"]
    assert log["calls"] == 2000
    for measure in ("open_ms", "peak_rss_mb"):
        assert log[measure]["empty"] > 0, measure
        assert log[measure]["full"] > 0, measure
        assert log[measure]["ratio"] > 0, measure
    assert set(log["keys"]) == {"home", "pagedown", "end"}
    for key, row in log["keys"].items():
        assert row["presses"] > 0, key
        assert row["p50_ms"] > 0, key
    assert result["machine"]["python"]
