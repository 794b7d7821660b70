"""The wire: trace context, recording, redaction, errors, signatures and webhook retries."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from sandbox.framework.app import new_app
from sandbox.framework.errors import ApiError
from sandbox.framework.service import ServiceEnv
from sandbox.framework.storage import open_database
from sandbox.trace import redact
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.context import Span, current_span, parse_traceparent
from sandbox.wire.outbox import Outbox, backoff
from tests.conftest import FakeClock


class _Body(BaseModel):
    amount: int = Field(gt=0)
    name: str


def _pair(clock: FakeClock) -> tuple[Wire, list[HttpCall], FastAPI, FastAPI]:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)
    front = new_app(ServiceEnv("front", wire, {}), "Front", "test")
    back = new_app(ServiceEnv("back", wire, {}), "Back", "test")

    @front.post("/relay")
    async def relay(request: Request) -> dict[str, Any]:
        answer = await wire.client("front", "back").post(
            "/echo", content=await request.body(), headers={"content-type": "application/json"}
        )
        return {"relayed": answer.json()}

    @back.post("/echo")
    async def echo(body: _Body) -> dict[str, Any]:
        if body.name == "boom":
            raise RuntimeError("a bug")
        if body.name == "nope":
            raise ApiError(403, "not_allowed", "You may not.")
        return {"seen": body.name}

    wire.mount("front", front)
    wire.mount("back", back)
    return wire, calls, front, back


async def test_traceparent_links_a_relayed_call(clock: FakeClock) -> None:
    wire, calls, _, _ = _pair(clock)
    response = await wire.client("student", "front").post("/relay", json={"amount": 1, "name": "x"})
    assert response.json() == {"relayed": {"seen": "x"}}
    inner, outer = calls  # the inner call finishes first
    assert (outer.caller, outer.callee, inner.caller, inner.callee) == (
        "student",
        "front",
        "front",
        "back",
    )
    assert inner.trace_id == outer.trace_id and inner.parent_id == outer.span_id
    assert outer.parent_id is None
    await wire.aclose()


async def test_errors_are_json_with_code_and_message(clock: FakeClock) -> None:
    wire, _, _, _ = _pair(clock)
    back = wire.client("student", "back")
    cases = [
        (await back.post("/echo", content=b"{not json"), 400, "invalid_json"),
        (
            await back.post(
                "/echo", content=b"{not json", headers={"content-type": "application/json"}
            ),
            400,
            "invalid_json",
        ),
        (await back.post("/echo", json={"name": "x"}), 400, "missing_field"),
        (await back.post("/echo", json={"amount": -1, "name": "x"}), 400, "invalid_field"),
        (await back.post("/echo", json=[1, 2]), 400, "invalid_body"),
        (await back.post("/echo", json={"amount": 1, "name": "nope"}), 403, "not_allowed"),
        (await back.get("/nowhere"), 404, "not_found"),
        (await back.get("/echo"), 405, "method_not_allowed"),
        (await back.post("/echo", content=b"x" * (1024 * 1024 + 1)), 413, "body_too_large"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["code"] == code and response.json()["message"]
    assert "amount" in cases[2][0].json()["message"]
    await wire.aclose()


async def test_a_bug_is_a_plain_500_without_traceback(clock: FakeClock) -> None:
    wire, _, _, _ = _pair(clock)
    transport = httpx.ASGITransport(app=wire._apps["back"], raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://back") as client:
        response = await client.post("/echo", json={"amount": 1, "name": "boom"})
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    await wire.aclose()


async def test_refused_calls_are_recorded_as_failed(clock: FakeClock) -> None:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock, timeout=1.0)
    wire.set_url("gone", "http://127.0.0.1:9")
    with pytest.raises(httpx.ConnectError):
        await wire.client("student", "gone").get("/health")
    assert calls[0].status is None and calls[0].error == "refused"
    assert calls[0].outcome == "failed"
    await wire.aclose()


def test_traceparent_parsing_rejects_garbage() -> None:
    good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert parse_traceparent(good) == Span("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
    for bad in ("", "00-xyz-00f067aa0ba902b7-01", "00-" + "0" * 32 + "-00f067aa0ba902b7-01"):
        assert parse_traceparent(bad) is None


def test_redaction_removes_secrets_and_masks_nik() -> None:
    headers = redact.headers(
        (
            ("Authorization", "Bearer abc"),
            ("X-SIGNATURE", "sig"),
            ("content-type", "application/json"),
        )
    )
    assert dict(headers) == {
        "Authorization": "[redacted]",
        "X-SIGNATURE": "[redacted]",
        "content-type": "application/json",
    }
    assert "s3cr3t" not in redact.path("/p?app_key=k&sign=s3cr3t&x=1")
    assert redact.path("/v1/people/9971015403960001?nik=9971015403960001") == (
        "/v1/people/************0001?nik=************0001"
    )
    assert dict(redact.headers((("x-nik", "9971015403960001"),)))["x-nik"] == "************0001"
    text, cut = redact.body(
        json.dumps(
            {
                "accessToken": "tok",
                "pin": "111111",
                "nik": "9971015403960001",
                "session": "sess_0123456789abcdef",
            }
        ).encode(),
        1000,
    )
    assert "tok" not in text and "111111" not in text and "0123456789abcdef" not in text
    assert "************0001" in text and "997101540396" not in text and not cut
    long_text, cut = redact.body(b"a" * 50, 10)
    assert cut and long_text.startswith("a" * 10) and "truncated 40" in long_text


async def test_outbox_retries_with_backoff_until_acknowledged(clock: FakeClock) -> None:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)
    answers = [503, 500, 200]
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook() -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({}, status_code=answers.pop(0))

    wire.mount("receiver", receiver)
    outbox = Outbox(open_database(None), wire, "sender")
    outbox.signer("test", lambda path, body, now: {"x-signed": f"{path}:{len(body)}"})
    token = current_span.set(Span("ab" * 16, "cd" * 8))
    outbox.enqueue(event_id="e1", target="receiver", path="/hook", kind="test", body={"a": 1})
    current_span.reset(token)
    assert await outbox.deliver_due() == 0
    assert await outbox.deliver_due() == 0, "not due again before its backoff"
    clock.advance(backoff(1))
    assert await outbox.deliver_due() == 0
    clock.advance(backoff(2))
    assert await outbox.deliver_due() == 1
    assert outbox.pending() == []
    assert [c.status for c in calls] == [503, 500, 200]
    assert all(c.trace_id == "ab" * 16 and c.parent_id == "cd" * 8 for c in calls)
    assert dict(calls[0].request_headers)["x-signed"] == "/hook:7"
    await wire.aclose()


async def test_a_call_whose_redaction_fails_is_recorded_with_plain_marks(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body nobody foresaw must not make a call vanish from the trace, nor leak."""
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)

    def unforeseen(raw: bytes, limit: int, content_type: str = "") -> tuple[str, bool]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(redact, "body", unforeseen)
    app = new_app(ServiceEnv("bank", wire, {}), "Bank", "x")

    @app.post("/sessions")
    async def log_in(request: Request) -> dict[str, Any]:
        return {"read": len(await request.body())}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as c:
        response = await c.post("/sessions?sign=s3cret", json={"pin": "444444"})
    assert response.status_code == 200
    [call] = calls
    assert (call.caller, call.callee, call.status) == ("external", "bank", 200)
    assert call.path == "/sessions?sign=[redacted]" and call.truncated
    assert call.request_body.startswith("[body not recorded: it could not be redacted")
    assert "444444" not in json.dumps(call.to_dict())
    await wire.aclose()


