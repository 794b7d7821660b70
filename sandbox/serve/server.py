"""textual-serve's server with the stage's page and guard, run on an address we choose.

textual-serve runs one command per page opened (over a websocket that carries the terminal);
we keep its routes (`/`, `/ws`, `/static`, `/download/{key}`), give it our page
(`template/app_index.html`, nothing off the machine) and put `guard.stage_guard` in front of
every route. Its assets (xterm.js, the font) are the ones the textual-serve package ships.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import textual_serve
from aiohttp import web
from textual_serve.server import Server

from sandbox.serve.guard import stage_guard

TEMPLATES = Path(__file__).parent / "template"
"""Our page: textual-serve's own links Google Fonts, which a classroom offline cannot reach."""
STATICS = Path(textual_serve.__file__).parent / "static"
"""xterm.js, its stylesheet and the Roboto Mono font, as textual-serve ships them."""
MAX_PAGES = 60
"""Pages open at once: each is a UI process of about 60 MB on the presenter's machine, so a
room (or one student's reload loop) cannot use up its memory; the next page is told to wait."""


class StageServer(Server):
    """The stage's web server: every page the same UI, behind the join token."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        token: str,
        loopback_only: bool,
        title: str,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            templates_path=TEMPLATES,
            statics_path=STATICS,
        )
        self.token = token
        self.loopback_only = loopback_only
        self.max_pages = max_pages
        self.bound_port = port
        """The port listened on (the one the system chose when `port` is 0)."""
        self._pages: set[asyncio.Task[object]] = set()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(stage_guard(self.token, loopback_only=self.loopback_only))
        app.on_shutdown.append(self._close_pages)
        return app

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """One page's terminal, known until it closes, so stopping the server ends it; 503
        once `max_pages` are open."""
        if len(self._pages) >= self.max_pages:
            return web.Response(
                status=503,
                text=f"The stage has {self.max_pages} pages open, as many as it serves; "
                "close one and try again.\n",
            )
        task = asyncio.current_task()
        if task is not None:
            self._pages.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            if task is not None:
                self._pages.discard(task)

    async def _close_pages(self, app: web.Application) -> None:
        """Ctrl+C: each open page's UI is told to quit now, rather than aiohttp waiting for
        the browsers to close their websockets."""
        for task in list(self._pages):
            task.cancel()

    async def on_startup(self, app: web.Application) -> None:
        """Quiet: `sandbox serve` says where to join itself (textual-serve prints a logo)."""

    async def run(self, listening: asyncio.Event, stop: asyncio.Event) -> None:
        """Serve until `stop` is set; `listening` is set once the port is bound.

        Raises OSError when the address cannot be bound (a port in use, an address that is
        not this machine's)."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, shutdown_timeout=5)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            self.bound_port = int(runner.addresses[0][1])
            listening.set()
            await stop.wait()
        finally:
            await runner.cleanup()
