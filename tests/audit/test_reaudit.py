"""RE-AUDIT over time and change: a passed audit ages on the sandbox's clock past its rule set's
period, and stops covering a service whose contract or credentials changed since."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.audit.ageing import add_months, due_at
from sandbox.audit.checks import FAIL, PASS
from sandbox.audit.engine import AuditReport, run_audit
from sandbox.audit.records import AuditRecord
from sandbox.audit.rules import RuleError, load_rulesets, parse_ruleset
from sandbox.runtime.fingerprints import credentials_of, digest, fingerprints
from tests.audit.conftest import NAMES
from tests.conftest import WORLD_START

MONTH = 30 * 86400
CONTRACTS = {name: digest({"openapi": name}) for name in NAMES}
CREDENTIALS = {name: digest({"creds": name}) for name in NAMES}


def _audit(
    record: AuditRecord | None,
    now: float,
    contracts: dict[str, str] = CONTRACTS,
    credentials: dict[str, str] = CREDENTIALS,
    lang: str = "en",
) -> AuditReport:
    return run_audit(
        [], NAMES, record, {}, lang=lang, now=now, contracts=contracts, credentials=credentials
    )


def _reaudit(report: AuditReport) -> tuple[str, tuple[str, ...], str]:
    result = next(r for r in report.results if r.rule.id == "RE-AUDIT")
    return result.verdict, result.evidence, result.reason


def _passed_and_recorded() -> AuditRecord:
    report = _audit(None, WORLD_START)
    assert report.recordable
    record = report.to_record()
    assert record.recorded_at == "2024-03-01T08:00:00+00:00"  # the clock's time, not the machine's
    assert (record.contracts, record.credentials) == (CONTRACTS, CREDENTIALS)
    return record


def test_a_passed_audit_ages_past_its_period_on_the_clock() -> None:
    record = _passed_and_recorded()
    assert _reaudit(_audit(record, WORLD_START + 11 * MONTH))[0] == PASS
    verdict, evidence, reason = _reaudit(_audit(record, WORLD_START + 13 * MONTH))
    assert verdict == FAIL
    assert set(evidence) == set(NAMES)
    assert "older than its period of 12 months (due 2025-03-01T08:00:00+00:00)" in reason
    assert "sandbox audit --record" in reason
    # Recording a new audit is what renews it.
    renewed = _audit(record, WORLD_START + 13 * MONTH).to_record()
    assert _reaudit(_audit(renewed, WORLD_START + 14 * MONTH))[0] == PASS


def test_the_reason_is_written_in_indonesian_too() -> None:
    record = _passed_and_recorded()
    reason = _reaudit(_audit(record, WORLD_START + 13 * MONTH, lang="id"))[2]
    assert "12 bulan" in reason and "older" not in reason


def test_a_changed_contract_or_credentials_name_the_service() -> None:
    record = _passed_and_recorded()
    contracts = {**CONTRACTS, "bank": digest({"openapi": "bank v2"})}
    verdict, evidence, reason = _reaudit(_audit(record, WORLD_START + MONTH, contracts))
    assert (verdict, evidence) == (FAIL, ("bank",))
    assert "contract (OpenAPI document) of bank changed" in reason

    credentials = {**CREDENTIALS, "identity": "0" * 16, "records": "1" * 16}
    verdict, evidence, reason = _reaudit(
        _audit(record, WORLD_START + MONTH, CONTRACTS, credentials)
    )
    assert (verdict, evidence) == (FAIL, ("identity", "records"))
    assert "partner credentials of identity, records changed" in reason

    both = _reaudit(_audit(record, WORLD_START + 13 * MONTH, contracts, credentials))
    assert both[0] == FAIL and "older than" in both[2] and "contract" in both[2]


def test_what_cannot_be_compared_is_not_held_against_the_audit() -> None:
    """The seeded world's record has no instant and no digests; an older record file has no
    digests; an audit run without a sandbox has none to compare either."""
    old = AuditRecord.from_dict(
        {"recorded_at": "2024-03-01T08:00:00+00:00", "services": NAMES, "fingerprint": "x"}
    )
    assert (old.contracts, old.credentials) == ({}, {})
    assert _reaudit(_audit(old, WORLD_START + MONTH, {"bank": "changed"}))[0] == PASS
    assert _reaudit(_audit(_passed_and_recorded(), WORLD_START + MONTH, {}, {}))[0] == PASS


def test_calendar_months() -> None:
    jan31 = datetime(2024, 1, 31, 9, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2024, 2, 29, 9, tzinfo=UTC)
    assert add_months(jan31, 13) == datetime(2025, 2, 28, 9, tzinfo=UTC)
    assert due_at("seeded world", 12) is None


def test_the_period_comes_from_the_rule_set() -> None:
    sets = {s.id: s for s in load_rulesets()}
    assert sets["platform"].period_months == 12
    short = parse_ruleset({"id": "x", "period_months": 1, "rules": []})
    assert short.period_months == 1
    for bad in (0, -1, 1.5, "12", True, 121):
        with pytest.raises(RuleError, match="period_months"):
            parse_ruleset({"id": "x", "period_months": bad, "rules": []})


def test_fingerprints_change_with_the_contract_and_the_credentials(
    world: dict[str, Any],
) -> None:
    class App:
        def __init__(self, doc: dict[str, Any]) -> None:
            self.doc = doc

        def openapi(self) -> dict[str, Any]:
            return self.doc

    apps = {"bank": App({"paths": {"/a": {}}}), "proxy": object()}
    first = fingerprints(apps, world)
    assert set(first.contracts) == {"bank"}  # a server without a document has no contract
    apps["bank"] = App({"paths": {"/a": {}, "/b": {}}})
    assert fingerprints(apps, world).contracts["bank"] != first.contracts["bank"]

    changed = copy.deepcopy(world)
    changed["partners"]["bank"]["marketplace"]["client_secret"] = "rotated"
    assert credentials_of("bank", changed) != credentials_of("bank", world)
    assert credentials_of("marketplace", changed) != credentials_of("marketplace", world)
    assert credentials_of("identity", changed) == credentials_of("identity", world)
    secret = world["partners"]["bank"]["marketplace"]["client_secret"]
    assert secret not in str(first.to_dict())
