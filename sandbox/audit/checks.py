"""One pure function per rule kind: recorded calls and the registry in, a verdict out.

Every check takes the calls (`HttpCall`, as stored: secrets redacted, NIKs masked to their last
four digits), an `AuditContext` (registry names, last audit record, service URLs) and the rule's
`params` from its TOML file, and returns an `Outcome`: `pass`, `fail` or `not-applicable`, the
offending span ids (or service names for registry rules) and a one-line reason that names the
first offending call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.audit.ageing import DEFAULT_PERIOD_MONTHS, due_at
from sandbox.audit.records import SEEDED, AuditRecord
from sandbox.language import texts
from sandbox.trace.events import HttpCall

PASS, FAIL, NA = "pass", "fail", "not-applicable"
VERDICTS = (PASS, FAIL, NA)


@dataclass(frozen=True, slots=True)
class AuditContext:
    """What the checks know besides the calls."""

    services: tuple[str, ...] = ()
    """Names of every service in the registry."""
    record: AuditRecord | None = None
    """The last recorded passed audit."""
    urls: dict[str, str] = field(default_factory=dict)
    """Service name to base URL, when a sandbox is running."""
    lang: str = "en"
    """The language reasons are written in (`sandbox.language.LANGUAGES`)."""
    now: float | None = None
    """The sandbox's clock (Unix seconds) when the audit runs; None: ageing is not judged."""
    period_months: int = DEFAULT_PERIOD_MONTHS
    """How long an audit of the rule's set lasts (`period_months` in its TOML file)."""
    contracts: dict[str, str] = field(default_factory=dict)
    """Service -> digest of its OpenAPI document now (empty: contracts are not compared)."""
    credentials: dict[str, str] = field(default_factory=dict)
    """Service -> digest of its partner credentials now (empty: not compared)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A check's verdict."""

    verdict: str
    evidence: tuple[str, ...] = ()
    reason: str = ""


Check = Callable[[Sequence[HttpCall], AuditContext, dict[str, Any]], Outcome]


def describe(call: HttpCall, lang: str = "en") -> str:
    """`caller -> callee METHOD path (span)`: how a reason names a call. A caller nobody
    verified is named as such: `external (claims to be social)`."""
    _ = texts("audit", lang)
    path = call.path if len(call.path) <= 80 else call.path[:77] + "..."
    span = _("span")
    who = call.caller
    if call.claimed_caller:
        who = _("{caller} (claims to be {claimed})").format(
            caller=call.caller, claimed=call.claimed_caller
        )
    return f"{who} -> {call.callee} {call.method} {path} ({span} {call.span_id})"


def _bare(path: str) -> str:
    return path.split("?", 1)[0]


def _query(path: str) -> dict[str, str]:
    return dict(parse_qsl(path.split("?", 1)[1], keep_blank_values=True)) if "?" in path else {}


def _header_names(headers: Iterable[tuple[str, str]]) -> set[str]:
    return {k.lower() for k, _ in headers}


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _result(ctx: AuditContext, bad: list[HttpCall], why: str, checked: int, what: str) -> Outcome:
    """Fail on the first bad call, else pass on the `checked` calls (or say none was recorded).

    `what` names the calls checked in the form their count takes: `ngettext("call", "calls", n)`.
    """
    _ = texts("audit", ctx.lang)
    if bad:
        more = _(" (and {count} more)").format(count=len(bad) - 1) if len(bad) > 1 else ""
        call = describe(bad[0], ctx.lang)
        return Outcome(
            FAIL,
            tuple(c.span_id for c in bad),
            _("{call}: {why}{more}").format(call=call, why=why, more=more),
        )
    if not checked:
        return Outcome(NA, (), _("no {what} recorded").format(what=what))
    return Outcome(PASS, (), _("{count} {what} checked").format(count=checked, what=what))


