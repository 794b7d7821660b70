"""The wire's partner clients keep no cookie an answer sets (`wire.client.PartnerClient`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import Request, Response

from sandbox.framework.app import new_app
from sandbox.framework.service import ServiceEnv
from sandbox.trace.events import HttpCall
from sandbox.wire import Wire
from sandbox.wire.client import _MERGED_URLS, PartnerClient, with_params
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


async def test_partner_client_joins_paths_as_httpx_does(clock: FakeClock) -> None:
    wire, _ = _cookie_setter(clock)
    client = wire.client("front", "back")
    plain = httpx.AsyncClient(base_url=client.base_url)
    paths = ["/seen", "seen", "/seen?ids=1,2&q=a b", "/caf\u00e9/x y", "/seen", "//other/x", ""]
    for path in paths:
        assert client.build_request("GET", path).url == plain.build_request("GET", path).url
    assert client.build_request("GET", "http://elsewhere/x").url == httpx.URL("http://elsewhere/x")
    await plain.aclose()
    await wire.aclose()


async def test_partner_client_joins_to_a_changed_base_url(clock: FakeClock) -> None:
    wire, _ = _cookie_setter(clock)
    client = wire.client("front", "back")
    assert client.build_request("GET", "/seen").url == "http://back.sandbox/seen"
    client.base_url = "http://moved.sandbox/v2"
    assert client.build_request("GET", "/seen").url == "http://moved.sandbox/v2/seen"
    await wire.aclose()


async def test_partner_client_keeps_a_bounded_number_of_joined_urls(clock: FakeClock) -> None:
    wire, _ = _cookie_setter(clock)
    client = wire.client("front", "back")
    for n in range(3 * _MERGED_URLS):
        assert client.build_request("GET", f"/item/{n}").url.path == f"/item/{n}"
    assert isinstance(client, PartnerClient)
    assert len(client._merged) <= _MERGED_URLS
    await wire.aclose()


PARAM_CASES: list[dict[str, str]] = [
    {},
    {"app_key": "abc", "timestamp": "1700000000", "nonce": "0f" * 8, "sign": "a" * 64},
    {"q": "a b&c=d", "pct": "100%", "plus": "1+1", "slash": "/?#[]@!$'()*,;"},
    {"name": "caf\u00e9 \u4e2d\u6587 \U0001f600", "empty": "", "tilde": "~-._"},
]


@pytest.mark.parametrize("params", PARAM_CASES)
@pytest.mark.parametrize(
    "base",
    ["http://back.sandbox/api/v2/fs/7/orders", "http://127.0.0.1:8123/p%20q/x?old=1#frag"],
)
def test_with_params_gives_httpx_own_url(base: str, params: dict[str, str]) -> None:
    url = httpx.URL(base)
    built = with_params(url, params)
    assert built == url.copy_with(params=params)
    assert str(built) == str(url.copy_with(params=params))
    assert built.params == url.copy_with(params=params).params
    assert httpx.URL(str(built)) == built  # what it says parses back to itself


def test_with_params_falls_back_to_copy_with() -> None:
    class Odd(httpx.URL):  # a URL kept some other way (a future httpx)
        @property
        def _uri_reference(self) -> Any:
            return object()

        @_uri_reference.setter
        def _uri_reference(self, value: Any) -> None:
            self.__dict__["_kept"] = value

        def copy_with(self, **kwargs: Any) -> httpx.URL:
            return httpx.URL(str(self.__dict__["_kept"])).copy_with(**kwargs)

    odd = Odd("http://back.sandbox/x")
    assert with_params(odd, {"a": "1"}) == httpx.URL("http://back.sandbox/x?a=1")
