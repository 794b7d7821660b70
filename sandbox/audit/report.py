"""Render an audit report as a text table or a JSON-ready dict."""

from __future__ import annotations

from typing import Any

from sandbox.audit.checks import FAIL, NA, PASS
from sandbox.audit.engine import AuditReport

_MARK = {PASS: "PASS", FAIL: "FAIL", NA: "n/a"}


def to_dict(report: AuditReport) -> dict[str, Any]:
    """`{passed, calls, traces, services, rulesets, record, rules: [...]}`."""
    return {
        "passed": report.passed,
        "created_at": report.created_at,
        "calls": report.calls,
        "traces": report.traces,
        "services": list(report.services),
        "rulesets": list(report.rulesets),
        "record": report.record.to_dict() if report.record else None,
        "rules": [
            {
                "id": r.rule.id,
                "title": r.rule.title,
                "kind": r.rule.kind,
                "ruleset": r.rule.ruleset,
                "verdict": r.verdict,
                "evidence": list(r.evidence),
                "evidence_total": r.total,
                "reason": r.reason,
                "why": r.rule.why,
            }
            for r in report.results
        ],
    }


def render(report: AuditReport, width: int = 100) -> str:
    """A table: rule, verdict, title and reason, evidence below each failing rule."""
    lines = [
        f"Audit of {report.calls} calls in {report.traces} traces, "
        f"{len(report.services)} services, rule sets: {', '.join(report.rulesets)}",
        "",
    ]
    id_w = max([len(r.rule.id) for r in report.results] + [4])
    lines.append(f"{'RULE'.ljust(id_w)}  VERDICT  TITLE / REASON")
    for r in report.results:
        lines.append(f"{r.rule.id.ljust(id_w)}  {_MARK[r.verdict].ljust(7)}  {r.rule.title}")
        pad = " " * (id_w + 11)
        reason = (
            r.reason
            if len(pad) + len(r.reason) <= width
            else (r.reason[: max(20, width - len(pad) - 3)] + "...")
        )
        lines.append(f"{pad}{reason}")
        if r.verdict == FAIL:
            if r.evidence:
                more = f" (+{r.total - len(r.evidence)} more)" if r.total > len(r.evidence) else ""
                lines.append(f"{pad}evidence: {' '.join(r.evidence)}{more}")
            lines.append(f"{pad}why: {r.rule.why}")
    failed = report.failed
    lines.append("")
    if failed:
        lines.append(
            f"FAILED: {len(failed)} of {len(report.results)} rules "
            f"({', '.join(r.rule.id for r in failed)}). "
            "`sandbox trace show <trace>` shows a call by its span id."
        )
    else:
        lines.append(f"PASSED: no rule failed ({len(report.results)} rules).")
    return "\n".join(lines)
