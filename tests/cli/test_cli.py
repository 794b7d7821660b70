"""The `sandbox` command as a user runs it: a real process, real ports, real signals."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.runtime.registry import BUILTIN
from tests.extend.partner_probe import accepted, held

pytestmark = pytest.mark.slow


def _sandbox(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args], capture_output=True, text=True, timeout=timeout
    )


def _free_base() -> int:
    """A base port whose next ports (one per institution, plus control) are free right now."""
    for _ in range(50):
        base = random.randint(20_000, 60_000)
        try:
            socks = []
            for port in range(base, base + len(BUILTIN) + 1):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Path, int, subprocess.Popen[str]]]:
    base = _free_base()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "up",
            "--data-dir",
            str(tmp_path),
            "--port-base",
            str(base),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "runtime.json").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "sandbox up did not start"
        time.sleep(0.05)
    yield tmp_path, base, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=15)  # also closes the pipes


def test_up_status_run_trace_and_clean_stop(
    running: tuple[Path, int, subprocess.Popen[str]],
) -> None:
    data_dir, base, proc = running
    status = _sandbox("status", "--json", "--data-dir", str(data_dir))
    assert status.returncode == 0, status.stdout + status.stderr
    rows = json.loads(status.stdout)
    assert {r["name"] for r in rows} == {s.name for s in BUILTIN}
    for row in rows:
        assert row["health"] == "ok", row
        assert row["url"].startswith("http://127.0.0.1:") and row["docs_url"].endswith("/docs")
        assert base < int(row["url"].rsplit(":", 1)[1]) <= base + len(BUILTIN)

    run = _sandbox("run", "checkout", "--data-dir", str(data_dir))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK" in run.stdout and "social -> marketplace" in run.stdout

    listed = json.loads(_sandbox("trace", "list", "--json", "--data-dir", str(data_dir)).stdout)
    trace = listed[0]
    assert {"trace_id", "calls", "services", "root", "duration_ms", "outcome"} <= set(trace)
    assert trace["calls"] >= 8 and "bank" in trace["services"]

    shown = _sandbox("trace", "show", trace["trace_id"][:10], "--data-dir", str(data_dir))
    assert shown.returncode == 0 and "marketplace -> bank POST" in shown.stdout
    for fmt in ("har", "mermaid", "jsonl", "otlp"):
        out = _sandbox(
            "trace", "export", trace["trace_id"], "--format", fmt, "--data-dir", str(data_dir)
        )
        assert out.returncode == 0 and out.stdout.strip(), (fmt, out.stderr)

    proc.send_signal(signal.SIGTERM)
    printed, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "http://127.0.0.1" in printed and "stopped" in printed
    assert not (data_dir / "runtime.json").exists()


def test_trace_show_finds_the_call_a_response_names(
    running: tuple[Path, int, subprocess.Popen[str]],
) -> None:
    data_dir, _, _ = running
    state = json.loads((data_dir / "runtime.json").read_text())
    url = state["services"]["marketplace"]
    answer = httpx.get(f"{url}/api/v2/fs/7001/products", params={"ids": "1"})
    assert answer.status_code == 401, "a stranger's call, answered with an error"
    request_id = answer.headers["x-request-id"]
    for ref in (request_id, answer.headers["traceresponse"]):
        shown = _sandbox("trace", "show", ref, "--data-dir", str(data_dir))
        assert shown.returncode == 0, shown.stderr
        [marked] = [line for line in shown.stdout.splitlines() if line.startswith("> ")]
        assert "external -> marketplace GET /api/v2/fs/7001/products" in marked
        assert "401" in marked and f"marks the call {request_id}" in shown.stdout
    exported = _sandbox(
        "trace", "export", request_id, "--format", "jsonl", "--data-dir", str(data_dir)
    )
    assert exported.returncode == 0 and request_id in exported.stdout


def test_credentials_made_while_up_runs_are_accepted_at_once(tmp_path: Path) -> None:
    project, data = tmp_path / "project", tmp_path / "data"
    project.mkdir()  # no sandbox.toml yet: `up` still watches the one made here later
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "up",
            "--data-dir",
            str(data),
            "--port-base",
            str(_free_base()),
        ],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (data / "runtime.json").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "sandbox up did not start"
            time.sleep(0.05)
        urls = json.loads((data / "runtime.json").read_text())["services"]
        made = _sandbox(
            "new", "service", "lab", "--calls", "identity,records", "--dir", str(project)
        )
        assert made.returncode == 0, made.stderr
        more = _sandbox(
            "new",
            "credentials",
            "lab",
            "--calls",
            "insurance,bank",
            "--config",
            str(project / "sandbox.toml"),
        )
        assert more.returncode == 0 and "Added credentials of lab at insurance, bank" in more.stdout
        creds = held(project / "sandbox.toml", "lab")
        assert accepted(urls, creds) == dict.fromkeys(
            ["identity", "records", "insurance", "bank"], True
        )
        mine = _sandbox(
            "new",
            "client",
            "me",
            "--calls",
            "marketplace",
            "--config",
            str(project / "sandbox.toml"),
        )
        assert mine.returncode == 0 and "recorded as me" in mine.stdout, mine.stderr
        assert accepted(urls, held(project / "sandbox.toml", "me")) == {"marketplace": True}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


def test_second_up_on_taken_ports_says_so(
    running: tuple[Path, int, subprocess.Popen[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, base, _ = running
    other = tmp_path_factory.mktemp("other")
    result = _sandbox("up", "--data-dir", str(other), "--port-base", str(base))
    assert result.returncode == 2
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


def test_status_without_a_sandbox(tmp_path: Path) -> None:
    result = _sandbox("status", "--data-dir", str(tmp_path))
    assert result.returncode == 1 and "sandbox up" in result.stdout


def test_run_starts_its_own_sandbox_when_none_runs(tmp_path: Path) -> None:
    result = _sandbox("run", "open-account", "--json", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and len(report["trace_id"]) == 32
    again = _sandbox("run", "open-account", "--data-dir", str(tmp_path))
    assert again.returncode == 1 and "sandbox reset" in again.stdout
    assert _sandbox("reset", "--data-dir", str(tmp_path)).returncode == 0
    told = _sandbox("run", "open-account", "--lang", "id", "--data-dir", str(tmp_path))
    assert told.returncode == 0, told.stdout + told.stderr
    assert "Menjalankan `open-account`" in told.stdout
    assert "Ia masuk dengan PIN barunya" in told.stdout
    assert "OK: `open-account` selesai seperti yang diceritakan." in told.stdout


def test_bad_trace_id_is_a_clear_error(tmp_path: Path) -> None:
    assert _sandbox("run", "checkout", "--data-dir", str(tmp_path)).returncode == 0
    result = _sandbox("trace", "show", "ffffffff", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "sandbox trace list" in result.stderr
    assert os.path.exists(tmp_path / "trace.db")


def test_run_checkout_pays_inside_the_checkout_and_va_keeps_the_jump(tmp_path: Path) -> None:
    debit = _sandbox("run", "checkout", "--json", "--data-dir", str(tmp_path))
    assert debit.returncode == 0, debit.stdout + debit.stderr
    report = json.loads(debit.stdout)
    assert report["ok"] and report["facts"]["pay"] == "debit"
    assert any("her phone: Bank Contoh:" in line for line in report["steps"])
    shown = _sandbox("trace", "show", report["trace_id"], "--data-dir", str(tmp_path))
    assert "marketplace -> bank POST /v1.0/debit/payment-host-to-host" in shown.stdout
    assert "buyer -> bank" not in shown.stdout
    jump = _sandbox("run", "checkout", "--pay", "va", "--json", "--data-dir", str(tmp_path))
    assert jump.returncode == 0, jump.stdout + jump.stderr
    va = json.loads(jump.stdout)
    shown = _sandbox("trace", "show", va["trace_id"], "--data-dir", str(tmp_path))
    assert "buyer -> bank POST /mobile/v1/va-payments" in shown.stdout
    wrong = _sandbox("run", "open-account", "--pay", "va", "--data-dir", str(tmp_path))
    assert wrong.returncode == 2 and "--pay is for the checkout and the flash sale" in wrong.stderr
