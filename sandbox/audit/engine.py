"""Run every rule of the loaded rule sets and collect a report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sandbox.audit.checks import CHECKS, FAIL, NA, PASS, AuditContext
from sandbox.audit.records import AuditRecord, fingerprint
from sandbox.audit.rules import Rule, RuleSet, load_rulesets
from sandbox.trace.events import HttpCall

MAX_EVIDENCE = 10
RECORDED_BY_AUDIT = frozenset({"registry_audited"})
"""Rule kinds that a recorded audit itself satisfies: RE-AUDIT fails for a new service until
an audit covering it is recorded, so it cannot stand in the way of that record."""


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's verdict."""

    rule: Rule
    verdict: str
    evidence: tuple[str, ...] = ()
    """Span ids of the offending calls (service names for registry rules), at most 10."""
    reason: str = ""
    total: int = 0
    """How many pieces of evidence there were before the cut to 10."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Every rule's verdict over one set of calls."""

    results: tuple[RuleResult, ...]
    services: tuple[str, ...]
    rulesets: tuple[str, ...]
    calls: int
    traces: int
    record: AuditRecord | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    """When the audit ran: on the sandbox's clock when `run_audit` was given it."""
    contracts: dict[str, str] = field(default_factory=dict)
    """Digests of the services' contracts it saw (recorded with it)."""
    credentials: dict[str, str] = field(default_factory=dict)
    """Digests of the services' partner credentials it saw (recorded with it)."""

    @property
    def passed(self) -> bool:
        """True when no rule failed (not-applicable rules do not fail an audit)."""
        return all(r.verdict != FAIL for r in self.results)

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.verdict == FAIL]

    @property
    def recordable(self) -> bool:
        """True when every rule passed except those that ask for this very record (a service
        added since the last recorded audit): recording the audit is what re-audits it."""
        return all(r.rule.kind in RECORDED_BY_AUDIT for r in self.failed)

    def to_record(self) -> AuditRecord:
        """The record `sandbox audit --record` stores; raises ValueError when a rule other
        than RE-AUDIT failed."""
        if not self.recordable:
            ids = ", ".join(r.rule.id for r in self.failed if r.rule.kind not in RECORDED_BY_AUDIT)
            raise ValueError(f"the audit failed ({ids}); fix it before recording")
        return AuditRecord(
            recorded_at=self.created_at,
            services=self.services,
            rulesets=self.rulesets,
            fingerprint=fingerprint(self.services),
            contracts=dict(self.contracts),
            credentials=dict(self.credentials),
        )


def run_rule(rule: Rule, calls: Sequence[HttpCall], ctx: AuditContext) -> RuleResult:
    """One rule over the calls; a crashing check is reported as a failure, never raised."""
    try:
        outcome = CHECKS[rule.kind](calls, ctx, rule.params)
    except Exception as exc:  # a broken rule file must not hide the other rules
        return RuleResult(rule, FAIL, (), f"the {rule.kind} check could not run: {exc!r}")
    assert outcome.verdict in (PASS, FAIL, NA), outcome.verdict
    return RuleResult(
        rule,
        outcome.verdict,
        outcome.evidence[:MAX_EVIDENCE],
        outcome.reason,
        len(outcome.evidence),
    )


def run_audit(
    calls: Sequence[HttpCall],
    services: Sequence[str],
    record: AuditRecord | None,
    urls: dict[str, str] | None = None,
    rulesets: Sequence[RuleSet] | None = None,
    lang: str = "en",
    now: float | None = None,
    contracts: dict[str, str] | None = None,
    credentials: dict[str, str] | None = None,
) -> AuditReport:
    """Every rule of `rulesets` (default: the shipped ones) over `calls` and the registry,
    with the checks' reasons written in `lang`.

    `now` is the sandbox's clock (the audit is dated by it and the last record ages on it);
    `contracts` and `credentials` are the services' digests now (`GET /fingerprints`),
    compared with the record's and recorded with a pass. Without them, those are not judged.
    """
    sets = list(rulesets) if rulesets is not None else load_rulesets()
    ctx = AuditContext(
        services=tuple(services),
        record=record,
        urls=dict(urls or {}),
        lang=lang,
        now=now,
        contracts=dict(contracts or {}),
        credentials=dict(credentials or {}),
    )
    results = tuple(
        run_rule(rule, calls, replace(ctx, period_months=s.period_months))
        for s in sets
        for rule in s.rules
    )
    dated = {} if now is None else {"created_at": _iso(now)}
    return AuditReport(
        results=results,
        services=tuple(services),
        rulesets=tuple(s.id for s in sets),
        calls=len(calls),
        traces=len({c.trace_id for c in calls}),
        record=record,
        contracts=ctx.contracts,
        credentials=ctx.credentials,
        **dated,
    )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
