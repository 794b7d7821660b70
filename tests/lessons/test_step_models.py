"""The step's models: each action kind good and bad, hints for misspellings, file lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sandbox.lessons.action_models import ACTION, RequestAction, WaitAction
from sandbox.lessons.known import known
from sandbox.lessons.markdown import Block
from sandbox.lessons.model import Action, Expectation
from sandbox.lessons.schema import check_step
from sandbox.lessons.step_check import StepCheck
from sandbox.lessons.tables import Scope
from sandbox.lessons.toml_block import Where
from tests.lessons.conftest import BUYING

FENCE = 20
"""The file line of the block's opening fence: its first line is line 21."""


def check(
    toml: str, extra: tuple[str, ...] = ()
) -> tuple[Action | None, tuple[Expectation, ...], list[tuple[int, str, str]]]:
    """The step a block builds and its problems as (file line, message, hint)."""
    block = Block("toml", toml, FENCE)
    ctx = StepCheck(Path("en.md"), Where(block), known(), BUYING, extra_services=extra)
    action, expectations, _ = check_step(tomllib.loads(toml), ctx)
    return action, expectations, [(p.line, p.message, p.hint) for p in ctx.problems]


GOOD = {
    "request": 'service = "social"\nas = "buyer"\nmethod = "GET"\npath = "/api/v1/feed"',
    "story": 'story = "checkout"\npay = "va"\nsave = { paid = "order_id" }',
    "fault": 'service = "bank"\nlatency_ms = 500',
    "reset": "",
    "start": 'service = "courier"',
    "audit": 'scope = "last"\nrecord = true\nhints = ["look at the calls"]',
    "exercise": 'file = "balance.py"\nfunction = "balance"\nrepeat = 2\ntimeout = 5',
    "wait": "seconds = 2.5",
}
BAD = {
    "request": (
        'service = "bank"\nas = "nobody"\nmethod = "GET"\npath = "/mobile/v1/accounts/me"',
        24,
        "cannot make a request as 'nobody'",
    ),
    "story": ('story = "chekout"', 23, "unknown story 'chekout'"),
    "fault": ('service = "bank"\nerror_rate = 1.5', 24, "bad value for error_rate: 1.5"),
    "reset": ('service = "bank"', 23, "`service` is not a key of a `reset` action"),
    "start": ('service = "courier"', 23, "'courier' is not declared by the lesson's sandbox.toml"),
    "audit": ('scope = "everything"', 23, "unknown audit scope 'everything'"),
    "exercise": (
        'file = "balance.py"\nfunction = "saldo"',
        24,
        "balance.py (template) defines no function 'saldo'",
    ),
    "wait": ("seconds = 0", 23, "bad wait 0"),
}


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_each_action_kind_validates_its_table(kind: str) -> None:
    action, _, problems = check(f'[action]\nkind = "{kind}"\n{GOOD[kind]}\n', extra=("courier",))
    assert problems == []
    assert action is not None and action.kind == kind and action.line == FENCE + 1


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_action_kind_reports_a_bad_value_at_its_line(kind: str) -> None:
    body, line, message = BAD[kind]
    _, _, problems = check(f'[action]\nkind = "{kind}"\n{body}\n')
    assert [(at, said) for at, said, _ in problems][:1] == [(line, message)]
    assert all(hint for _, _, hint in problems)


def test_the_union_picks_the_model_of_the_kind() -> None:
    block = Block("toml", "", FENCE)
    ctx = StepCheck(Path("en.md"), Where(block), known(), BUYING)
    raw = {"kind": "wait", "seconds": 3}
    assert isinstance(ACTION.validate_python(raw, context=Scope(ctx, raw)), WaitAction)
    raw = {"kind": "request", "service": "social", "as": "buyer", "method": "GET", "path": "/x"}
    model = ACTION.validate_python(raw, context=Scope(ctx, raw, check_path=False))
    assert isinstance(model, RequestAction) and model.as_ == "buyer"