def _matches(call: HttpCall, spec: dict[str, Any]) -> bool:
    """Does `call` fall under a requirement table (callee, caller, method, path, path_prefix)?"""
    path = _bare(call.path)
    return (
        (not spec.get("callee") or call.callee == spec["callee"])
        and (not spec.get("caller") or call.caller == spec["caller"])
        and (not spec.get("method") or call.method.upper() == str(spec["method"]).upper())
        and (not spec.get("path") or path == spec["path"])
        and (not spec.get("path_prefix") or path.startswith(str(spec["path_prefix"])))
        and not any(path.startswith(str(p)) for p in spec.get("except_prefixes", ()))
    )


def _carries(call: HttpCall, spec: dict[str, Any]) -> bool:
    """Does `call` carry the header or query parameter `spec` requires (names only)?"""
    if spec.get("header"):
        return str(spec["header"]).lower() in _header_names(call.request_headers)
    if spec.get("query"):
        return str(spec["query"]) in _query(call.path)
    return True


# -- call checks -------------------------------------------------------------------------------


def forbidden_edge(calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]) -> Outcome:
    """No call goes along any of `params["edges"]` ([caller, callee] pairs)."""
    _ = texts("audit", ctx.lang)
    edges = {(str(a), str(b)) for a, b in params.get("edges", [])}
    bad = [c for c in calls if (c.caller, c.callee) in edges]
    names = ", ".join(f"{a} -> {b}" for a, b in sorted(edges))
    if bad:
        why = _("forbidden edge ({edges})").format(edges=names)
        return _result(ctx, bad, why, len(calls), _.ngettext("call", "calls", len(calls)))
    spared = _.ngettext(
        "the only call does not go {edges}", "none of {count} calls goes {edges}", len(calls)
    ).format(count=len(calls), edges=names)
    # A call that only claimed to come from a party was not made by it: never blamed on it,
    # but named, so a reader sees someone tried.
    claims = [c for c in calls if (c.claimed_caller, c.callee) in edges]
    if claims:
        parties = ", ".join(sorted({str(c.claimed_caller) for c in claims}))
        spared += _.ngettext(
            "; {count} unverified call claiming to be {parties} not counted, e.g. {call}",
            "; {count} unverified calls claiming to be {parties} not counted, e.g. {call}",
            len(claims),
        ).format(count=len(claims), parties=parties, call=describe(claims[0], ctx.lang))
    return Outcome(PASS, (), spared)


