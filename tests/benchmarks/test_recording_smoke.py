"""The recording benchmark runs end to end with the smallest settings (no timing asserted)."""

from __future__ import annotations

import json

import pytest

from benchmarks.recording import main


@pytest.mark.slow
def test_recording_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    result = main(
        [
            "--seconds",
            "0.5",
            "--repeats",
            "1",
            "--connections",
            "4",
            "--warmup",
            "0.2",
            "--generator",
            "python",
            "--json",
        ]
    )

    printed = json.loads(capsys.readouterr().out)
    assert printed["ratios"].keys() == result["ratios"].keys()
    for side in ("on", "off"):
        for key in ("rps", "p50_ms", "p99_ms", "cpu_us_per_call"):
            assert result[side][key] > 0, (side, key)
    for key in ("throughput_on_off", "p99_on_off", "bytes_per_call"):
        assert result["ratios"][key] > 0, key
    assert "added_cpu_us_per_call" in result["ratios"]
    assert set(result["aims"]) == set(result["ratios"])
    assert result["storage"]["calls"] > 0
    assert result["load_generator"]["kind"] == "python"
    assert result["machine"]["python"]
