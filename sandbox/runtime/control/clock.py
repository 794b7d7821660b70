"""The runtime's clock: read it, freeze it, jump it forward, put it at an instant, resume it.

Jumping forward fires what falls due on the way, in order (webhook retries, order expiry),
each at its own virtual instant (`sandbox.wire.clock`); the answer comes once they are done.
A bad duration or instant is a 400 `invalid_clock` that says what to write instead; a body
with unknown or missing fields is the control API's usual 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox.framework.errors import ApiError
from sandbox.runtime.control.dependencies import RuntimeDep
from sandbox.wire.clock import ClockError, parse_duration, parse_instant

router = APIRouter()


class AdvanceBody(BaseModel):
    """How far to jump: `25h`, `90m`, `15s`, `2d`, `1w`, `13mo` (30 days) or `1h30m`."""

    model_config = ConfigDict(extra="forbid")
    by: str = Field(min_length=1, max_length=40)


class SetBody(BaseModel):
    """Where to put the clock: an ISO 8601 instant with a UTC offset."""

    model_config = ConfigDict(extra="forbid")
    to: str = Field(min_length=1, max_length=64)


class ResumeBody(BaseModel):
    """`real: true` returns the clock to real time instead of running on from where it is."""

    model_config = ConfigDict(extra="forbid")
    real: bool = False


def _invalid(exc: ClockError) -> ApiError:
    return ApiError(400, "invalid_clock", str(exc))


@router.get("/clock")
async def clock(runtime: RuntimeDep) -> dict[str, Any]:
    """The clock now: `{"now": ISO-8601, "frozen", "offset_seconds", "real"}`."""
    return runtime.clock.state().to_dict()


@router.post("/clock/advance")
async def advance(body: AdvanceBody, runtime: RuntimeDep) -> dict[str, Any]:
    """Jump forward, firing what falls due on the way; never backwards."""
    try:
        state = await runtime.clock.advance(parse_duration(body.by))
    except ClockError as exc:
        raise _invalid(exc) from None
    return state.to_dict()


@router.post("/clock/set")
async def set_clock(body: SetBody, runtime: RuntimeDep) -> dict[str, Any]:
    """Put the clock at an instant: forward fires like advancing, backward fires nothing."""
    try:
        state = await runtime.clock.set(parse_instant(body.to))
    except ClockError as exc:
        raise _invalid(exc) from None
    return state.to_dict()


@router.post("/clock/freeze")
async def freeze(runtime: RuntimeDep) -> dict[str, Any]:
    """Stop the clock where it is (calls still happen, all at this instant)."""
    return runtime.clock.freeze().to_dict()


@router.post("/clock/resume")
async def resume(runtime: RuntimeDep, body: ResumeBody | None = None) -> dict[str, Any]:
    """Let the clock run again from its virtual instant (or return to real time)."""
    return runtime.clock.resume(real=body.real if body else False).to_dict()
