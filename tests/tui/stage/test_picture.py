"""The picture keeps the current trace's calls, edge by edge, until the next trace begins."""

from __future__ import annotations

import itertools

from sandbox.trace.events import HttpCall
from sandbox.trace.steps import STEP_HEADER, format_step, parse_step, step_of, steps_for
from sandbox.tui.stage.labels import edge_label
from sandbox.tui.stage.picture import Picture

_ids = itertools.count(1)


def call(
    caller: str,
    callee: str,
    trace: str = "a",
    parent: str | None = None,
    status: int | None = 200,
    path: str = "/x",
    step: str | None = None,
    at: float | None = None,
) -> HttpCall:
    n = next(_ids)
    headers = ((STEP_HEADER, step),) if step else ()
    return HttpCall(
        trace * 32,
        f"{n:016x}",
        parent,
        caller,
        callee,
        "GET",
        path,
        status,
        float(n) if at is None else at,
        1.0,
        request_headers=headers,
    )


def test_calls_of_one_trace_gather_into_edges_with_counts_and_the_last_call() -> None:
    picture = Picture()
    first = call("buyer", "social")
    picture.add(first)
    picture.add(call("social", "marketplace", parent=first.span_id))
    last = call("buyer", "social", path="/again")
    picture.add(last)
    picture.add(call("marketplace", "social", status=None))
    assert list(picture.edges) == [
        ("buyer", "social"),
        ("social", "marketplace"),
        ("marketplace", "social"),
    ]
    assert picture.edges[("buyer", "social")].count == 2
    assert picture.edges[("buyer", "social")].last == last
    assert picture.edges[("marketplace", "social")].failed == 1


def test_a_new_trace_replaces_the_picture_and_a_late_call_of_the_old_one_does_not() -> None:
    picture = Picture()
    picture.add(call("buyer", "social", trace="a"))
    assert picture.add(call("reception", "hospital", trace="b"))
    assert list(picture.edges) == [("reception", "hospital")]
    late = call("marketplace", "social", trace="a", parent="0" * 16)
    assert not picture.add(late)
    assert picture.trace_id == "b" * 32
    assert picture.add(call("bank", "marketplace", trace="c", parent="1" * 16))  # unseen: new


def test_a_call_met_twice_loaded_then_live_counts_once() -> None:
    picture = Picture()
    first, second = call("buyer", "social"), call("buyer", "social")
    picture.load([first, second])
    picture.add(second)
    assert picture.edges[("buyer", "social")].count == 2
    assert len(picture.calls) == 2


def test_calls_to_oneself_are_not_edges() -> None:
    picture = Picture()
    picture.add(call("bank", "bank"))
    assert not picture.edges


def test_load_shows_exactly_one_trace_in_start_order() -> None:
    picture = Picture()
    picture.add(call("x", "y", trace="z"))
    calls = [call("social", "marketplace", at=2.0), call("buyer", "social", at=1.0)]
    picture.load(calls)
    assert picture.parties() == ["buyer", "social", "marketplace"]
    assert [c.caller for c in picture.calls] == ["buyer", "social"]
    picture.clear()
    assert picture.trace_id is None and not picture.edges


def test_a_step_header_names_the_story_and_children_inherit_the_step() -> None:
    header = format_step("checkout", 4, "Sari membayar Rp185.000 — lewat aplikasi bank")
    root = call("buyer", "bank", step=header)
    child = call("bank", "marketplace", parent=root.span_id)
    other = call("buyer", "social")
    steps = steps_for([child, root, other])
    assert steps[root.span_id].sentence == "Sari membayar Rp185.000 — lewat aplikasi bank"
    assert steps[child.span_id] == steps[root.span_id]
    assert other.span_id not in steps
    header.encode("latin-1")  # it must travel as an HTTP header
    picture = Picture()
    picture.load([root, child])
    assert picture.story() == "checkout"


def test_a_malformed_step_header_is_no_step() -> None:
    assert parse_step("checkout") is None
    assert parse_step("checkout#x hello") is None
    assert parse_step("#4 hello") is None
    assert parse_step("lesson%203#²") is None
    assert step_of(call("a", "b")) is None


def test_an_edge_knows_when_its_calls_went_to_different_paths() -> None:
    picture = Picture()
    for path in ("/v1/orders?page=1", "/v1/orders?page=2"):
        picture.add(call("social", "marketplace", path=path))
    picture.add(call("hospital", "records", path="/oauth2/v1/accesstoken"))
    picture.add(call("hospital", "records", path="/fhir-r4/v1/Condition"))
    assert not picture.edges[("social", "marketplace")].mixed  # the query aside, one path
    assert picture.edges[("hospital", "records")].mixed


def test_a_label_does_not_multiply_the_last_path_of_an_edge_with_several() -> None:
    last = call("hospital", "records", path="/fhir-r4/v1/Condition", status=201)
    same = edge_label(last, 4)(60)
    several = edge_label(last, 4, several="4 calls, last")(60)
    assert same == "4× GET /fhir-r4/v1/Condition 201"
    assert several == "4 calls, last GET /fhir-r4/v1/Condition 201"
    assert edge_label(last, 4, several="4 calls, last")(35) == "4 calls, last GET …/Condition 201"
