"""Routes between boxes, labels that never cover anything, and a grid that never shifts."""

from __future__ import annotations

import itertools

import pytest

from sandbox.trace.events import HttpCall
from sandbox.tui.stage import scene as scene_module
from sandbox.tui.stage.canvas import Canvas
from sandbox.tui.stage.labels import edge_label
from sandbox.tui.stage.layout import PEOPLE, lay_out
from sandbox.tui.stage.routing import LabelText
from sandbox.tui.stage.scene import BoxLook, Line, Stage
from tests.tui.stage.conftest import MAY_CALL, PEOPLE_CALL, SEVEN, SIZES


def stage(width: int, height: int, people: tuple[str, ...] = ("buyer",)) -> Stage:
    layout = lay_out(SEVEN, list(people), width, height, edges=MAY_CALL + PEOPLE_CALL)
    return Stage(layout, width, height, MAY_CALL)


def label(text: str) -> LabelText:
    method, path, status = text.split(" ")
    return edge_label(
        HttpCall("a" * 32, "b" * 16, None, "x", "y", method, path, int(status), 0.0, 1.0)
    )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_edge_that_may_be_called_is_routed_outside_the_boxes(size: tuple[int, int]) -> None:
    scene = stage(*size)
    boxes = scene.layout.boxes
    for caller, callee in MAY_CALL:
        path = scene.path(caller, callee)
        assert path is not None, (caller, callee)
        for x, y in path.cells:
            assert 0 <= x < size[0] and 0 <= y < size[1]
            assert not any(box.contains(x, y) for box in boxes.values())
        sx, sy = path.exit_port
        assert boxes[caller].contains(sx, sy)
        hx, hy = path.cells[-1]
        target = boxes[callee]
        assert target.y <= hy < target.bottom and hx in (target.x - 1, target.right)


def test_both_directions_between_two_parties_are_two_lines() -> None:
    scene = stage(160, 24)
    there = scene.path("marketplace", "social")
    back = scene.path("social", "marketplace")
    assert there is not None and back is not None
    assert set(there.cells) != set(back.cells)
    assert there.cells[-1] != back.cells[0]


def test_a_person_calls_from_their_own_row() -> None:
    scene = stage(160, 24, ("buyer", "reception"))
    path = scene.path("reception", "hospital")
    assert path is not None
    assert path.exit_port[1] == scene.layout.people_rows["reception"]
    assert scene.box_of("reception") == PEOPLE


def test_calls_within_one_box_or_to_nobody_are_not_routed() -> None:
    scene = stage(160, 24)
    assert scene.path("bank", "bank") is None
    assert scene.path("buyer", "stranger") is None  # both in the people box


@pytest.mark.parametrize("size", [(160, 24), (80, 11)])
def test_labels_stay_on_screen_off_the_boxes_and_apart(size: tuple[int, int]) -> None:
    scene = stage(*size)
    canvas = Canvas(*size)
    lines = [
        Line(a, b, "edge-2xx", label(f"POST /v1.0/some/long/path/{a}/{b} 200")) for a, b in MAY_CALL
    ] + [Line("buyer", "social", "edge-2xx", label("GET /x 200"))]
    drawn = scene.draw_edges(canvas, lines)
    regions = [d.label_region for d in drawn if d.label_region is not None]
    assert regions, "no label fitted anywhere"
    for region in regions:
        assert region.inside(*size)
        assert not any(region.overlaps(box) for box in scene.layout.boxes.values())
    for a, b in itertools.combinations(regions, 2):
        assert not a.overlaps(b)
    for d in drawn:
        if d.label_region is not None:
            assert d.label in canvas.row_text(d.label_region.y)


def test_the_newest_line_gets_its_label_first() -> None:
    scene = stage(80, 11)
    lines = [
        Line(a, b, "edge-2xx", label("POST /a/very/long/label/that/wants/room 200"))
        for a, b in MAY_CALL
    ]
    drawn = scene.draw_edges(Canvas(80, 11), lines)
    assert drawn[-1].label_region is not None


def test_boxes_carry_name_role_and_footer_and_wide_text_never_shifts_the_grid() -> None:
    scene = stage(160, 24)
    canvas = Canvas(160, 24)
    looks = {
        p.name: BoxLook("box", "title", (((p.name, "muted"), (" ● ok", "ok")),)) for p in SEVEN
    }
    scene.draw_boxes(canvas, SEVEN, looks, ["buyer", "ユーザー"], "people")
    scene.draw_edges(canvas, [Line("buyer", "social", "edge-2xx", label("GET /名前 200"))])
    text = "\n".join(canvas.row_text(y) for y in range(24))
    for party in SEVEN:
        assert party.title in text
        assert f"{party.name} ● ok" in text
    assert "civil registry" in text
    assert all(len(canvas.row_text(y)) == 160 for y in range(24))
    assert "ユ" not in text and "名" not in text  # drawn as ? so columns stay put


def test_a_label_shortens_its_path_keeps_its_status_and_counts_its_calls() -> None:
    call = HttpCall(
        "a" * 32, "b" * 16, None, "x", "y", "POST", "/v1.0/transfer-va/create-va?x=1", 200, 0.0, 1.0
    )
    text = edge_label(call, 3)
    assert text(100) == "3× POST /v1.0/transfer-va/create-va 200"
    assert text(30) == "3× POST …/create-va 200"
    assert text(12) == "3× POST 200"
    assert text(3) == "200"
    assert text(2) is None
    failed = HttpCall(
        "a" * 32, "b" * 16, None, "x", "y", "GET", "/", None, 0.0, 1.0, error="timeout"
    )
    assert edge_label(failed)(40) == "GET / ✕ timeout"


def test_a_failed_call_is_dashed_with_a_cross_for_a_head() -> None:
    scene = stage(160, 24)
    canvas = Canvas(160, 24)
    scene.draw_edges(canvas, [Line("marketplace", "bank", "edge-failed", None, dashed=True)])
    path = scene.path("marketplace", "bank")
    assert path is not None
    x, y = path.cells[-1]
    assert canvas.chars[y][x] == "✕"
    assert any(canvas.chars[y][x] in "╌╎" for x, y in path.cells)


def test_a_layout_routed_again_gets_the_same_routes_and_a_grid_of_its_own() -> None:
    """Every screen's map reuses the routes of a layout already routed; what one map routes
    later (a person's edge) must not leak into the next map's grid."""
    scene_module._ROUTED.clear()
    first = stage(160, 24, ("buyer", "reception"))
    lines_before = bytes(first._grid.lines)
    assert first.path("reception", "hospital") is not None  # routed on first's grid only
    second = stage(160, 24, ("buyer", "reception"))
    assert second.faint == first.faint
    assert bytes(second._grid.lines) == lines_before
    assert ("reception", "hospital") not in second._paths
    scene_module._ROUTED.clear()
    fresh = stage(160, 24, ("buyer", "reception"))
    for caller, callee in [*MAY_CALL, ("reception", "hospital"), ("buyer", "social")]:
        assert second.path(caller, callee) == fresh.path(caller, callee), (caller, callee)
