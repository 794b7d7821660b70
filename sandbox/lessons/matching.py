"""Judging recorded calls against a step's expectations: pure functions over HttpCall lists.

A failed expectation becomes a `Mismatch` in plain words: what was expected, what happened
(the closest calls, and which of their keys did not match) and why it matters.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.language import N_, texts
from sandbox.lessons.model import Expectation
from sandbox.lessons.values import MISSING, dig
from sandbox.trace.events import HttpCall

CLOSEST = 2
"""How many near misses a failed expectation shows."""
ATTRIBUTES = {"caller": N_("caller"), "callee": N_("callee")}
"""A call's attributes, as a mismatch names them."""
SIDES = {"request": N_("request"), "response": N_("response")}
"""A call's two bodies, as a mismatch names them."""


@dataclass(frozen=True)
class Mismatch:
    """One failed expectation, in plain words."""

    expectation: str
    """Expectation.describe()."""
    expected: str
    happened: str
    """The closest calls (caller -> callee method path status) and what differed, or "no call"."""
    because: str
    call: HttpCall | None
    """The call it is about, if one."""


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation of a step, met or not: the goal (what the lesson wanted) beside the
    actual (the call that met it, or the failure and the call it is about). The lesson screen
    draws goal versus actual from these."""

    expectation: str
    """Expectation.describe(): its label, or words built from its keys."""
    expected: str
    """What it asks for, in plain words."""
    ok: bool
    call: HttpCall | None
    """Met: the first call that matched (None for a `never` that held). Not met: the call the
    failure is about (the offending or the closest one), if any."""
    failure: Mismatch | None = None


@functools.lru_cache(maxsize=256)
def path_regex(pattern: str) -> re.Pattern[str]:
    """`*` matches within one path segment, `**` across segments; the rest is literal."""
    out = []
    for part in re.split(r"(\*\*|\*)", pattern):
        out.append(".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part))
    return re.compile("".join(out))


def status_matches(wanted: int | str, status: int | None) -> bool:
    """An exact status, a class ("2xx") or "failed" (no response)."""
    if wanted == "failed":
        return status is None
    if isinstance(wanted, str):
        return status is not None and str(status)[0] == wanted[0]
    return status == wanted


def body_json(text: str) -> Any:
    """A recorded body as JSON, or MISSING when it is empty or not JSON."""
    try:
        return json.loads(text) if text else MISSING
    except ValueError:
        return MISSING


def call_line(call: HttpCall, lang: str = "en") -> str:
    """`caller -> callee METHOD path status` (or the error when no response came)."""
    _ = texts("lessons", lang)
    outcome = (
        str(call.status)
        if call.status is not None
        else _("failed ({error})").format(error=call.error)
    )
    return f"{call.caller} -> {call.callee} {call.method} {call.path} {outcome}"


Check = Callable[[Any, HttpCall, str], str | None]
"""A key's check: None when the call matches, else a short reason in the given language."""


class SentFrom(str):
    """An expected caller that also matches every call sent from known spans.

    In an exercise step, `caller = "learner"` means the calls the learner's code sent. The trace
    names the party whose credential the callee verified, so a call the learner signed with a
    partner's key is recorded as that partner (or as `external` when the signature is wrong);
    it is still the learner's call, known by the span it was sent from (its `parent_id`).
    """

    spans: frozenset[str]

    def __new__(cls, name: str, spans: frozenset[str]) -> SentFrom:
        made = super().__new__(cls, name)
        made.spans = spans
        return made


def _equal(attr: str) -> Check:
    def check(wanted: Any, call: HttpCall, lang: str) -> str | None:
        got = getattr(call, attr)
        if got == wanted:
            return None
        if isinstance(wanted, SentFrom) and call.parent_id in wanted.spans:
            return None
        _ = texts("lessons", lang)
        return _("{what} is {got}, not {wanted}").format(
            what=_(ATTRIBUTES[attr]), got=got, wanted=wanted
        )

    return check


def _method(wanted: Any, call: HttpCall, lang: str) -> str | None:
    if call.method.upper() == str(wanted).upper():
        return None
    _ = texts("lessons", lang)
    return _("method is {got}, not {wanted}").format(got=call.method, wanted=str(wanted).upper())


def _path(wanted: Any, call: HttpCall, lang: str) -> str | None:
    path = call.path.split("?", 1)[0]
    _ = texts("lessons", lang)
    return (
        None if path_regex(str(wanted)).fullmatch(path) else _("path is {path}").format(path=path)
    )


def _status(wanted: Any, call: HttpCall, lang: str) -> str | None:
    if status_matches(wanted, call.status):
        return None
    _ = texts("lessons", lang)
    got = (
        call.status
        if call.status is not None
        else _("no response ({error})").format(error=call.error)
    )
    return _("status is {got}, not {wanted}").format(got=got, wanted=wanted)


