"""The presenter's stage: what the presenter's screen shows, put by the presenter's UI (with
the token) and read by followers' pages, with an ETag so an unchanged stage costs a 304."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from sandbox.runtime import stage_view
from sandbox.runtime.control.dependencies import BoardDep
from sandbox.runtime.stage_view import StageView

router = APIRouter()

Mode = Literal["map", "trace", "faces", "services", "stories", "composer", "audit", "lesson"]
TraceId = Annotated[str, Field(pattern=stage_view.TRACE_ID)]
SpanId = Annotated[str, Field(pattern=stage_view.SPAN_ID)]
Words = Annotated[str, Field(max_length=stage_view.MAX_TEXT)]


class _StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FailureBody(_StrictBody):
    """`stage_view.ShownFailure` as the presenter's UI sends it."""

    expectation: Words
    expected: Words = ""
    happened: Words = ""
    because: Words = ""


class VerdictBody(_StrictBody):
    """`stage_view.ShownVerdict` as the presenter's UI sends it."""

    state: Literal["running", "passed", "failed"]
    error: Words = ""
    failures: list[FailureBody] = Field(default_factory=list, max_length=stage_view.MAX_FAILURES)
    output: str = Field(default="", max_length=stage_view.MAX_OUTPUT)
    trace_ids: list[TraceId] = Field(default_factory=list, max_length=stage_view.MAX_TRACES)


class LessonBody(_StrictBody):
    """`stage_view.ShownLesson` as the presenter's UI sends it."""

    slug: str = Field(pattern=stage_view.SLUG)
    lang: Literal["en", "id"]
    title: Words
    step: int = Field(ge=0, lt=stage_view.MAX_STEPS)
    steps: int = Field(ge=0, le=stage_view.MAX_STEPS)
    step_title: Words = ""
    verdict: VerdictBody | None = None


class StageBody(_StrictBody):
    """`stage_view.StageView` as the presenter's UI sends it: every field checked, so a
    hostile body is a 400 that names the field, never a 500."""

    mode: Mode
    trace_id: TraceId | None = None
    span_id: SpanId | None = None
    response: bool = False
    lesson: LessonBody | None = None


@router.get("/stage")
async def stage(request: Request, board: BoardDep) -> Response:
    """What the presenter's screen shows (`{"version", "view"}`); 304 while it is still
    what the caller saw last (`If-None-Match` with the ETag it was given)."""
    headers = {"ETag": board.tag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == board.tag:
        return Response(status_code=304, headers=headers)
    view = board.view.to_dict() if board.view is not None else None
    return JSONResponse({"version": board.version, "view": view}, headers=headers)


@router.put("/stage")
async def put_stage(body: StageBody, board: BoardDep) -> dict[str, Any]:
    """The presenter's UI says what it shows now (the guard asks for the token)."""
    return {"version": board.put(StageView.from_dict(body.model_dump()))}
