"""The services and their faults: health, who is running and how busy, starting a late
service, injecting and clearing faults, and resetting the world."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sandbox.runtime.control.dependencies import (
    ControlledRuntime,
    RuntimeDep,
    flushed,
    known,
    service_names,
)
from sandbox.runtime.models import ServiceInfo
from sandbox.wire.faults import MAX_LATENCY_MS, MAX_RATE_LIMIT, Fault

router = APIRouter()


class FaultBody(BaseModel):
    """A fault as a viewer sends it; omitted fields mean "not faulty"."""

    model_config = ConfigDict(extra="forbid")
    offline: bool = False
    latency_ms: int = Field(default=0, ge=0, le=MAX_LATENCY_MS)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    rate_limit: float = Field(default=0.0, ge=0.0, le=MAX_RATE_LIMIT)
    """Calls per second each partner may make (0: no limit); the bank throttles above it."""


@router.get("/health")
async def health(runtime: RuntimeDep) -> dict[str, Any]:
    return {"status": "ok", "service": "control", "sandbox": True, "seed": runtime.settings.seed}


@router.get("/services")
async def services(runtime: RuntimeDep) -> list[dict[str, Any]]:
    await flushed(runtime)
    counts = await asyncio.to_thread(runtime.traces.party_counts, runtime.counted_from)
    return [
        _service_info(runtime, s.name, counts.get(s.name, (0, 0))).to_dict()
        for s in runtime.running()
    ]


@router.post("/services/{service}/start")
async def start_service(service: str, runtime: RuntimeDep) -> dict[str, Any]:
    """Start a service the configuration declares with `start = false`."""
    started = await runtime.start_service(known(runtime, service))
    counts = await asyncio.to_thread(runtime.traces.party_counts, runtime.counted_from)
    info = _service_info(runtime, service, counts.get(service, (0, 0))).to_dict()
    return {"started": started, "service": info}


@router.get("/faults")
async def faults(runtime: RuntimeDep) -> dict[str, Any]:
    return {name: runtime.wire.fault(name).to_dict() for name in service_names(runtime)}


@router.put("/faults/{service}")
async def put_fault(service: str, body: FaultBody, runtime: RuntimeDep) -> dict[str, Any]:
    fault = Fault(
        offline=body.offline,
        latency_ms=body.latency_ms,
        error_rate=body.error_rate,
        rate_limit=body.rate_limit,
    )
    runtime.wire.set_fault(known(runtime, service), fault)
    return fault.to_dict()


@router.delete("/faults/{service}")
async def delete_fault(service: str, runtime: RuntimeDep) -> dict[str, Any]:
    runtime.wire.set_fault(known(runtime, service), Fault())
    return Fault().to_dict()


@router.delete("/faults")
async def delete_faults(runtime: RuntimeDep) -> dict[str, Any]:
    names = service_names(runtime)
    for name in names:
        runtime.wire.set_fault(name, Fault())
    return {name: Fault().to_dict() for name in names}


@router.post("/reset")
async def reset(runtime: RuntimeDep) -> dict[str, Any]:
    stopped = await runtime.stop_late_services()
    runtime.reset()  # runs on the runtime's loop, where the stores live
    # The map's counters count calls in this world: they start again from zero.
    await flushed(runtime)
    runtime.counted_from = await asyncio.to_thread(runtime.traces.next_seq)
    return {"reset": True, "seed": runtime.settings.seed, "stopped": stopped}


def _service_info(runtime: ControlledRuntime, name: str, counts: tuple[int, int]) -> ServiceInfo:
    """What a viewer shows for one institution; health is checked in-process (no HTTP call
    the trace would show)."""
    spec = next(s for s in runtime.specs if s.name == name)
    fault = runtime.wire.fault(name)
    up = name in runtime.apps and runtime.serving(name)
    url = runtime.urls.get(name, "")
    return ServiceInfo(
        name=name,
        title=spec.title,
        role=spec.role,
        side=spec.side,
        url=url,
        docs_url=f"{url}/docs" if url else "",
        health="offline" if fault.offline else "ok" if up else "down",
        calls_in=counts[0],
        calls_out=counts[1],
        fault=fault,
        kind=spec.kind,
        lane=spec.lane,
        calls=runtime.may_call.get(name, ()),
        public=spec.faces_people,
    )