def _fields(side: str) -> Check:
    def check(wanted: Any, call: HttpCall, lang: str) -> str | None:
        body = body_json(getattr(call, f"{side}_body"))
        _ = texts("lessons", lang)
        for path, value in wanted.items():
            got = dig(body, path)
            if got is MISSING:
                return _("the {side} has no {path}").format(side=_(SIDES[side]), path=path)
            if got != value:
                return _("{side} {path} is {got}, not {wanted}").format(
                    side=_(SIDES[side]), path=path, got=repr(got), wanted=repr(value)
                )
        return None

    return check


def _presence(side: str, present: bool) -> Check:
    def check(wanted: Any, call: HttpCall, lang: str) -> str | None:
        body = body_json(getattr(call, f"{side}_body"))
        _ = texts("lessons", lang)
        for path in wanted:
            if (dig(body, path) is not MISSING) != present:
                said = _("the {side} lacks {path}") if present else _("the {side} has {path}")
                return said.format(side=_(SIDES[side]), path=path)
        return None

    return check


def _headers(present: bool, side: str = "request") -> Check:
    def check(wanted: Any, call: HttpCall, lang: str) -> str | None:
        headers = call.request_headers if side == "request" else call.response_headers
        names = {name.lower() for name, _value in headers}
        _ = texts("lessons", lang)
        for name in wanted:
            if (name.lower() in names) == present:
                continue
            if side == "request":
                said = (
                    _("the request lacks header {name}")
                    if present
                    else _("the request has header {name}")
                )
            else:
                said = (
                    _("the response lacks header {name}")
                    if present
                    else _("the response has header {name}")
                )
            return said.format(name=name)
        return None

    return check


KEY_CHECKS: dict[str, Check] = {
    "caller": _equal("caller"),
    "callee": _equal("callee"),
    "method": _method,
    "path": _path,
    "status": _status,
    "request": _fields("request"),
    "response": _fields("response"),
    "request_has": _presence("request", True),
    "response_has": _presence("response", True),
    "request_lacks": _presence("request", False),
    "response_lacks": _presence("response", False),
    "request_headers_has": _headers(True),
    "request_headers_lacks": _headers(False),
    "response_headers_has": _headers(True, "response"),
    "response_headers_lacks": _headers(False, "response"),
}
"""Every key of an expectation that looks at one call."""


def reasons(spec: dict[str, Any], call: HttpCall, lang: str = "en") -> list[str]:
    """Why `call` does not match `spec` ([] when it matches)."""
    found = []
    for key, check in KEY_CHECKS.items():
        if key in spec:
            reason = check(spec[key], call, lang)
            if reason:
                found.append(reason)
    return found


def matching(spec: dict[str, Any], calls: Sequence[HttpCall]) -> list[HttpCall]:
    """The calls matching every call-level key of `spec`."""
    return [call for call in calls if not reasons(spec, call)]


def candidates(
    expectation: Expectation, calls: Sequence[HttpCall], by_label: dict[str, Expectation]
) -> Sequence[HttpCall] | None:
    """The calls an expectation may match: all, or those after its `after` expectation's
    first match (None when that one never matched)."""
    after = expectation.spec.get("after")
    if after is None or after not in by_label:
        return calls
    first = matching(by_label[after].spec, calls)
    if not first:
        return None
    start = calls.index(first[0])
    return calls[start + 1 :]


def satisfied(
    expectation: Expectation, calls: Sequence[HttpCall], by_label: dict[str, Expectation]
) -> bool:
    """True when a positive expectation is met by `calls` (used while waiting for calls)."""
    spec = expectation.spec
    if spec.get("never") or spec.get("count") == 0:
        return True
    pool = candidates(expectation, calls, by_label)
    return pool is not None and len(matching(spec, pool)) >= spec.get("count", 1)


def evaluate(
    expectations: Sequence[Expectation], calls: Sequence[HttpCall], lang: str = "en"
) -> list[Mismatch]:
    """Every failed expectation of a step over the calls of its trace(s), in order, in the
    lesson's language."""
    return [r.failure for r in outcomes(expectations, calls, lang) if r.failure is not None]


def outcomes(
    expectations: Sequence[Expectation], calls: Sequence[HttpCall], lang: str = "en"
) -> list[ExpectationResult]:
    """Every expectation of a step, met or not, with the call that shows it, in order."""
    by_label = {str(e.spec["label"]): e for e in expectations if "label" in e.spec}
    results = []
    for expectation in expectations:
        failure = judge(expectation, calls, by_label, lang)
        spec = expectation.spec
        if failure is None:
            pool = candidates(expectation, calls, by_label) or ()
            found = [] if spec.get("never") else matching(spec, pool)
            call = found[0] if found else None
        else:
            call = failure.call
        results.append(
            ExpectationResult(
                expectation.describe(lang),
                expected_words(spec, lang),
                failure is None,
                call,
                failure,
            )
        )
    return results