def no_personal_data_to(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Nothing a `params["parties"]` service sends or receives matches a personal-data pattern.

    `patterns` is a list of {name, regex} looked for in paths and bodies; `fields` are JSON keys
    (e.g. `balance`) that must not appear in any body the party sees.
    """
    _ = texts("audit", ctx.lang)
    parties = set(params.get("parties", []))
    patterns = [
        (_named(p, ctx.lang), re.compile(str(p["regex"]))) for p in params.get("patterns", [])
    ]
    fields = [str(f) for f in params.get("fields", [])]
    field_re = (
        re.compile(r'"(' + "|".join(re.escape(f) for f in fields) + r')"\s*:') if fields else None
    )
    bad: list[HttpCall] = []
    first = ""
    touched = 0
    for call in calls:
        if call.caller not in parties and call.callee not in parties:
            continue
        touched += 1
        text = "\n".join((call.path, call.request_body, call.response_body))
        found = next((name for name, rx in patterns if rx.search(text)), "")
        if not found and field_re is not None:
            match = field_re.search(text)
            found = _("field `{name}`").format(name=match.group(1)) if match else ""
        if found:
            bad.append(call)
            first = first or found
    named = ", ".join(sorted(parties))
    return _result(
        ctx,
        bad,
        _("{found} seen by {parties}").format(found=first, parties=named),
        touched,
        _.ngettext("call of {parties}", "calls of {parties}", touched).format(parties=named),
    )


def flags_only(calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]) -> Outcome:
    """Verification responses hold only the allowed keys and flag values, never stored data."""
    _ = texts("audit", ctx.lang)
    allowed = set(params.get("allowed_keys", []))
    flags = set(params.get("flag_values", ["SESUAI", "TIDAK SESUAI"]))
    flag_key = str(params.get("flags_key", "fields"))
    bad: list[HttpCall] = []
    first = ""
    checked = 0
    for call in calls:
        if not _matches(call, params) or call.status is None or not 200 <= call.status < 300:
            continue
        checked += 1
        body = _json(call.response_body)
        problem = ""
        if not isinstance(body, dict):
            problem = _("response is not a JSON object of flags")
        else:
            extra = sorted(set(body) - allowed)
            values = body.get(flag_key) or {}
            odd = (
                [k for k, v in values.items() if v is not None and v not in flags]
                if isinstance(values, dict)
                else [flag_key]
            )
            if extra:
                problem = _.ngettext(
                    "returns key {keys} beyond the flags",
                    "returns keys {keys} beyond the flags",
                    len(extra),
                ).format(keys=", ".join(extra))
            elif odd:
                problem = _("returns a stored value for {keys}, not a flag").format(
                    keys=", ".join(odd)
                )
        if problem:
            bad.append(call)
            first = first or problem
    what = _.ngettext("verification response", "verification responses", checked)
    return _result(ctx, bad, first, checked, what)


def _header(call: HttpCall, name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in call.request_headers if k.lower() == wanted), "")


def _moment(text: Any) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def _granted(calls: Sequence[HttpCall], params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The consents people approved in their IKD app, as the recorded approvals say, with the
    moment each was revoked (if a recorded revocation says so)."""
    approve, revoke = params["approve"], params["revoke"]
    granted: dict[str, dict[str, Any]] = {}
    for call in sorted(calls, key=lambda c: c.started_at):
        path = _bare(call.path)
        ok = call.status is not None and 200 <= call.status < 300
        if not ok or call.callee != approve["callee"]:
            continue
        if call.method == "POST" and re.fullmatch(approve["path_pattern"], path):
            body = _json(call.response_body)
            if isinstance(body, dict) and body.get("consent_id"):
                granted[str(body["consent_id"])] = {**body, "revoked": None}
        elif call.method == "DELETE" and re.fullmatch(revoke["path_pattern"], path):
            consent = granted.get(path.rsplit("/", 1)[-1])
            if consent is not None and consent["revoked"] is None:
                consent["revoked"] = call.started_at
    return granted


def _consent_problem(
    consent: dict[str, Any] | None, call: HttpCall, use: dict[str, Any], lang: str
) -> str | None:
    """Why a consent does not cover one successful call, or None."""
    _ = texts("audit", lang)
    if consent is None:
        return _("no consent the person approved in her IKD app")
    if consent.get("partner") != call.caller:
        return _("a consent given to {partner}, not to the caller").format(
            partner=consent.get("partner")
        )
    if use.get("scope") and use["scope"] not in (consent.get("scopes") or []):
        return _("a consent that does not cover {scope}").format(scope=use["scope"])
    body = _json(call.request_body)
    purpose = body.get("purpose") if isinstance(body, dict) else None
    if purpose and purpose != consent.get("purpose"):
        return _("a consent for {granted}, not {purpose}").format(
            granted=consent.get("purpose"), purpose=purpose
        )
    if consent["revoked"] is not None and consent["revoked"] <= call.started_at:
        return _("a consent the person had revoked")
    expires = _moment(consent.get("expires_at"))
    if expires is not None and call.started_at >= expires:
        return _("a consent that had expired")
    return None


def consent_granted(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Every successful call touching personal data (`params["uses"]`) quotes a consent the
    person approved (a recorded IKD approval) for that caller, purpose and scope, neither
    revoked nor expired when the call was made. A refused call handed nothing over."""
    _ = texts("audit", ctx.lang)
    granted = _granted(calls, params)
    bad: list[HttpCall] = []
    first = ""
    checked = 0
    for call in calls:
        use = next((u for u in params["uses"] if _matches(call, u)), None)
        if use is None or call.status is None or call.status >= 400:
            continue
        if use.get("callers") and call.caller not in use["callers"]:
            continue
        checked += 1
        if use.get("header"):
            reference = _header(call, str(use["header"]))
        else:
            body = _json(call.request_body)
            reference = str(body.get(use["field"]) or "") if isinstance(body, dict) else ""
        problem = (
            _consent_problem(granted.get(reference), call, use, ctx.lang)
            if reference
            else _("personal data without a consent reference")
        )
        if problem:
            bad.append(call)
            first = first or (f"{problem} ({reference})" if reference else problem)
    what = _.ngettext("call that needs consent", "calls that need consent", checked)
    return _result(ctx, bad, first, checked, what)


def required_markers(
    calls: Sequence[HttpCall],
    ctx: AuditContext,
    params: dict[str, Any],
    what: Callable[[int], str],
) -> Outcome:
    """Calls matching any `params["require"]` table carry its header or query parameter.

    `what(n)` names n of the calls checked ("payment calls").
    """
    _ = texts("audit", ctx.lang)
    bad: list[HttpCall] = []
    first = ""
    checked = 0
    for call in calls:
        for spec in params.get("require", []):
            if not _matches(call, spec):
                continue
            checked += 1
            if not _carries(call, spec):
                bad.append(call)
                missing = (
                    _("no header {name}").format(name=spec["header"])
                    if spec.get("header")
                    else _("no query parameter `{name}`").format(name=spec.get("query"))
                )
                first = first or missing
            break
    return _result(ctx, bad, first, checked, what(checked))


def idempotency_key(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Every payment call carries its idempotency marker (Idempotency-Key, X-EXTERNAL-ID)."""
    _ = texts("audit", ctx.lang)
    return required_markers(
        calls, ctx, params, lambda n: _.ngettext("payment call", "payment calls", n)
    )


def signed_partner_calls(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Calls between services carry the credential the callee requires (header names only:
    values are redacted before storage)."""
    _ = texts("audit", ctx.lang)
    services = set(ctx.services)
    between = [c for c in calls if c.caller in services and c.callee in services]
    return required_markers(
        between, ctx, params, lambda n: _.ngettext("partner call", "partner calls", n)
    )


def webhooks_acknowledged(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Every webhook delivery (same sender, receiver, path and body) got a 2xx at some attempt."""
    _ = texts("audit", ctx.lang)
    attempts: dict[tuple[str, str, str, str], list[HttpCall]] = {}
    for call in calls:
        if any(_matches(call, spec) for spec in params.get("webhooks", [])):
            key = (call.caller, call.callee, _bare(call.path), call.request_body)
            attempts.setdefault(key, []).append(call)
    bad: list[HttpCall] = []
    for tries in attempts.values():
        if not any(c.status is not None and 200 <= c.status < 300 for c in tries):
            bad.extend(tries)
    if bad:
        last = bad[0]
        status = last.status if last.status is not None else last.error or _("no answer")
        why = _("webhook never acknowledged with a 2xx (got {status})").format(status=status)
        return _result(
            ctx, bad, why, len(attempts), _.ngettext("webhook", "webhooks", len(attempts))
        )
    return _result(ctx, [], "", len(attempts), _.ngettext("webhook", "webhooks", len(attempts)))


# -- registry checks ---------------------------------------------------------------------------


def loopback_only(calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]) -> Outcome:
    """Every service URL binds an allowed host (127.0.0.1 unless a rule file says otherwise)."""
    _ = texts("audit", ctx.lang)
    if not ctx.urls:
        return Outcome(NA, (), _("no running sandbox: no service URLs to check"))
    allowed = set(params.get("allowed_hosts", ["127.0.0.1"]))
    exposed = params.get("exposed", {})
    bad = []
    for name, url in sorted(ctx.urls.items()):
        host = urlsplit(url).hostname or ""
        if host not in allowed and host not in exposed.get(name, []):
            bad.append((name, url))
    if bad:
        return Outcome(
            FAIL,
            tuple(name for name, _url in bad),
            _("{name} listens on {url}, reachable beyond {hosts}").format(
                name=bad[0][0], url=bad[0][1], hosts=", ".join(sorted(allowed))
            ),
        )
    return Outcome(
        PASS,
        (),
        _.ngettext(
            "{count} service listens on {hosts}",
            "{count} services listen on {hosts}",
            len(ctx.urls),
        ).format(count=len(ctx.urls), hosts=", ".join(sorted(allowed))),
    )


def registry_audited(
    calls: Sequence[HttpCall], ctx: AuditContext, params: dict[str, Any]
) -> Outcome:
    """Every service in the registry is covered by the last recorded audit, which is younger
    than its rule set's period and saw each service's contract and credentials as they are."""
    _ = texts("audit", ctx.lang)
    record = ctx.record
    if record is None:
        return Outcome(
            FAIL,
            tuple(ctx.services),
            _("no audit on record; run `sandbox audit --record` once it passes"),
        )
    when = _when(ctx, record.recorded_at)
    missing = [s for s in ctx.services if s not in record.services]
    if missing:
        return Outcome(
            FAIL,
            tuple(missing),
            _(
                "{names} added after the audit of {when}; audit again and "
                "record it (`sandbox audit --record`)"
            ).format(names=", ".join(missing), when=when),
        )
    stale = _stale(ctx, record)
    if stale:
        evidence = tuple(dict.fromkeys(name for _why, names in stale for name in names))
        reasons = "; ".join(why for why, _names in stale)
        return Outcome(
            FAIL,
            evidence,
            _("{reasons}; audit again and record it (`sandbox audit --record`)").format(
                reasons=reasons
            ),
        )
    return Outcome(
        PASS,
        (),
        _.ngettext(
            "{count} service covered by the audit of {when}",
            "all {count} services covered by the audit of {when}",
            len(ctx.services),
        ).format(count=len(ctx.services), when=when),
    )


def _stale(ctx: AuditContext, record: AuditRecord) -> list[tuple[str, tuple[str, ...]]]:
    """Why the record no longer covers the registry, each reason with the services it names:
    it is older than the period, or a service's contract or credentials changed since."""
    _ = texts("audit", ctx.lang)
    when = _when(ctx, record.recorded_at)
    found: list[tuple[str, tuple[str, ...]]] = []
    due = due_at(record.recorded_at, ctx.period_months)
    if due is not None and ctx.now is not None and ctx.now >= due.timestamp():
        why = _.ngettext(
            "the audit of {when} is older than its period of {months} month (due {due})",
            "the audit of {when} is older than its period of {months} months (due {due})",
            ctx.period_months,
        ).format(when=when, months=ctx.period_months, due=due.isoformat(timespec="seconds"))
        found.append((why, tuple(record.services)))
    for digests, now_digests, message in (
        (
            record.contracts,
            ctx.contracts,
            _("the contract (OpenAPI document) of {names} changed since the audit of {when}"),
        ),
        (
            record.credentials,
            ctx.credentials,
            _("the partner credentials of {names} changed since the audit of {when}"),
        ),
    ):
        changed = tuple(
            s
            for s in ctx.services
            if s in digests and s in now_digests and digests[s] != now_digests[s]
        )
        if changed:
            found.append((message.format(names=", ".join(changed), when=when), changed))
    return found


def _named(pattern: dict[str, Any], lang: str) -> str:
    """A personal-data pattern's name in `lang` (`translations = { id = "..." }`), else as is."""
    translations = pattern.get("translations") or {}
    return str(translations.get(lang) or pattern["name"])


def _when(ctx: AuditContext, recorded_at: str) -> str:
    """When the audit on record was made, in words: a time, or the seeded world's own."""
    _ = texts("audit", ctx.lang)
    return _("the seeded world") if recorded_at == SEEDED else recorded_at


CHECKS: dict[str, Check] = {
    "forbidden_edge": forbidden_edge,
    "no_personal_data_to": no_personal_data_to,
    "flags_only": flags_only,
    "consent_granted": consent_granted,
    "idempotency_key": idempotency_key,
    "signed_partner_calls": signed_partner_calls,
    "webhooks_acknowledged": webhooks_acknowledged,
    "loopback_only": loopback_only,
    "registry_audited": registry_audited,
}
"""Rule kind to its check."""
