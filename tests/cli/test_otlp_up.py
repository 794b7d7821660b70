"""A real `sandbox up --otlp-endpoint ... --student rina` streams a checkout to a collector."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli import _free_base, _sandbox
from tests.trace.otlp_receiver import Receiver, closed_port, spans_of

pytestmark = pytest.mark.slow


def _up(data_dir: Path, *flags: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "up",
            "--data-dir",
            str(data_dir),
            "--port-base",
            str(_free_base()),
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (data_dir / "runtime.json").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "sandbox up did not start"
        time.sleep(0.05)
    return proc


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, out + err
    return out


def test_a_checkout_reaches_the_collector_with_the_students_name(tmp_path: Path) -> None:
    receiver = Receiver()
    try:
        proc = _up(tmp_path, "--otlp-endpoint", receiver.url, "--student", "rina")
        try:
            run = _sandbox("run", "checkout", "--json", "--data-dir", str(tmp_path))
            assert run.returncode == 0, run.stdout + run.stderr
            deadline = time.monotonic() + 15
            while ", 0 queued" not in (status := _status(tmp_path)) or " 0 sent" in status:
                assert time.monotonic() < deadline, status
                time.sleep(0.2)
        finally:
            out = _stop(proc)
        assert f"spans to {receiver.url}/v1/traces as student rina" in out
        assert ", 0 dropped, 0 failed" in status
        received = spans_of(receiver.accepted())
        assert {resource["sandbox.student"] for resource, _ in received} == {"rina"}
        checkout = [
            span
            for _, span in received
            if any(
                a["key"] == "sandbox.story" and a["value"]["stringValue"] == "checkout"
                for a in span["attributes"]
            )
        ]
        assert len(checkout) >= 4
        assert len({span["traceId"] for span in checkout}) == 1
    finally:
        receiver.close()


def test_a_dead_collector_costs_the_sandbox_nothing(tmp_path: Path) -> None:
    proc = _up(tmp_path, "--otlp-endpoint", f"http://127.0.0.1:{closed_port()}")
    try:
        run = _sandbox("run", "checkout", "--data-dir", str(tmp_path))
        assert run.returncode == 0, run.stdout + run.stderr
        status = _status(tmp_path)
        assert "spans to http://127.0.0.1:" in status and " 0 sent" in status
    finally:
        _stop(proc)  # returns: the queued spans do not hold up stopping


def _status(data_dir: Path) -> str:
    result = _sandbox("status", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout
