"""The wire's partner clients keep no cookie an answer sets (`wire.client.PartnerClient`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from tests.conftest import FakeClock


def _cookie_setter(clock: FakeClock) -> tuple[Wire, list[HttpCall]]:
    calls: list[HttpCall] = []
    wire = Wire(recorder=calls.append, clock=clock)
    back = new_app(ServiceEnv("back", wire, {}), "Back", "test")

    @back.get("/login")
    async def login(response: Response) -> dict[str, Any]:
        response.set_cookie("session", "s3cret-session")
        return {}

    @back.get("/seen")
    async def seen(request: Request) -> dict[str, Any]:
        return {"cookie": request.headers.get("cookie")}

    wire.mount("back", back)
    return wire, calls


async def test_partner_client_sends_no_cookie_an_answer_set(clock: FakeClock) -> None:
    wire, calls = _cookie_setter(clock)
    client = wire.client("front", "back")
    await client.get("/login")
    assert (await client.get("/seen")).json() == {"cookie": None}
    assert len(client.cookies) == 0
    assert [call.path for call in calls] == ["/login", "/seen"]
    assert "s3cret-session" not in repr(calls[0])  # the answer's Set-Cookie, redacted
    await wire.aclose()


async def test_partner_client_sends_the_cookies_set_on_it(clock: FakeClock) -> None:
    wire, _ = _cookie_setter(clock)
    client = wire.client("front", "back")
    client.cookies = {"chosen": "1"}
    await client.get("/login")
    assert (await client.get("/seen")).json() == {"cookie": "chosen=1"}
    await wire.aclose()
