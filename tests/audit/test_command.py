"""`sandbox audit` over a data directory: JSON shape, exit codes, scopes and --record."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from sandbox.audit.command import add_parser, cmd_audit, parse_since
from sandbox.audit.history import FILENAME, load_records
from sandbox.audit.records import SEEDED
from sandbox.trace.store import TraceStore
from tests.audit.conftest import NAMES, call

GOOD = "1" * 32
BAD = "2" * 32


def _args(data_dir: Path, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["audit", "--data-dir", str(data_dir), *argv])


def _fill(data_dir: Path, *, bad: bool) -> None:
    store = TraceStore(data_dir / "trace.db")
    calls = [
        call("good1", "buyer", "social", "GET", "/api/v1/videos/1", trace=GOOD, at=1_709_280_000.0)
    ]
    if bad:
        calls.append(
            call(
                "bad1",
                "social",
                "bank",
                "GET",
                "/mobile/v1/accounts/me",
                trace=BAD,
                at=1_709_280_100.0,
            )
        )
    store.add(calls)
    store.close()


def _run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str]:
    code = cmd_audit(_args(data_dir, *argv))
    return code, capsys.readouterr().out


def test_json_lists_every_rule_with_its_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(tmp_path, bad=True)
    code, out = _run(capsys, tmp_path, "--json")
    data = json.loads(out)
    assert code == 1 and data["passed"] is False and data["calls"] == 2
    assert {"id", "title", "verdict", "evidence", "reason"} <= set(data["rules"][0])
    soc = next(r for r in data["rules"] if r["id"] == "SOC-PAY")
    assert soc["verdict"] == "fail" and soc["evidence"] == ["bad1"]
    assert "social -> bank" in soc["reason"]


def test_one_trace_is_audited_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tmp_path, bad=True)
    code, out = _run(capsys, tmp_path, "--trace", GOOD[:8], "--json")
    assert code == 0 and json.loads(out)["calls"] == 1
    code, out = _run(capsys, tmp_path, "--trace", BAD)
    assert code == 1 and "FAIL" in out and "bad1" in out and "SOC-PAY" in out
    assert cmd_audit(_args(tmp_path, "--trace", "ffff")) == 2
    assert "no trace" in capsys.readouterr().err


def test_the_report_counts_in_their_plural_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(tmp_path, bad=True)
    code, out = _run(capsys, tmp_path, "--since", "2024-03-01T08:00:50+00:00")
    assert code == 1 and out.startswith("Audit of 1 call in 1 trace, 7 services, rule sets:")
    assert "FAILED: 1 of 10 rules" in out


def test_since_filters_traces_by_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tmp_path, bad=True)
    code, out = _run(capsys, tmp_path, "--since", "2024-03-01T08:00:50+00:00", "--json")
    assert code == 1 and json.loads(out)["calls"] == 1
    code, out = _run(capsys, tmp_path, "--since", "2024-03-01T09:00:00+00:00", "--json")
    assert code == 0 and json.loads(out)["calls"] == 0
    assert parse_since("10m", now=1000.0) == 400.0 and parse_since("1d", now=86400.0) == 0.0
    assert cmd_audit(_args(tmp_path, "--since", "yesterday-ish")) == 2


def test_a_fresh_data_dir_audits_clean_with_the_seeded_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys, tmp_path / "fresh", "--all")
    assert code == 0 and "PASSED" in out
    assert load_records(tmp_path / "fresh")[0].recorded_at == SEEDED


def test_record_stores_a_passed_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tmp_path, bad=False)
    code, _ = _run(capsys, tmp_path, "--record")
    assert code == 0
    stored = json.loads((tmp_path / FILENAME).read_text())["audits"]
    assert [a["recorded_at"] == SEEDED for a in stored] == [True, False]
    assert stored[-1]["services"] == list(NAMES) and stored[-1]["fingerprint"]
    assert set(stored[-1]["rulesets"]) == {"commerce", "privacy", "platform"}


def test_record_refuses_a_failing_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tmp_path, bad=True)
    assert cmd_audit(_args(tmp_path, "--record")) == 1
    assert "not recorded" in capsys.readouterr().err
    assert not (tmp_path / FILENAME).exists()


def test_an_audit_file_missing_a_service_flags_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = {
        "recorded_at": "2024-01-01T00:00:00+00:00",
        "services": list(NAMES[:-1]),
        "rulesets": ["platform"],
        "fingerprint": "x",
        "verdict": "pass",
    }
    (tmp_path / FILENAME).write_text(json.dumps({"audits": [old]}))
    code, out = _run(capsys, tmp_path, "--json")
    re_audit = next(r for r in json.loads(out)["rules"] if r["id"] == "RE-AUDIT")
    assert code == 1 and re_audit["verdict"] == "fail" and re_audit["evidence"] == [NAMES[-1]]


def test_lang_id_reports_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tmp_path, bad=True)
    code, out = _run(capsys, tmp_path, "--lang", "id")
    assert code == 1
    assert out.startswith("Audit atas 2 panggilan dalam 2 jejak")
    assert "SOC-PAY      GAGAL  Aplikasi sosial tidak pernah memanggil bank" in out
    assert "social -> bank GET /mobile/v1/accounts/me (span bad1): jalur terlarang" in out
    assert "mengapa: Platform media sosial boleh" in out
    assert "GAGAL: " in out and "FAILED" not in out and "never calls the bank" not in out
    assert "tercakup oleh audit dunia awal" in out and "seeded world" not in out
    code, out = _run(capsys, tmp_path, "--json", "--lang", "id")
    soc = next(r for r in json.loads(out)["rules"] if r["id"] == "SOC-PAY")
    assert "jalur terlarang" in soc["reason"]
    assert soc["translations"]["id"]["title"] == "Aplikasi sosial tidak pernah memanggil bank"
    assert soc["title"] == "The social app never calls the bank"  # the rule's own language
