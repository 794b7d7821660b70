"""Wire text is text: what a service writes is shown as written, and nothing in it runs.

A service answers with Textual markup in its error message, in a header and in its OpenAPI
summary: `[b]`, `[@click=app.quit]` and a regular expression (`^[A-Z]\\d{2}`, whose brackets
markup would swallow). The composer, the call log, the call detail and the comparison must
show every bracket and the app must survive clicks on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from textual.content import Content
from textual.widgets import Select, Static

from sandbox.runtime.models import ServiceInfo
from sandbox.tui.app import SandboxApp
from sandbox.tui.screens.compare import CompareScreen
from sandbox.tui.widgets.call_compare import CallComparison
from sandbox.tui.widgets.call_detail import CallDetail
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.composer import Composer
from tests.tui.factory import LocalBackend, until

MESSAGE = "[b]bold[/b] [@click=app.quit]quit[/] [@click=app.bell]ring[/] must match ^[A-Z]\\d{2}"
"""Two `=`: the recorder of today (trace/redact.py) reads a JSON body holding exactly one `=`
as a form and records it percent-encoded, which is not what this test is about."""
HEADER = "[@click=app.quit]x[/] [b]y[/b] [A-Z]"
SUMMARY = "[b]Loud[/b] [@click=app.quit]summary[/]"


def _loud_service() -> FastAPI:
    """A service whose every text is markup."""
    app = FastAPI(title="SANDBOX Loud", version="1")

    @app.post("/v1/codes", summary=SUMMARY)
    async def codes() -> JSONResponse:
        return JSONResponse(
            {"code": "[A-Z]", "message": MESSAGE}, status_code=422, headers={"x-note": HEADER}
        )

    return app


class LoudBackend(LocalBackend):
    """The institutions and one more, `loud`."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.apps["loud"] = _loud_service()
        self.wire.mount("loud", self.apps["loud"])

    async def services(self) -> list[ServiceInfo]:
        loud = ServiceInfo("loud", "[b]Loud[/b]", "[@click=app.quit]role[/]", "back",
                           "http://loud.sandbox", "http://loud.sandbox/docs")  # fmt: skip
        return [*await super().services(), loud]


def _plain(static: Static) -> str:
    rendered = static.render()
    return rendered.plain if isinstance(rendered, Content) else str(rendered)


async def _send_as_composer(app: SandboxApp, pilot: Any) -> Composer:
    await pilot.press("6")
    await until(lambda: bool(app.screen.query(Composer)), pilot)
    composer = app.screen.query_one(Composer)
    composer.query_one("#composer-service", Select).value = "loud"
    await until(lambda: composer.endpoint is not None and composer.endpoint.path == "/v1/codes",
                pilot)  # fmt: skip
    await pilot.press("f5")
    await until(lambda: composer.reply is not None, pilot)
    await pilot.pause()
    return composer


async def _click_everything(pilot: Any, statics: list[Static]) -> None:
    for static in statics:
        if static.display and static.region.area:
            await pilot.click(static)
    await pilot.pause()


async def test_wire_text_is_text_in_composer_log_detail_and_comparison(tmp_path: Path) -> None:
    backend = LoudBackend(tmp_path)
    app = SandboxApp(backend, animate=False, live=False, screenshot_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        composer = await _send_as_composer(app, pilot)
        assert composer.reply is not None and composer.reply.status == 422
        assert _plain(composer.query_one("#composer-message", Static)) == MESSAGE
        assert f'"message": "{MESSAGE}"'.replace("\\d", "\\\\d") in _plain(
            composer.query_one("#composer-reply", Static)
        )
        assert f"x-note: {HEADER}" in _plain(composer.query_one("#composer-header-lines", Static))
        label = composer.query_one("#composer-endpoint SelectCurrent #label", Static)
        assert SUMMARY in _plain(label)
        await pilot.click("#composer-reply-headers CollapsibleTitle")
        await _click_everything(pilot, list(composer.query(Static)))
        assert app.is_running

        composer.action_send()  # a second answer, to compare with the first
        await until(lambda: len(backend.store.calls()) == 2, pilot)
        await pilot.press("1")
        log = app.screen.query_one(CallLog)
        await until(lambda: log.total == 2 and log.highlighted is not None, pilot)
        loud = log.highlighted
        assert loud is not None and loud.callee == "loud"
        detail = app.screen.query_one(CallDetail)
        await until(lambda: detail.call == loud, pilot)
        response = _plain(detail.query_one("#detail-response", Static))
        assert f"x-note: {HEADER}" in response and MESSAGE.replace("\\d", "\\\\d") in response
        await _click_everything(pilot, list(detail.query(Static)))
        assert app.is_running

        log.focus()
        await pilot.press("m", "up", "equals_sign")  # the second answer against the first
        await until(lambda: isinstance(app.screen, CompareScreen), pilot)
        comparison = app.screen.query_one(CallComparison)
        drawn = "\n".join(_plain(s) for s in comparison.query(Static))
        assert f"x-note: {HEADER}"[:40] in drawn.replace("\n", "")
        assert "[@click=app.quit]quit[/]" in drawn.replace("\n", "")
        await _click_everything(pilot, list(comparison.query(Static)))
        assert app.is_running and isinstance(app.screen, CompareScreen)
