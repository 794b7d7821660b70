"""The stream to a class's OpenTelemetry collector: its counters (`/otlp`) and the lesson
verdicts the lesson engine reports for it (`POST /verdicts`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox.runtime.control.dependencies import RuntimeDep
from sandbox.trace.verdict import LessonVerdict

router = APIRouter()


class ReportedVerdict(BaseModel):
    """A lesson step's verdict, as the lesson engine reports it for the class's stream."""

    model_config = ConfigDict(extra="forbid")
    lesson: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._-]+$")
    step: int = Field(ge=1, le=10_000)
    title: str = Field(default="", max_length=2_000)
    verdict: Literal["passed", "failed", "error"]
    expectation: str = Field(default="", max_length=4_000)
    trace_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    at: float = Field(ge=0, le=1e11)


@router.get("/otlp")
async def otlp(runtime: RuntimeDep) -> dict[str, Any]:
    """The stream to a class's collector: its counters, or that there is none."""
    if runtime.otlp is None:
        return {"enabled": False}
    return {"enabled": True, **runtime.otlp.stats()}


@router.post("/verdicts")
async def verdicts(body: ReportedVerdict, runtime: RuntimeDep) -> dict[str, Any]:
    """A lesson step's verdict for the class's stream (`queued`: false when this
    sandbox streams to no collector; the verdict is then not kept)."""
    if runtime.otlp is None:
        return {"queued": False}
    runtime.otlp(LessonVerdict(**body.model_dump()))
    return {"queued": True}