def test_a_misspelt_key_names_the_key_it_resembles_at_its_line() -> None:
    _, _, problems = check(
        '[action]\nkind = "request"\nservice = "social"\nas = "buyer"\n'
        'mehtod = "GET"\nmethod = "GET"\npath = "/api/v1/feed"\n'
    )
    assert problems == [
        (25, "`mehtod` is not a key of a `request` action", "did you mean 'method'?")
    ]


def test_a_misspelt_value_names_the_value_it_resembles() -> None:
    _, _, problems = check(
        '[action]\nkind = "request"\nservice = "bnak"\nas = "buyer"\nmethod = "GET"\npath = "/x"\n'
    )
    assert problems == [(23, "unknown service 'bnak'", "did you mean 'bank'?")]


def test_a_missing_key_is_reported_at_the_table_header() -> None:
    _, _, problems = check('\n[action]\nkind = "request"\nservice = "social"\nas = "buyer"\n')
    assert [(line, message) for line, message, _ in problems] == [
        (22, "a `request` action needs `method`"),
        (22, "a `request` action needs `path`"),
    ]


def test_an_unknown_kind_is_one_problem_with_a_hint() -> None:
    action, _, problems = check('[action]\nkind = "requets"\nservice = "social"\n')
    assert action is None
    assert problems == [(22, "unknown action kind 'requets'", "did you mean 'request'?")]


def test_a_kind_that_is_not_text_is_reported_not_raised() -> None:
    _, _, problems = check("[action]\nkind = [1]\n")
    assert [message for _, message, _ in problems] == ["unknown action kind [1]"]


def test_a_fault_takes_exactly_one_fault_besides_its_other_problems() -> None:
    _, _, problems = check('[action]\nkind = "fault"\noffline = true\nclear = true\n')
    assert [(line, message) for line, message, _ in problems] == [
        (21, "a `fault` action needs `service`"),
        (
            21,
            "a `fault` action takes exactly one of offline, latency_ms, error_rate, clear "
            "(found 2)",
        ),
    ]


def test_expectations_report_each_bad_value_at_its_line() -> None:
    _, expectations, problems = check(
        '[action]\nkind = "wait"\nseconds = 1\n\n[[expect]]\ncallee = "bank"\n'
        'status = "2xxx"\ncount = -1\nwithin = 99\nsatus = 200\n'
    )
    assert [(line, message, hint) for line, message, hint in problems] == [
        (27, "bad status: '2xxx'", 'an exact status (201), a class ("2xx", "4xx") or "failed"'),
        (28, "bad count: -1", "a whole number, 0 or more"),
        (29, "bad within: 99", "seconds, above 0 and at most 30"),
        (30, "unknown expectation key 'satus'", "did you mean 'status'?"),
    ]
    assert [e.line for e in expectations] == [25]


def test_an_unknown_placeholder_is_reported_in_any_machine_key() -> None:
    _, _, problems = check(
        '[action]\nkind = "request"\nservice = "social"\nas = "buyer"\nmethod = "GET"\n'
        'path = "/api/v1/me/orders/{{ saved.order_id }}"\n'
        'bdoy = { nik = "{{ personas.buyer.nikk }}" }\n'
    )
    assert [(line, message) for line, message, _ in problems] == [
        (26, "unknown placeholder {{ saved.order_id }}: no earlier step saves 'order_id'"),
        (27, "`bdoy` is not a key of a `request` action"),
        (27, "unknown placeholder {{ personas.buyer.nikk }}: persona buyer has no 'nikk'"),
    ]


def test_an_audit_expectation_takes_only_rule_and_outcome() -> None:
    _, _, problems = check(
        '[action]\nkind = "audit"\n\n[[expect]]\nrule = "SOC-PAY"\noutcome = "fail"\n'
        'callee = "bank"\n\n[[expect]]\noutcome = "fail"\n'
    )
    assert [(line, message) for line, message, _ in problems] == [
        (27, "'callee' is not a key of an audit expectation"),
        (29, "unknown audit rule None"),
    ]
