"""The stage's page works without internet: nothing it references leaves the machine."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

from sandbox.serve.server import STATICS, TEMPLATES
from tests.serve.stage import TOKEN, running

URL_IN_TEXT = re.compile(r"""(?:https?:|wss?:)?//[^\s"'<>)]+""", re.I)


class References(HTMLParser):
    """Every src and href of a page, and every url(...) in its inline style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("src", "href") and value]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += re.findall(r"""url\(["']?([^"')]+)["']?\)""", data)


def references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.found


def test_the_template_names_no_address_off_the_machine() -> None:
    text = (TEMPLATES / "app_index.html").read_text()
    assert not URL_IN_TEXT.findall(text), URL_IN_TEXT.findall(text)
    assert "googleapis" not in text


def test_the_assets_the_page_needs_ship_with_it() -> None:
    for asset in ("js/textual.js", "css/xterm.css", "fonts/RobotoMono-VariableFont_wght.ttf"):
        assert (STATICS / asset).is_file(), asset
    # The stylesheet fetches nothing (its copyright comment names web sites; no url() does).
    css = (STATICS / "css" / "xterm.css").read_text()
    assert "@import" not in css
    assert all(not URL_IN_TEXT.match(u) for u in re.findall(r"url\(([^)]*)\)", css))


async def test_the_served_page_and_every_asset_it_references_are_same_origin() -> None:
    async with running() as server, httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{server.bound_port}/"
        page = await http.get(f"{base}?token={TOKEN}")
        assert page.status_code == 200
        found = references(page.text)
        assert len(found) >= 4, found  # the stylesheet, the font (twice), the script
        for reference in found:
            url = httpx.URL(base).join(reference)
            assert (url.scheme, url.host, url.port) == ("http", "127.0.0.1", server.bound_port)
            assert (await http.get(url)).status_code == 200, reference
        # The websocket is the page's own host (computed in the page, never a fixed address).
        assert "window.location.host" in page.text
        assert not URL_IN_TEXT.findall(page.text)
