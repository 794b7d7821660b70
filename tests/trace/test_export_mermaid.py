"""Mermaid: every line is a statement we allow, and arrows nest the way the calls did."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sandbox.trace.events import HttpCall
from sandbox.trace.export.mermaid import escape, to_mermaid
from tests.trace.conftest import CHECKOUT, ORDER, T0

_LABEL = r"(?:[^;#:<>\n]|#\d+;)+"
"""Label text: no raw `;`, `#`, `:`, `<` or `>`, only `#59;` style entities."""
_ID = r"[A-Za-z_]\w*"
PARTICIPANT = re.compile(rf"participant (?P<id>{_ID})(?: as (?P<alias>{_LABEL}))?")
ARROW = re.compile(rf"(?P<a>{_ID})(?P<arrow>->>|-->>|--x)(?P<b>{_ID}): (?P<label>{_LABEL})")


@dataclass(frozen=True)
class Arrow:
    """One parsed message line."""

    source: str
    arrow: str
    target: str
    label: str
    depth: int


def parse(text: str) -> tuple[dict[str, str | None], list[Arrow]]:
    """Participants (id -> alias) and arrows; raises AssertionError on any other line."""
    lines = text.splitlines()
    assert lines[:2] == ["sequenceDiagram", "    autonumber"]
    participants: dict[str, str | None] = {}
    arrows: list[Arrow] = []
    open_calls: list[tuple[str, str]] = []
    for line in lines[2:]:
        statement = line.strip()
        if match := PARTICIPANT.fullmatch(statement):
            assert not arrows, f"participant declared after the first arrow: {line!r}"
            assert match["id"] not in participants, f"declared twice: {line!r}"
            participants[match["id"]] = match["alias"]
        elif match := ARROW.fullmatch(statement):
            source, target = match["a"], match["b"]
            assert {source, target} <= participants.keys(), f"undeclared party: {line!r}"
            if match["arrow"] == "->>":
                open_calls.append((source, target))
                depth = len(open_calls) - 1
            else:
                assert open_calls, f"a response with no open request: {line!r}"
                assert open_calls.pop() == (target, source), f"unbalanced response: {line!r}"
                depth = len(open_calls)
            assert line == "    " * (depth + 1) + statement, f"wrong indent: {line!r}"
            arrows.append(Arrow(source, match["arrow"], target, match["label"], depth))
        else:
            raise AssertionError(f"not an allowed statement: {line!r}")
    assert not open_calls, f"requests never answered: {open_calls}"
    return participants, arrows


def test_mermaid_checkout_parses_and_nests(checkout: list[HttpCall]) -> None:
    participants, arrows = parse(to_mermaid(checkout))
    assert participants == dict.fromkeys(["buyer", "social", "marketplace", "identity", "bank"])
    assert [(a.source, a.arrow, a.target, a.label) for a in arrows] == [
        ("buyer", "->>", "social", "POST /api/checkout?cart=42"),
        ("social", "->>", "marketplace", "POST /api/v2/order/create?shop_id=7&lang=id"),
        ("marketplace", "->>", "identity", "POST /v1/verify"),
        ("identity", "-->>", "marketplace", "200"),
        ("marketplace", "->>", "bank", "POST /v1.0/transfer-va/create-va"),
        ("bank", "-->>", "marketplace", "200"),
        ("marketplace", "->>", "bank", "GET /v1.0/balance-inquiry"),
        ("bank", "--x", "marketplace", "refused"),
        ("marketplace", "-->>", "social", "200"),
        ("social", "->>", "marketplace", "GET /api/v2/order/detail?order_sn=ORD-1&fields=a,b"),
        ("marketplace", "-->>", "social", "404"),
        ("social", "-->>", "buyer", "201"),
        # The payment webhook is a child of create-VA but came two seconds after it answered.
        ("bank", "->>", "marketplace", "POST /webhooks/snap/payment"),
        ("marketplace", "->>", "social", "POST /webhooks/orders"),
        ("social", "-->>", "marketplace", "204"),
        ("marketplace", "-->>", "bank", "200"),
    ]
    assert [a.depth for a in arrows] == [0, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 0, 0, 1, 1, 0]


def test_mermaid_late_child_nests_under_the_ancestor_still_open(
    checkout: list[HttpCall],
) -> None:
    # A child of create-VA that started after create-VA answered but while the order was open.
    late = replace(
        checkout[4],
        span_id="aaaaaaaaaaaaaaaa",
        parent_id=checkout[3].span_id,
        method="POST",
        path="/callbacks/va",
        status=200,
        error=None,
        started_at=T0 + 0.240,
        duration_ms=1.0,
    )
    _, arrows = parse(to_mermaid([*checkout, late]))
    labels = [a.label for a in arrows]
    at = labels.index("POST /callbacks/va")
    assert arrows[at].depth == 2
    assert labels[at - 2 : at + 2] == [
        "GET /v1.0/balance-inquiry",
        "refused",
        "POST /callbacks/va",
        "200",
    ]


def test_mermaid_uses_titles_as_aliases(checkout: list[HttpCall]) -> None:
    participants, _ = parse(to_mermaid(checkout, titles={"marketplace": "Pasarloka: toko"}))
    assert participants["marketplace"] == "Pasarloka#58; toko (marketplace)"
    assert participants["bank"] is None


def test_mermaid_gives_unsafe_names_a_safe_id(checkout: list[HttpCall]) -> None:
    calls = [replace(checkout[0], caller="Siti Rahayu"), replace(checkout[1], callee="end")]
    participants, arrows = parse(to_mermaid(calls))
    assert participants == {"p_Siti_Rahayu": "Siti Rahayu", "social": None, "p_end": "end"}
    assert (arrows[0].source, arrows[1].target) == ("p_Siti_Rahayu", "p_end")


def test_mermaid_escapes_label_syntax(checkout: list[HttpCall]) -> None:
    odd = replace(checkout[0], path="/a;b#c?q=x:y&t=<b>", status=None, error="bad: gone;\nnow")
    text = to_mermaid([odd])
    _, arrows = parse(text)
    assert arrows[0].label == "POST /a#59;b#35;c?q=x#58;y&t=#60;b#62;"
    assert arrows[1].label == "bad#58; gone#59; now"


def test_mermaid_escape_is_single_pass() -> None:
    assert escape("#;") == "#35;#59;"


def test_mermaid_unknown_or_looping_parents_are_drawn_at_the_top(
    checkout: list[HttpCall],
) -> None:
    orphan = replace(checkout[1], parent_id="ffffffffffffffff")
    first = replace(checkout[0], parent_id=ORDER)  # ORDER's parent is CHECKOUT: a loop
    looped = [first, replace(checkout[1], parent_id=CHECKOUT)]
    _, arrows = parse(to_mermaid([orphan]))
    assert [a.depth for a in arrows] == [0, 0]
    _, arrows = parse(to_mermaid(looped))
    assert len([a for a in arrows if a.arrow == "->>"]) == 2


def test_mermaid_empty_trace_is_a_bare_diagram() -> None:
    assert parse(to_mermaid([])) == ({}, [])
