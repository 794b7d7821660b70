"""Expectation matching as a pure function over recorded calls (no runtime)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.lessons.matching import evaluate, judge, path_regex, satisfied, status_matches
from sandbox.lessons.model import Expectation
from sandbox.trace.events import HttpCall


def call(
    caller: str,
    callee: str,
    method: str,
    path: str,
    status: int | None = 200,
    *,
    request: Any = None,
    response: Any = None,
    headers: tuple[str, ...] = (),
    at: float = 0.0,
    error: str | None = None,
) -> HttpCall:
    return HttpCall(
        trace_id="t" * 32,
        span_id=f"{int(at * 1000):016x}",
        parent_id=None,
        caller=caller,
        callee=callee,
        method=method,
        path=path,
        status=status,
        started_at=at,
        duration_ms=1.0,
        request_headers=tuple((h, "x") for h in headers),
        request_body=json.dumps(request) if request is not None else "",
        response_body=json.dumps(response) if response is not None else "",
        error=error,
    )


ORDER = call(
    "social",
    "marketplace",
    "POST",
    "/api/v2/fs/7001/orders?app_key=k",
    201,
    request={"items": [{"product_id": 100101, "quantity": 1}]},
    response={"order_id": "1", "status": "UNPAID"},
    at=1.0,
)
VA = call(
    "marketplace",
    "bank",
    "POST",
    "/v1.0/transfer-va/create-va",
    200,
    response={"responseCode": "2002700", "virtualAccountData": {"customerNo": "1"}},
    headers=("X-SIGNATURE",),
    at=2.0,
)
CALLS = [ORDER, VA]


def expect(**spec: Any) -> Expectation:
    return Expectation(spec, 1)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/v2/fs/*/orders", "/api/v2/fs/7001/orders", True),
        ("/api/v2/fs/*/orders", "/api/v2/fs/7001/x/orders", False),
        ("/api/**/orders", "/api/v2/fs/7001/orders", True),
        ("/api/v1/me/orders/1.5", "/api/v1/me/orders/1x5", False),
        ("/a", "/a/b", False),
    ],
)
def test_path_patterns_star_within_a_segment_and_double_star_across(
    pattern: str, path: str, matches: bool
) -> None:
    assert bool(path_regex(pattern).fullmatch(path)) is matches


@pytest.mark.parametrize(
    ("wanted", "status", "matches"),
    [
        (201, 201, True),
        (201, 200, False),
        ("2xx", 204, True),
        ("4xx", 503, False),
        ("5xx", 503, True),
        ("failed", None, True),
        ("failed", 500, False),
        ("2xx", None, False),
    ],
)
def test_status_exact_class_and_failed(
    wanted: int | str, status: int | None, matches: bool
) -> None:
    assert status_matches(wanted, status) is matches


def test_a_matching_expectation_passes_and_query_is_ignored() -> None:
    spec = expect(
        caller="social",
        callee="marketplace",
        method="post",
        path="/api/v2/fs/*/orders",
        status="2xx",
        request={"items.0.product_id": 100101},
        response={"status": "UNPAID"},
        response_has=["order_id"],
        response_lacks=["virtual_account_no"],
    )
    assert evaluate([spec], CALLS) == []


def test_a_missed_expectation_names_the_closest_call_and_what_differs() -> None:
    spec = expect(
        caller="marketplace",
        callee="bank",
        path="/v1.0/transfer-va/create-va",
        response={"responseCode": "4012700"},
        because="the VA must be created",
    )
    [failure] = evaluate([spec], CALLS)
    assert failure.call == VA
    assert failure.because == "the VA must be created"
    assert failure.expectation == "marketplace -> bank /v1.0/transfer-va/create-va"
    assert "response responseCode = '4012700'" in failure.expected
    assert failure.happened.startswith(
        "closest: marketplace -> bank POST /v1.0/transfer-va/create-va 200 "
        "(response responseCode is '2002700', not '4012700')"
    )


def test_no_calls_at_all_is_said_plainly() -> None:
    failure = judge(expect(callee="bank", label="the bank is asked"), [])
    assert failure is not None
    assert (failure.expectation, failure.happened, failure.call) == (
        "the bank is asked",
        "no call",
        None,
    )


def test_never_fails_on_the_forbidden_call() -> None:
    forbidden = call("social", "bank", "POST", "/v1.0/transfer-va/create-va", 200, at=3.0)
    spec = expect(caller="social", callee="bank", never=True, because="no money in the shop")
    assert judge(spec, CALLS) is None
    failure = judge(spec, [*CALLS, forbidden])
    assert failure is not None and failure.call == forbidden
    assert failure.expectation == "no call social -> bank"
    assert failure.happened == "1 such call: social -> bank POST /v1.0/transfer-va/create-va 200"


def test_count_is_exact() -> None:
    retry = call(
        "buyer", "bank", "POST", "/mobile/v1/va-payments", 200, headers=("Idempotency-Key",)
    )
    spec = expect(path="/mobile/v1/va-payments", count=2, request_headers_has=["idempotency-key"])
    assert judge(spec, [retry, retry]) is None
    failure = judge(spec, [retry])
    assert failure is not None and failure.expected.startswith("exactly 2 calls")
    assert failure.happened.startswith("1 such call:")
    assert not satisfied(spec, [retry], {})
    assert satisfied(spec, [retry, retry], {})
    too_many = judge(spec, [retry, retry, retry])
    assert too_many is not None and too_many.happened.startswith("3 such calls:")
    once = judge(expect(path="/mobile/v1/va-payments", count=1), [retry, retry], lang="id")
    assert once is not None and once.expected.startswith("tepat 1 panggilan")
    assert once.happened.startswith("2 panggilan seperti itu:")  # Indonesian: no plural form


def test_headers_and_body_presence() -> None:
    assert judge(expect(callee="bank", request_headers_lacks=["Idempotency-Key"]), CALLS) is None
    failure = judge(expect(callee="bank", request_headers_has=["Idempotency-Key"]), CALLS)
    assert failure is not None and "the request lacks header Idempotency-Key" in failure.happened
    failure = judge(expect(callee="bank", response_lacks=["virtualAccountData.customerNo"]), CALLS)
    assert (
        failure is not None and "the response has virtualAccountData.customerNo" in failure.happened
    )


def test_after_only_counts_calls_after_the_named_expectation() -> None:
    order = expect(label="order", callee="marketplace")
    va_after = expect(callee="bank", after="order")
    assert evaluate([order, va_after], CALLS) == []
    reversed_calls = [VA, ORDER]
    [failure] = evaluate([order, va_after], reversed_calls)
    assert failure.happened == "no call"
    [_, failure] = evaluate(
        [expect(label="nothing", callee="identity"), expect(callee="bank", after="nothing")], CALLS
    )
    assert failure.happened == "nothing never happened, so nothing came after it"


def test_satisfied_ignores_never_and_waits_for_positive_ones() -> None:
    assert satisfied(expect(callee="bank", never=True), [], {})
    assert not satisfied(expect(callee="bank"), [ORDER], {})
    assert satisfied(expect(callee="bank"), CALLS, {})


def test_failed_calls_match_status_failed() -> None:
    offline = call(
        "marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", None, error="offline"
    )
    assert judge(expect(callee="bank", status="failed"), [offline]) is None
    failure = judge(expect(callee="bank", status=200), [offline])
    assert failure is not None and "status is no response (offline), not 200" in failure.happened


def test_a_verdict_in_indonesian_keeps_names_paths_and_values() -> None:
    spec = expect(
        caller="marketplace",
        callee="bank",
        path="/v1.0/transfer-va/create-va",
        response={"responseCode": "4012700"},
    )
    [failure] = evaluate([spec], CALLS, "id")
    assert "respons responseCode = '4012700'" in failure.expected
    assert failure.expected.startswith("sebuah panggilan marketplace -> bank")
    assert failure.happened.startswith(
        "yang paling mirip: marketplace -> bank POST /v1.0/transfer-va/create-va 200 "
        "(respons responseCode bernilai '2002700', bukan '4012700')"
    )
    forbidden = call("social", "bank", "POST", "/v1.0/transfer-va/create-va", 200, at=3.0)
    never = judge(expect(caller="social", callee="bank", never=True), [forbidden], lang="id")
    assert never is not None and never.expectation == "tidak ada panggilan social -> bank"
    assert never.happened.startswith("1 panggilan seperti itu: social -> bank POST")
    nothing = judge(expect(callee="identity"), [], lang="id")
    assert nothing is not None and nothing.happened == "tidak ada panggilan"
    assert nothing.expectation == "siapa pun -> identity"


def test_outcomes_pair_every_goal_with_the_call_that_met_it_or_the_failure() -> None:
    from sandbox.lessons.matching import outcomes

    calls = [call("social", "marketplace", "POST", "/orders", 201, at=1.0)]
    met, missed, held = outcomes(
        [
            Expectation({"label": "order", "callee": "marketplace", "status": 201}, 1),
            Expectation({"callee": "bank", "path": "/pay"}, 2),
            Expectation({"caller": "social", "callee": "bank", "never": True}, 3),
        ],
        calls,
    )
    assert (met.expectation, met.ok, met.call, met.failure) == ("order", True, calls[0], None)
    assert not missed.ok and missed.failure is not None and missed.call is calls[0]
    assert missed.expected == "anyone -> bank, /pay"
    assert (held.ok, held.call) == (True, None)


def test_learner_in_an_exercise_is_every_call_sent_from_the_learners_spans() -> None:
    """A call the learner signed with the social app's key is recorded as social's (the callee
    verified that key) or, signed wrongly, as external: it is still the learner's call, known
    by the span it was sent from; a call the social app made itself is not."""
    from dataclasses import replace

    from sandbox.lessons.matching import SentFrom

    theirs = replace(ORDER, parent_id="a" * 16)
    wrong = replace(ORDER, parent_id="b" * 16, caller="external", status=401)
    app = replace(ORDER, parent_id="c" * 16)
    learner = SentFrom("learner", frozenset({"a" * 16, "b" * 16}))
    expect = Expectation({"caller": learner, "callee": "marketplace", "status": 201}, 1)
    assert judge(expect, [theirs]) is None
    assert judge(expect, [app]) is not None
    assert judge(Expectation({"caller": learner, "status": 401}, 1), [wrong]) is None
    plain = Expectation({"caller": "learner", "callee": "marketplace"}, 1)
    assert judge(plain, [theirs]) is not None
    assert "learner -> marketplace" in judge(expect, [app]).expected  # type: ignore[union-attr]
