"""The teaching variants: off by default, and each makes the audit fail for its real reason."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from sandbox.audit.checks import FAIL, NA, PASS
from sandbox.audit.engine import AuditReport, run_audit
from sandbox.audit.history import default_record
from sandbox.cli.options import _settings
from sandbox.cli.parser import _parser
from sandbox.config import VARIANTS
from sandbox.scenarios import checkout
from tests.audit.conftest import LOCAL, NAMES
from tests.conftest import FakeClock, Services


@pytest.fixture
async def audit_checkout(
    world: dict[str, Any], clock: FakeClock
) -> AsyncIterator[Callable[..., Any]]:
    """Run the checkout on services built with `variants` on; return the audit and the calls."""
    built: list[Services] = []

    async def run(*variants: str) -> tuple[AuditReport, Services]:
        services = Services(world, clock, variants=frozenset(variants))
        built.append(services)
        await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
        await services.settle()
        return run_audit(list(services.calls), NAMES, default_record(), LOCAL), services

    yield run
    for services in built:
        await services.aclose()


def _verdicts(report: AuditReport) -> dict[str, tuple[str, str]]:
    return {r.rule.id: (r.verdict, r.reason) for r in report.results}


async def test_without_a_variant_every_rule_passes(audit_checkout: Callable[..., Any]) -> None:
    report, _ = await audit_checkout()
    verdicts = _verdicts(report)
    # The checkout alone opens no account: CONSENT and ID-FLAGS have nothing to look at.
    assert all(v in (PASS, NA) for v, _ in verdicts.values()), verdicts
    assert verdicts["SOC-PAY"][0] == PASS and verdicts["SOC-DATA"][0] == PASS
    assert report.passed


async def test_social_calls_bank_fails_soc_pay_naming_the_call(
    audit_checkout: Callable[..., Any],
) -> None:
    report, services = await audit_checkout("social-calls-bank")
    direct = [c for c in services.calls if (c.caller, c.callee) == ("social", "bank")]
    assert len(direct) == 1
    assert direct[0].method == "POST" and direct[0].path == "/v1.0/transfer-va/status"
    assert direct[0].status == 401  # no credentials: the bank refused, the purchase went on
    result = next(r for r in report.results if r.rule.id == "SOC-PAY")
    assert result.verdict == FAIL
    assert result.evidence == (direct[0].span_id,)
    assert "social -> bank" in result.reason
    # The unsigned call is also caught by the signing and idempotency rules; nothing else.
    assert {r.rule.id for r in report.results if r.verdict == FAIL} == {
        "SOC-PAY",
        "SIGNED",
        "IDEMPOTENT",
    }
    assert not report.passed


async def test_catalogue_leaks_nik_fails_soc_data_naming_the_card_call(
    audit_checkout: Callable[..., Any],
) -> None:
    report, services = await audit_checkout("catalogue-leaks-nik")
    leaking = [
        c
        for c in services.calls
        if (c.caller, c.callee) == ("social", "marketplace") and "/products" in c.path
    ]
    assert leaking and all('"owner_nik"' in c.response_body for c in leaking)
    result = next(r for r in report.results if r.rule.id == "SOC-DATA")
    assert result.verdict == FAIL
    assert set(result.evidence) == {c.span_id for c in leaking}
    assert "NIK" in result.reason
    assert {r.rule.id for r in report.results if r.verdict == FAIL} == {"SOC-DATA"}


def test_variant_flag_is_checked_and_reaches_the_settings() -> None:
    with pytest.raises(SystemExit) as exc:
        _parser().parse_args(["up", "--variant", "nope"])
    assert exc.value.code == 2
    args = _parser().parse_args(
        ["up", "--variant", "social-calls-bank", "--variant", "catalogue-leaks-nik"]
    )
    assert set(args.variant) == set(VARIANTS)
    assert _settings(args).variants == frozenset(VARIANTS)
    assert _settings(_parser().parse_args(["up"])).variants == frozenset()
