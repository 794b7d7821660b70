"""Lanes by role, full names from 100 columns, a compact form below, nothing overlapping."""

from __future__ import annotations

import itertools

import pytest

from sandbox.tui.stage.layout import PEOPLE, Party, lay_out, short_names, wrap
from tests.tui.stage.conftest import MAY_CALL, PEOPLE_CALL, SEVEN, SIZES


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_layout_keeps_every_box_on_screen_apart_and_in_its_lane(size: tuple[int, int]) -> None:
    width, height = size
    layout = lay_out(SEVEN, ["buyer"], width, height, edges=MAY_CALL + PEOPLE_CALL)
    boxes = layout.boxes
    assert set(boxes) == {p.name for p in SEVEN} | {PEOPLE}
    for box in boxes.values():
        assert box.inside(width, height) and box.height >= 2
    for one, other in itertools.combinations(boxes.values(), 2):
        assert not one.overlaps(other), (one, other)
    lane_of = {p.name: p.lane for p in SEVEN} | {PEOPLE: "people"}
    order = ["people", "front", "platform", "back"]
    for a, b in itertools.permutations(boxes, 2):
        if order.index(lane_of[a]) < order.index(lane_of[b]):
            assert boxes[a].right < boxes[b].x, (a, b)


@pytest.mark.parametrize("size", [(200, 30), (160, 24), (120, 20)])
def test_layout_from_100_columns_shows_full_names_and_roles(size: tuple[int, int]) -> None:
    layout = lay_out(SEVEN, [], *size, edges=MAY_CALL)
    assert not layout.compact
    for party in SEVEN:
        assert layout.title(party) == party.title
        box = layout.boxes[party.name]
        assert box.width >= len(party.title) + 4  # the whole name fits in the top border
        role = " ".join(layout.roles[party.name])
        assert role == party.role  # never cut at these sizes


def test_layout_below_100_columns_is_compact_with_distinct_short_names() -> None:
    layout = lay_out(SEVEN, ["buyer"], 80, 11, edges=MAY_CALL)
    assert layout.compact
    titles = [layout.title(p) for p in SEVEN]
    assert len(set(titles)) == len(titles)
    for party in SEVEN:
        assert layout.boxes[party.name].width >= len(party.short) + 4


def test_layout_makes_boxes_tall_enough_for_their_edges_when_there_is_room() -> None:
    layout = lay_out(SEVEN, ["buyer"], 160, 24, edges=MAY_CALL + PEOPLE_CALL)
    # The bank meets five edges on its left: the marketplace and the desk both ways, people.
    assert layout.boxes["bank"].height >= 2 + 5


def test_layout_puts_a_box_near_the_boxes_it_talks_to() -> None:
    layout = lay_out(SEVEN, [], 160, 24, edges=MAY_CALL)
    boxes = layout.boxes
    # The marketplace talks to the storefront and the bank, both in the upper half.
    assert boxes["marketplace"].y < boxes["hospital"].y
    assert abs(boxes["marketplace"].y - boxes["social"].y) <= 6


def test_layout_does_not_move_institutions_for_a_new_person() -> None:
    before = lay_out(SEVEN, ["buyer"], 160, 24, edges=MAY_CALL)
    after = lay_out(SEVEN, ["buyer", "a-very-long-script-name"], 160, 24, edges=MAY_CALL)
    assert {k: v for k, v in before.boxes.items()} == {k: v for k, v in after.boxes.items()}
    assert list(after.people_rows) == ["buyer", "a-very-long-script-name"]


def test_layout_lists_each_person_on_a_row_of_their_own() -> None:
    people = ["buyer", "reception", "newcomer"]
    layout = lay_out(SEVEN, people, 160, 24, edges=MAY_CALL)
    rows = list(layout.people_rows.values())
    box = layout.boxes[PEOPLE]
    assert len(set(rows)) == 3 and all(box.y < row < box.bottom - 1 for row in rows)


def test_layout_of_nothing_is_empty() -> None:
    assert lay_out([], [], 80, 24).boxes == {}


def test_layout_with_a_users_service_in_an_unknown_lane_puts_it_at_the_back() -> None:
    courier = Party("courier", "elsewhere", "Kirim Cepat", "Kirim", "courier")
    layout = lay_out([*SEVEN, courier], [], 160, 30, edges=MAY_CALL)
    assert layout.boxes["courier"].x == layout.boxes["bank"].x or (
        layout.boxes["courier"].x > layout.boxes["marketplace"].right
    )


def test_short_names_are_distinct_and_short() -> None:
    names = short_names(
        [("bank", "Bank Contoh"), ("bank2", "Bank Lain"), ("social", "Klip"), ("x", "A B")]
    )
    assert names["social"] == "Klip"
    assert names["bank"] != names["bank2"]
    assert all(len(n) <= 10 for n in names.values())


def test_wrap_cuts_what_does_not_fit_with_an_ellipsis() -> None:
    assert wrap("bank (accounts, virtual accounts)", 20, 2) == (
        "bank (accounts,",
        "virtual accounts)",
    )
    assert wrap("one two three four five six", 8, 2) == ("one two", "three f…")
    assert wrap("storefront (short-video app)", 20, 2) == ("storefront", "(short-video app)")
    assert wrap("", 10, 2) == ()
