"""Every recorded call's response names it: `traceresponse` and `X-Request-Id`."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.responses import JSONResponse

from sandbox.framework.app import new_app
from sandbox.framework.errors import ApiError
from sandbox.framework.service import ServiceEnv
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.asgi import TraceMiddleware
from sandbox.wire.context import parse_traceparent
from sandbox.wire.faults import Fault
from tests.conftest import FakeClock


class _Body(BaseModel):
    name: str


def _app(clock: FakeClock) -> tuple[Wire, list[HttpCall], FastAPI]:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)
    app = new_app(ServiceEnv("back", wire, {}), "Back", "test")

    @app.post("/echo")
    async def echo(body: _Body) -> dict[str, Any]:
        if body.name == "boom":
            raise RuntimeError("a bug")
        if body.name == "nope":
            raise ApiError(403, "not_allowed", "You may not.")
        return {"seen": body.name}

    wire.mount("back", app)
    return wire, calls, app


def _named(response: httpx.Response) -> tuple[str, str]:
    """(trace id, span id) the response names; both headers must agree."""
    header = response.headers["traceresponse"]
    assert header.endswith("-01"), header
    span = parse_traceparent(header)
    assert span is not None, header
    assert response.headers["x-request-id"] == span.span_id
    return span.trace_id, span.span_id


def _outsider(app: Any) -> httpx.AsyncClient:
    """A client that is none of ours: the middleware records its calls."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://back")


async def test_response_names_the_recorded_call_of_an_outsider(clock: FakeClock) -> None:
    _, calls, app = _app(clock)
    parent = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    async with _outsider(app) as client:
        response = await client.post("/echo", json={"name": "x"}, headers={"traceparent": parent})
    assert response.status_code == 200
    trace_id, span_id = _named(response)
    [call] = calls
    assert (call.trace_id, call.span_id, call.parent_id) == (trace_id, span_id, "b" * 16)
    assert ("x-request-id", span_id) in call.response_headers, "recorded as the caller saw it"


async def test_response_to_our_client_names_the_span_the_client_recorded(clock: FakeClock) -> None:
    wire, calls, _ = _app(clock)
    response = await wire.client("front", "back").post("/echo", json={"name": "x"})
    trace_id, span_id = _named(response)
    [call] = calls
    assert (call.caller, call.trace_id, call.span_id) == ("front", trace_id, span_id)


async def test_every_error_names_its_call(clock: FakeClock) -> None:
    wire, calls, app = _app(clock)
    async with _outsider(app) as client:
        answers = [
            (await client.get("/nowhere"), 404),
            (await client.get("/echo"), 405),
            (await client.post("/echo", json={}), 400),
            (await client.post("/echo", json={"name": "nope"}), 403),
            (await client.post("/echo", json={"name": "boom"}), 500),
            (await client.post("/echo", content=b"x" * (1024 * 1024 + 1)), 413),
        ]
        wire.set_fault("back", Fault(offline=True))
        answers.append((await client.post("/echo", json={"name": "x"}), 503))
        wire.set_fault("back", Fault(error_rate=1.0))
        answers.append((await client.post("/echo", json={"name": "x"}), 500))
    assert [r.status_code for r, _ in answers] == [status for _, status in answers]
    named = [_named(r) for r, _ in answers]
    assert named == [(c.trace_id, c.span_id) for c in calls]
    assert len({span for _, span in named}) == len(named), "one span per call"


async def test_docs_are_not_recorded_and_name_no_call(clock: FakeClock) -> None:
    _, calls, app = _app(clock)
    async with _outsider(app) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200 and calls == []
    assert "traceresponse" not in response.headers and "x-request-id" not in response.headers


async def test_an_apps_own_request_id_is_replaced(clock: FakeClock) -> None:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)

    async def own(scope: Any, receive: Any, send: Any) -> None:
        await JSONResponse({}, headers={"X-Request-Id": "theirs"})(scope, receive, send)

    app = TraceMiddleware(own, wire=wire, service="mine")
    async with _outsider(app) as client:
        response = await client.get("/anything")
    assert response.headers.get_list("x-request-id") == [calls[0].span_id]


async def test_unrecorded_calls_are_named_but_not_sampled(clock: FakeClock) -> None:
    wire = Wire(clock=clock)  # no recorder: nothing is kept
    app = new_app(ServiceEnv("back", wire, {}), "Back", "test")
    async with _outsider(app) as client:
        response = await client.get("/health")
    assert response.headers["traceresponse"].endswith("-00")