def judge(
    expectation: Expectation,
    calls: Sequence[HttpCall],
    by_label: dict[str, Expectation] | None = None,
    lang: str = "en",
) -> Mismatch | None:
    """None when the calls meet `expectation`, else what went wrong."""
    spec = expectation.spec
    by_label = by_label or {}

    def mismatch(expected: str, happened: str, call: HttpCall | None) -> Mismatch:
        return Mismatch(
            expectation.describe(lang), expected, happened, str(spec.get("because", "")), call
        )

    _ = texts("lessons", lang)
    words = expected_words(spec, lang)
    pool = candidates(expectation, calls, by_label)
    if pool is None:
        return mismatch(
            _("{words}, after: {after}").format(words=words, after=spec["after"]),
            _("{after} never happened, so nothing came after it").format(after=spec["after"]),
            None,
        )
    found = matching(spec, pool)
    if spec.get("never"):
        if found:
            return mismatch(
                _("no call {words}").format(words=words),
                _such_calls(found, call_line(found[0], lang), lang),
                found[0],
            )
        return None
    if "count" in spec:
        if len(found) != spec["count"]:
            shown = "; ".join(call_line(c, lang) for c in found[:CLOSEST]) or _("none")
            return mismatch(
                _.ngettext(
                    "exactly {count} call {words}", "exactly {count} calls {words}", spec["count"]
                ).format(count=spec["count"], words=words),
                _such_calls(found, shown, lang),
                found[0] if found else None,
            )
        return None
    if found:
        return None
    return mismatch(_("a call {words}").format(words=words), *_closest(spec, pool, lang))


def _such_calls(found: Sequence[HttpCall], shown: str, lang: str) -> str:
    """`2 such calls: ...`, the calls an expectation did not want (or not so many of)."""
    such = texts("lessons", lang).ngettext(
        "{count} such call: {calls}", "{count} such calls: {calls}", len(found)
    )
    return such.format(count=len(found), calls=shown)


def _closest(
    spec: dict[str, Any], calls: Sequence[HttpCall], lang: str
) -> tuple[str, HttpCall | None]:
    """The near misses: calls ordered by how few keys they miss, with what they miss."""
    _ = texts("lessons", lang)
    if not calls:
        return _("no call"), None
    scored = sorted(
        ((reasons(spec, call, lang), index, call) for index, call in enumerate(calls)),
        key=lambda item: (len(item[0]), item[1]),
    )
    lines = [
        f"{call_line(call, lang)} ({', '.join(why)})" for why, _index, call in scored[:CLOSEST]
    ]
    return _("closest: {calls}").format(calls="; ".join(lines)), scored[0][2]


def expected_words(spec: dict[str, Any], lang: str = "en") -> str:
    """The call-level keys of `spec` in plain words."""
    _ = texts("lessons", lang)
    caller, callee = spec.get("caller", _("anyone")), spec.get("callee", _("any service"))
    words = [f"{caller} -> {callee}"]
    if "method" in spec or "path" in spec:
        words.append(f"{str(spec.get('method', '')).upper()} {spec.get('path', '')}".strip())
    if "status" in spec:
        words.append(_("status {status}").format(status=spec["status"]))
    for side in ("request", "response"):
        named = _(SIDES[side])
        for path, value in spec.get(side, {}).items():
            words.append(f"{named} {path} = {value!r}")
        if spec.get(f"{side}_has"):
            words.append(
                _("{side} has {paths}").format(side=named, paths=", ".join(spec[f"{side}_has"]))
            )
        if spec.get(f"{side}_lacks"):
            paths = ", ".join(spec[f"{side}_lacks"])
            words.append(_("{side} lacks {paths}").format(side=named, paths=paths))
    if spec.get("request_headers_has"):
        words.append(_("header {names}").format(names=", ".join(spec["request_headers_has"])))
    if spec.get("request_headers_lacks"):
        words.append(_("no header {names}").format(names=", ".join(spec["request_headers_lacks"])))
    if spec.get("response_headers_has"):
        names = ", ".join(spec["response_headers_has"])
        words.append(_("answered with header {names}").format(names=names))
    if spec.get("response_headers_lacks"):
        names = ", ".join(spec["response_headers_lacks"])
        words.append(_("answered without header {names}").format(names=names))
    return ", ".join(words)