@pytest.mark.parametrize("mark", ["1", "true", "0" * 32, "other-wire"])
async def test_the_recorded_mark_hides_no_call_without_this_wires_proof(
    clock: FakeClock, mark: str
) -> None:
    wire, calls, _, back = _pair(clock)
    if mark == "other-wire":  # a genuine proof, made by another runtime's wire
        mark = Wire(recorder=calls.append).proof("POST", _TRACEPARENT)
    headers = {"x-sandbox-recorded": mark, "traceparent": _TRACEPARENT}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=back), base_url="http://b") as c:
        response = await c.post("/echo", json={"amount": 1, "name": "x"}, headers=headers)
    assert response.status_code == 200
    [call] = calls
    assert (call.caller, call.callee, call.path) == ("external", "back", "/echo")
    assert dict(call.request_headers)["x-sandbox-recorded"] == "[redacted]"
    await wire.aclose()


async def test_our_own_client_proves_its_mark_and_is_recorded_once(clock: FakeClock) -> None:
    wire, calls, _, _ = _pair(clock)
    await wire.client("front", "back").post("/echo", json={"amount": 1, "name": "x"})
    [call] = calls
    assert (call.caller, call.callee) == ("front", "back")
    assert dict(call.request_headers)["x-sandbox-recorded"] == "[redacted]"
    await wire.aclose()


_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
