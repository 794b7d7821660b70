"""Helpers for the audit tests: hand-built calls and the shipped rules by id."""

from __future__ import annotations

from sandbox.audit.checks import AuditContext
from sandbox.audit.engine import RuleResult, run_rule
from sandbox.audit.history import default_record
from sandbox.audit.rules import Rule, load_rulesets
from sandbox.runtime.registry import BUILTIN
from sandbox.trace.events import Headers, HttpCall

TRACE = "a" * 32
NAMES = tuple(s.name for s in BUILTIN)
LOCAL = {name: f"http://127.0.0.1:{8001 + i}" for i, name in enumerate(NAMES)}


def call(
    span: str,
    caller: str,
    callee: str,
    method: str,
    path: str,
    status: int | None = 200,
    *,
    headers: Headers = (),
    body: str = "",
    response: str = "",
    trace: str = TRACE,
    at: float = 1_709_280_000.0,
) -> HttpCall:
    """A recorded call built by hand (span ids are 16 hex digits in real life; any string
    works here)."""
    return HttpCall(
        trace_id=trace,
        span_id=span,
        parent_id=None,
        caller=caller,
        callee=callee,
        method=method,
        path=path,
        status=status,
        started_at=at,
        duration_ms=1.0,
        request_headers=headers,
        request_body=body,
        response_body=response,
    )


def rule(rule_id: str) -> Rule:
    """A shipped rule by id."""
    return next(r for s in load_rulesets() for r in s.rules if r.id == rule_id)


def check(rule_id: str, calls: list[HttpCall], ctx: AuditContext | None = None) -> RuleResult:
    """Run one shipped rule over `calls` with the built-in registry, seeded record and local
    URLs unless `ctx` says otherwise."""
    ctx = ctx or AuditContext(services=NAMES, record=default_record(), urls=LOCAL)
    return run_rule(rule(rule_id), calls, ctx)
