"""Without the join token, no page, asset or websocket of the stage; with it, the page works."""

from __future__ import annotations

import httpx

from sandbox.serve.guard import cookie_name, host_name, new_token
from tests.serve.stage import TOKEN, running

WS_HEADERS = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


async def test_without_the_token_every_route_is_403() -> None:
    async with running() as server, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{server.bound_port}"
        for path in ("/", "/ws", "/static/js/textual.js", "/download/x", "/?token=wrong"):
            answer = await http.get(base + path)
            assert answer.status_code == 403, path
            assert "link" in answer.text
        upgrade = await http.get(f"{base}/ws", headers=WS_HEADERS)
        assert upgrade.status_code == 403


async def test_the_link_opens_the_page_and_its_cookie_the_rest() -> None:
    async with running() as server, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{server.bound_port}"
        page = await http.get(f"{base}/?token={TOKEN}")
        assert page.status_code == 200 and "textual.js" in page.text
        assert http.cookies.get(cookie_name(TOKEN)) == TOKEN
        set_cookie = page.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=strict" in set_cookie
        script = await http.get(f"{base}/static/js/textual.js")
        assert script.status_code == 200
        # The token never reaches another page's address: assets are asked for without it.
        assert TOKEN not in str(script.request.url)


async def test_a_loopback_stage_refuses_foreign_host_names() -> None:
    """DNS rebinding: a page from attacker.example resolved to 127.0.0.1 sends its own name."""
    async with running() as server, httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{server.bound_port}/?token={TOKEN}"
        answer = await http.get(url, headers={"Host": f"attacker.example:{server.bound_port}"})
        assert answer.status_code == 403
        assert "127.0.0.1" in answer.text
        local = await http.get(url, headers={"Host": f"localhost:{server.bound_port}"})
        assert local.status_code == 200


async def test_a_websocket_from_another_site_is_refused_even_with_the_cookie() -> None:
    async with running() as server, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{server.bound_port}"
        await http.get(f"{base}/?token={TOKEN}")
        answer = await http.get(
            f"{base}/ws", headers={**WS_HEADERS, "Origin": "http://attacker.example"}
        )
        assert answer.status_code == 403
        assert "other sites" in answer.text


async def test_a_followers_stage_on_every_network_answers_any_name_with_the_token() -> None:
    """Students arrive by the presenter's address on the room's network; the token lets them
    in. Bound to 0.0.0.0 and reached through 127.0.0.1, as a student's browser would."""
    async with running(host="0.0.0.0", loopback_only=False) as server, httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{server.bound_port}/"
        room = {"Host": f"192.168.1.20:{server.bound_port}"}
        assert (await http.get(url, headers=room)).status_code == 403
        answer = await http.get(f"{url}?token={TOKEN}", headers=room)
        assert answer.status_code == 200


async def test_a_full_stage_says_so_instead_of_starting_another_page() -> None:
    async with running(max_pages=0) as server, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{server.bound_port}"
        await http.get(f"{base}/?token={TOKEN}")
        answer = await http.get(f"{base}/ws", headers=WS_HEADERS)
        assert answer.status_code == 503
        assert "close one" in answer.text


def test_tokens_are_fresh_and_host_names_lose_their_port() -> None:
    assert len({new_token() for _ in range(20)}) == 20
    assert len(new_token()) >= 32
    assert host_name("LocalHost:8690") == "localhost"
    assert host_name("[::1]:8690") == "[::1]"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert cookie_name("one") != cookie_name("another")
