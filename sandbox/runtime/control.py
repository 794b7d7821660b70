"""The control API: what viewers and the CLI use to ask a running sandbox about itself.

Plain snake_case JSON (our own API, not an institution's): the services, injected faults,
resetting the world, recorded calls and traces, a read-only look into each institution's
tables, the counters of the stream to a class's OpenTelemetry collector (`/otlp`) and the
lesson verdicts it also carries (`POST /verdicts`), what the presenter's screen shows
(`/stage`, for followers' pages), and the live stream of calls as server-sent events, so a
viewer in another process - or on another machine - can follow a running sandbox. Errors are
`{"code", "message"}` JSON with a 4xx status, like the institutions' own plain dialect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from sandbox.runtime import inspect, phone
from sandbox.runtime import stage_view as stage
from sandbox.runtime.control_guard import ControlGuard
from sandbox.runtime.models import WEBHOOK_STATES, ServiceInfo
from sandbox.runtime.stage_view import StageBoard, StageView
from sandbox.trace.events import HttpCall
from sandbox.trace.store import ORDERS, OUTCOMES
from sandbox.trace.verdict import LessonVerdict
from sandbox.wire.errors import ApiError, install_error_handlers
from sandbox.wire.faults import MAX_LATENCY_MS, Fault

if TYPE_CHECKING:
    from sandbox.runtime.supervisor import Runtime

KEEPALIVE_SECONDS = 15.0
MAX_QUEUED_EVENTS = 10_000
"""A viewer that falls this far behind is sent a `lagged` event instead of the backlog."""
MAX_PAGE = 500
"""Largest page of calls or rows one request returns: a screenful many times over."""
FLUSH_SECONDS = 1.0
"""How long a query waits for calls still queued for the store before answering anyway."""

MAX_OFFSET = 1_000_000_000
"""Far beyond any store (100,000 calls by default); a bigger offset overflowed SQLite (500)."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Query(ge=0, le=MAX_PAGE)]
Outcome = Annotated[str, Query(pattern="^(" + "|".join(OUTCOMES) + ")?$")]
Text = Annotated[str, Query(max_length=200)]
Order = Annotated[str, Query(pattern="^(" + "|".join(ORDERS) + ")$")]


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


class FaultBody(BaseModel):
    """A fault as a viewer sends it; omitted fields mean "not faulty"."""

    model_config = ConfigDict(extra="forbid")
    offline: bool = False
    latency_ms: int = Field(default=0, ge=0, le=MAX_LATENCY_MS)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)


Mode = Literal["map", "trace", "faces", "services", "stories", "composer", "audit", "lesson"]
TraceId = Annotated[str, Field(pattern=stage.TRACE_ID)]
SpanId = Annotated[str, Field(pattern=stage.SPAN_ID)]
Words = Annotated[str, Field(max_length=stage.MAX_TEXT)]


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
    failures: list[FailureBody] = Field(default_factory=list, max_length=stage.MAX_FAILURES)
    output: str = Field(default="", max_length=stage.MAX_OUTPUT)
    trace_ids: list[TraceId] = Field(default_factory=list, max_length=stage.MAX_TRACES)


class LessonBody(_StrictBody):
    """`stage_view.ShownLesson` as the presenter's UI sends it."""

    slug: str = Field(pattern=stage.SLUG)
    lang: Literal["en", "id"]
    title: Words
    step: int = Field(ge=0, lt=stage.MAX_STEPS)
    steps: int = Field(ge=0, le=stage.MAX_STEPS)
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


