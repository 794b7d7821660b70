"""Render an audit report as a text table or a JSON-ready dict."""

from __future__ import annotations

from typing import Any

from sandbox.audit.checks import FAIL, NA, PASS
from sandbox.audit.engine import AuditReport
from sandbox.language import N_, texts

VERDICTS = {PASS: N_("PASS"), FAIL: N_("FAIL"), NA: N_("n/a")}
"""How the table marks each verdict."""


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
                "translations": {
                    lang: {"title": title, "why": why}
                    for lang, (title, why) in r.rule.translations.items()
                },
            }
            for r in report.results
        ],
    }


def render(report: AuditReport, width: int = 100, lang: str = "en") -> str:
    """A table: rule, verdict, title and reason, evidence below each failing rule; in `lang`
    (the reasons are in the language the audit was run in)."""
    _ = texts("audit", lang)
    calls, traces, services = report.calls, report.traces, len(report.services)
    lines = [
        # TRANSLATORS: {calls}, {traces} and {services} are counted: "12 calls", "1 trace"
        _("Audit of {calls} in {traces}, {services}, rule sets: {sets}").format(
            calls=_.ngettext("{count} call", "{count} calls", calls).format(count=calls),
            traces=_.ngettext("{count} trace", "{count} traces", traces).format(count=traces),
            services=_.ngettext("{count} service", "{count} services", services).format(
                count=services
            ),
            sets=", ".join(report.rulesets),
        ),
        "",
    ]
    marks = {verdict: _(mark) for verdict, mark in VERDICTS.items()}
    heads = [_("RULE"), _("VERDICT"), _("TITLE / REASON")]
    mark_w = max([len(m) for m in marks.values()] + [len(heads[1])])
    id_w = max([len(r.rule.id) for r in report.results] + [len(heads[0])])
    lines.append(f"{heads[0].ljust(id_w)}  {heads[1].ljust(mark_w)}  {heads[2]}")
    pad = " " * (id_w + mark_w + 4)
    for r in report.results:
        title = r.rule.title_in(lang)
        lines.append(f"{r.rule.id.ljust(id_w)}  {marks[r.verdict].ljust(mark_w)}  {title}")
        text = (
            r.reason
            if len(pad) + len(r.reason) <= width
            else (r.reason[: max(20, width - len(pad) - 3)] + "...")
        )
        lines.append(f"{pad}{text}")
        if r.verdict == FAIL:
            if r.evidence:
                more = (
                    _(" (+{count} more)").format(count=r.total - len(r.evidence))
                    if r.total > len(r.evidence)
                    else ""
                )
                spans = " ".join(r.evidence)
                lines.append(pad + _("evidence: {spans}{more}").format(spans=spans, more=more))
            lines.append(pad + _("why: {why}").format(why=r.rule.why_in(lang)))
    failed, rules = report.failed, len(report.results)
    lines.append("")
    if failed:
        ids = ", ".join(r.rule.id for r in failed)
        verdict = _.ngettext(
            "FAILED: {failed} of {rules} rule ({ids}). `sandbox trace show <trace>` shows a call "
            "by its span id.",
            "FAILED: {failed} of {rules} rules ({ids}). `sandbox trace show <trace>` shows a "
            "call by its span id.",
            rules,
        )
        lines.append(verdict.format(failed=len(failed), rules=rules, ids=ids))
    else:
        passed = _.ngettext(
            "PASSED: no rule failed ({rules} rule).",
            "PASSED: no rule failed ({rules} rules).",
            rules,
        )
        lines.append(passed.format(rules=rules))
    return "\n".join(lines)
