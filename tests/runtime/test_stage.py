"""`/stage` on the control API: the presenter's UI says what it shows, followers read it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any, get_args

import httpx
import pytest

from sandbox.config import Settings
from sandbox.runtime import stage_view
from sandbox.runtime.control import stage as control_stage
from sandbox.runtime.remote import ControlClient, ControlError
from sandbox.runtime.stage_view import StageBoard, StageView
from sandbox.runtime.supervisor import Runtime

pytestmark = pytest.mark.slow
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"
LESSON = {
    "slug": "03-storefront",
    "lang": "id",
    "title": "Etalase dan platform",
    "step": 2,
    "steps": 6,
    "step_title": "Beli di video",
    "verdict": {
        "state": "failed",
        "failures": [{"expectation": "bank debits", "expected": "2xx", "happened": "503"}],
        "trace_ids": [TRACE],
    },
}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path_factory.mktemp("stage"), port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


def owner(runtime: Runtime) -> dict[str, str]:
    return {"Authorization": f"Bearer {runtime.control_token}"}


async def test_the_presenter_puts_followers_read_and_hear_only_of_changes(
    runtime: Runtime,
) -> None:
    presenter = ControlClient(runtime.control_url, token=runtime.control_token)
    follower = ControlClient(runtime.control_url, token="")
    try:
        first = await follower.stage()
        assert first is not None and first.tag
        assert await follower.stage(first.tag) is None, "unchanged: 304"
        view = StageView.from_dict(
            {"mode": "trace", "trace_id": TRACE, "span_id": SPAN, "response": True,
             "lesson": LESSON}
        )  # fmt: skip
        version = await presenter.show_stage(view)
        assert version == first.version + 1
        assert await presenter.show_stage(view) == version, "the same view is no change"
        seen = await follower.stage(first.tag)
        assert seen is not None and (seen.version, seen.view) == (version, view)
        assert seen.tag != first.tag
        assert await follower.stage(seen.tag) is None
        moved = await presenter.show_stage(StageView(mode="map"))
        assert moved > version
        again = await follower.stage(seen.tag)
        assert again is not None and again.view == StageView(mode="map")
        with pytest.raises(ControlError) as refused:
            await follower.show_stage(StageView(mode="services"))
        assert refused.value.status == 401
        last = await follower.stage()
        assert last is not None and last.view == StageView(mode="map")
    finally:
        await presenter.aclose()
        await follower.aclose()


def test_reading_needs_no_token_and_writing_does(runtime: Runtime) -> None:
    url = f"{runtime.control_url}/stage"
    read = httpx.get(url)
    assert read.status_code == 200 and set(read.json()) == {"version", "view"}
    assert read.headers["etag"]
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        response = httpx.put(url, json={"mode": "map"}, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] in {"missing_control_token", "invalid_control_token"}
    assert httpx.get(url).json() == read.json(), "nothing changed"
    # A page from another site cannot read it either, token or not.
    assert httpx.get(url, headers={"Origin": "http://evil.example"}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "nowhere"},
        {"mode": "MAP"},
        {"mode": 1},
        {"mode": ["map"]},
        {},
        [],
        "map",
        {"mode": "map", "extra": 1},
        {"mode": "trace", "trace_id": "x" * 32},
        {"mode": "trace", "trace_id": TRACE.upper()},
        {"mode": "trace", "trace_id": TRACE + "0"},
        {"mode": "trace", "trace_id": "../../etc/passwd"},
        {"mode": "trace", "trace_id": 12345},
        {"mode": "trace", "span_id": "zz" * 8},
        {"mode": "trace", "span_id": SPAN, "response": "yes"},
        {"mode": "trace", "response": 1},
        {"mode": "lesson", "lesson": {**LESSON, "slug": "../secrets"}},
        {"mode": "lesson", "lesson": {**LESSON, "slug": "x" * 81}},
        {"mode": "lesson", "lesson": {**LESSON, "title": "t" * 501}},
        {"mode": "lesson", "lesson": {**LESSON, "title": None}},
        {"mode": "lesson", "lesson": {**LESSON, "lang": "fr"}},
        {"mode": "lesson", "lesson": {**LESSON, "step": -1}},
        {"mode": "lesson", "lesson": {**LESSON, "step": "2"}},
        {"mode": "lesson", "lesson": {**LESSON, "steps": 10**30}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {"state": "maybe"}}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {
            "state": "passed", "trace_ids": [TRACE] * 11}}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {
            "state": "passed", "trace_ids": [SPAN]}}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {
            "state": "passed", "output": "o" * 4001}}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {
            "state": "failed", "failures": [{"expectation": "e"}] * 11}}},
        {"mode": "lesson", "lesson": {**LESSON, "verdict": {
            "state": "failed", "failures": [{"expectation": "e" * 501}]}}},
    ],
)  # fmt: skip
def test_hostile_bodies_are_a_clear_4xx(runtime: Runtime, body: object) -> None:
    url = f"{runtime.control_url}/stage"
    before = httpx.get(url).json()
    response = httpx.put(url, json=body, headers=owner(runtime))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"] and response.json()["message"]
    assert httpx.get(url).json() == before


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"{not json", "application/json"),
        (b'{"mode": "map"}', "text/plain"),
        (b"x" * (1024 * 1024 + 1), "application/json"),
        (b'{"mode": "' + "\u00e9".encode() * 300_000 + b'"}', "application/json"),
        (b'{"lesson": ' * 50_000 + b"{}" + b"}" * 50_000, "application/json"),
        (b"[" * 200_000 + b"]" * 200_000, "application/json"),
    ],
)
def test_bodies_that_are_not_a_document_are_a_4xx(
    runtime: Runtime, content: bytes, kind: str
) -> None:
    headers = {**owner(runtime), "Content-Type": kind}
    response = httpx.put(f"{runtime.control_url}/stage", content=content, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"]


def test_the_version_only_grows_and_tags_differ_between_runtimes() -> None:
    board, other = StageBoard(), StageBoard()
    assert (board.version, board.view) == (0, None)
    assert board.put(StageView(mode="map")) == 1
    assert board.put(StageView(mode="map")) == 1
    assert board.put(StageView(mode="trace")) == 2
    assert board.put(StageView(mode="map")) == 3
    other.put(StageView(mode="map"))
    other.put(StageView(mode="trace"))
    other.put(StageView(mode="map"))
    assert other.version == board.version and other.tag != board.tag


@pytest.mark.parametrize(
    ("body", "view"),
    [
        (control_stage.StageBody, StageView),
        (control_stage.LessonBody, stage_view.ShownLesson),
        (control_stage.VerdictBody, stage_view.ShownVerdict),
        (control_stage.FailureBody, stage_view.ShownFailure),
    ],
)
def test_what_the_api_checks_is_what_the_ui_holds(body: Any, view: Any) -> None:
    assert list(body.model_fields) == [f.name for f in fields(view)]
    assert get_args(control_stage.Mode) == stage_view.MODES


def test_a_newer_sandbox_may_say_more() -> None:
    data = {"mode": "lesson", "zoom": 2, "lesson": {**LESSON, "notes": "x"}}
    view = StageView.from_dict(data)
    assert view.lesson is not None and view.lesson.verdict is not None
    assert view.lesson.verdict.trace_ids == (TRACE,)
    assert view.lesson.verdict.failures[0].happened == "503"
    assert StageView.from_dict(view.to_dict()) == view