def create_control_app(runtime: Runtime) -> FastAPI:
    """The control API of `runtime`."""
    app = FastAPI(title="SANDBOX control API", version="1", docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.add_middleware(ControlGuard, token=runtime.control_token)  # outermost: checked first
    names = [s.name for s in runtime.specs]
    board = StageBoard()

    def known(service: str) -> str:
        if service not in names:
            raise ApiError(
                404, "unknown_service", f"No service {service!r}; services: {', '.join(names)}."
            )
        return service

    async def flushed() -> None:
        """Calls already announced on `/events` are in the store before we read it."""
        await asyncio.to_thread(runtime.writer.flush, FLUSH_SECONDS)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "service": "control", "sandbox": True,
                "seed": runtime.settings.seed}

    @app.get("/otlp")
    async def otlp() -> dict[str, Any]:
        """The stream to a class's collector: its counters, or that there is none."""
        if runtime.otlp is None:
            return {"enabled": False}
        return {"enabled": True, **runtime.otlp.stats()}

    @app.post("/verdicts")
    async def verdicts(body: ReportedVerdict) -> dict[str, Any]:
        """A lesson step's verdict for the class's stream (`queued`: false when this
        sandbox streams to no collector; the verdict is then not kept)."""
        if runtime.otlp is None:
            return {"queued": False}
        runtime.otlp(LessonVerdict(**body.model_dump()))
        return {"queued": True}

    @app.get("/services")
    async def services() -> list[dict[str, Any]]:
        await flushed()
        counts = await asyncio.to_thread(runtime.traces.party_counts, runtime.counted_from)
        return [
            _service_info(runtime, s.name, counts.get(s.name, (0, 0))).to_dict()
            for s in runtime.running()
        ]

    @app.post("/services/{service}/start")
    async def start_service(service: str) -> dict[str, Any]:
        """Start a service the configuration declares with `start = false`."""
        started = await runtime.start_service(known(service))
        counts = await asyncio.to_thread(runtime.traces.party_counts, runtime.counted_from)
        info = _service_info(runtime, service, counts.get(service, (0, 0))).to_dict()
        return {"started": started, "service": info}

    @app.get("/faults")
    async def faults() -> dict[str, Any]:
        return {name: runtime.wire.fault(name).to_dict() for name in names}

    @app.put("/faults/{service}")
    async def put_fault(service: str, body: FaultBody) -> dict[str, Any]:
        fault = Fault(offline=body.offline, latency_ms=body.latency_ms, error_rate=body.error_rate)
        runtime.wire.set_fault(known(service), fault)
        return fault.to_dict()

    @app.delete("/faults/{service}")
    async def delete_fault(service: str) -> dict[str, Any]:
        runtime.wire.set_fault(known(service), Fault())
        return Fault().to_dict()

    @app.delete("/faults")
    async def delete_faults() -> dict[str, Any]:
        for name in names:
            runtime.wire.set_fault(name, Fault())
        return {name: Fault().to_dict() for name in names}

    @app.get("/calls")
    async def calls(
        offset: Offset = 0,
        limit: Limit = 100,
        service: Text = "",
        outcome: Outcome = "",
        text: Text = "",
        trace_id: Text = "",
        order: Order = "stored",
    ) -> dict[str, Any]:
        """A page of calls: `order=started` in the order they began, else as stored."""
        flt = {"service": service, "outcome": outcome, "text": text, "trace_id": trace_id}
        await flushed()

        def query() -> tuple[list[HttpCall], int]:
            page = runtime.traces.calls(offset, limit, order=order, **flt)
            return page, runtime.traces.count(**flt)

        page, total = await asyncio.to_thread(query)
        return {"calls": [c.to_dict() for c in page], "total": total}

    @app.get("/calls/count")
    async def calls_count(
        service: Text = "", outcome: Outcome = "", text: Text = "", trace_id: Text = ""
    ) -> dict[str, Any]:
        await flushed()
        total = await asyncio.to_thread(
            runtime.traces.count, service=service, outcome=outcome, text=text, trace_id=trace_id
        )
        return {"total": total}

    @app.get("/services/{service}/tables")
    async def tables(service: str) -> list[dict[str, Any]]:
        path = runtime.db_path(known(service))
        try:
            found = await asyncio.to_thread(inspect.tables, path)
        except FileNotFoundError as exc:
            raise ApiError(404, "no_database", str(exc)) from None
        return [{"name": t.name, "rows": t.rows, "columns": list(t.columns)} for t in found]

    @app.get("/services/{service}/tables/{table:path}")
    async def table_rows(
        service: str, table: str, offset: Offset = 0, limit: Limit = 100
    ) -> dict[str, Any]:
        path = runtime.db_path(known(service))
        try:
            page = await asyncio.to_thread(inspect.rows, path, table, offset, limit)
        except FileNotFoundError as exc:
            raise ApiError(404, "no_database", str(exc)) from None
        except inspect.UnknownTable as exc:
            raise ApiError(404, "unknown_table", f"{service}: {exc.args[0]}.") from None
        return page.to_dict()

    @app.get("/webhooks")
    async def webhooks(
        state: Annotated[str, Query(pattern="^(" + "|".join(WEBHOOK_STATES) + ")?$")] = "",
    ) -> list[dict[str, Any]]:
        """Webhooks not delivered yet: `state=pending` (still retried), `state=dead` (given up
        after their schedule, or refused for good), or both (no state)."""
        states = (state,) if state else WEBHOOK_STATES

        def read() -> list[dict[str, Any]]:
            found = []
            for spec in runtime.running():
                path = runtime.db_path(spec.name)
                if path.exists():
                    found += [w.to_dict() for w in inspect.webhooks(path, spec.name, states)]
            return sorted(found, key=lambda w: w["created_at"])[:MAX_PAGE]

        return await asyncio.to_thread(read)

    @app.get("/sms")
    async def sms(
        number: Annotated[str, Query(alias="phone", min_length=1, max_length=40)],
    ) -> list[dict[str, Any]]:
        """What the institutions texted a phone, oldest first: read-only, and no recorded
        call (a phone is reached by the telephone network, not by an API)."""
        return [m.to_dict() for m in phone.texts_to(runtime.apps, number)]

    @app.post("/reset")
    async def reset() -> dict[str, Any]:
        stopped = await runtime.stop_late_services()
        runtime.reset()  # runs on the runtime's loop, where the stores live
        # The map's counters count calls in this world: they start again from zero.
        await flushed()
        runtime.counted_from = await asyncio.to_thread(runtime.traces.next_seq)
        return {"reset": True, "seed": runtime.settings.seed, "stopped": stopped}

    @app.post("/flush")
    async def flush() -> dict[str, Any]:
        done = await asyncio.to_thread(runtime.writer.flush)
        return {"flushed": done, "calls": await asyncio.to_thread(runtime.traces.count)}

    @app.get("/traces")
    async def traces(limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20) -> list[dict[str, Any]]:
        await flushed()
        found = await asyncio.to_thread(runtime.traces.traces, limit)
        return [t.to_dict() for t in found]

    @app.get("/traces/{trace_id}")
    async def trace(trace_id: str) -> list[dict[str, Any]]:
        await flushed()
        calls = await asyncio.to_thread(runtime.traces.trace, trace_id)
        if not calls:
            raise ApiError(404, "unknown_trace", f"No trace {trace_id!r} is stored.")
        return [c.to_dict() for c in calls]

    @app.get("/stage")
    async def stage(request: Request) -> Response:
        """What the presenter's screen shows (`{"version", "view"}`); 304 while it is still
        what the caller saw last (`If-None-Match` with the ETag it was given)."""
        headers = {"ETag": board.tag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == board.tag:
            return Response(status_code=304, headers=headers)
        view = board.view.to_dict() if board.view is not None else None
        return JSONResponse({"version": board.version, "view": view}, headers=headers)

    @app.put("/stage")
    async def put_stage(body: StageBody) -> dict[str, Any]:
        """The presenter's UI says what it shows now (the guard asks for the token)."""
        return {"version": board.put(StageView.from_dict(body.model_dump()))}

    @app.get("/events")
    async def events() -> StreamingResponse:
        """Every recorded call from now on, as server-sent events (`event: call`)."""
        return StreamingResponse(
            _event_stream(runtime),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache"},
        )

    return app


def _service_info(runtime: Runtime, name: str, counts: tuple[int, int]) -> ServiceInfo:
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


async def _event_stream(runtime: Runtime) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[HttpCall | None] = asyncio.Queue()
    lagged = False

    def deliver(call: HttpCall) -> None:
        nonlocal lagged
        if queue.qsize() >= MAX_QUEUED_EVENTS:
            lagged = True
            return
        queue.put_nowait(call)

    def on_call(call: HttpCall) -> None:  # may run on any thread
        loop.call_soon_threadsafe(deliver, call)

    unsubscribe = runtime.stream.subscribe(on_call)
    try:
        yield b": connected\n\n"
        while True:
            try:
                call = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if lagged:
                lagged = False
                yield b"event: lagged\ndata: {}\n\n"
            if call is not None:
                data = json.dumps(call.to_dict(), separators=(",", ":"))
                yield f"event: call\nid: {call.span_id}\ndata: {data}\n\n".encode()
    finally:
        unsubscribe()
