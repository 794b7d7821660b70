"""`sandbox serve`: attach to the data directory's sandbox (or start one), serve the stage in
browsers, and say where to open it.

Presenter pages listen on 127.0.0.1 only and are fully interactive. `followers=True` serves
read-only pages instead, for a room: only then may `host` name another address (an explicit
choice: 0.0.0.0 is every network this machine is on). Either way the link carries a fresh
join token; without it every page, asset and websocket gets 403. The control API itself stays
on loopback: pages reach it from this machine, as the terminal UI does.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from sandbox.config import Settings
from sandbox.runtime import child
from sandbox.serve.guard import TOKEN_PARAM, new_token
from sandbox.serve.pages import follower_page, presenter_page
from sandbox.serve.server import StageServer

LOOPBACK = "127.0.0.1"
EVERYWHERE = frozenset({"0.0.0.0", "::"})


class ServeError(Exception):
    """Something the person can fix (a port in use, an address not this machine's)."""


def join_host(bind: str) -> str:
    """The address to put in the link: the one bound, or this machine's address on the
    network when bound to every one (a UDP socket's route, which sends nothing)."""
    if bind in EVERYWHERE:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect(("10.254.254.254", 1))
                bind = str(probe.getsockname()[0])
            except OSError:
                bind = socket.gethostname()
    return f"[{bind}]" if ":" in bind else bind


def serve_stage(
    settings: Settings,
    config: Path | None,
    *,
    port: int,
    lang: str,
    theme: str | None = None,
    followers: bool = False,
    host: str | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the stage until Ctrl+C or SIGTERM; a sandbox started here stops with it."""
    if host is not None and not followers:
        raise ServeError("--host is for --followers: the presenter's pages stay on 127.0.0.1")
    bind = host or LOOPBACK
    try:
        loopback = ipaddress.ip_address(bind).is_loopback
    except ValueError:
        raise ServeError(f"--host wants an IP address of this machine, not {bind!r}") from None
    try:
        runtime = child.start(settings, config)
    except child.ChildFailed as exc:
        raise ServeError(f"the sandbox could not start: {exc}") from None
    try:
        url = runtime.state.control_url
        command = (
            follower_page(url, lang, theme)
            if followers
            else presenter_page(url, settings.data_dir, lang, theme)
        )
        server = StageServer(
            command,
            host=bind,
            port=port,
            token=new_token(),
            loopback_only=loopback,
            title="Integration sandbox" + (" (following)" if followers else ""),
        )
        asyncio.run(_serve(server, followers, say))
    finally:
        runtime.stop()


async def _serve(server: StageServer, followers: bool, say: Callable[[str], None]) -> None:
    loop = asyncio.get_running_loop()
    stop, listening = asyncio.Event(), asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(server.run(listening, stop))
    ready = asyncio.create_task(listening.wait())
    await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not listening.is_set():
        ready.cancel()
        try:
            await serving
        except OSError as exc:
            raise ServeError(
                f"cannot listen on {server.host}:{server.port} ({exc.strerror or exc}); "
                "choose another --port"
            ) from None
        return
    link = f"http://{join_host(server.host)}:{server.bound_port}/?{TOKEN_PARAM}={server.token}"
    if followers:
        say(f"Students join the stage, read-only, at: {link}")
        say(f"(listening on {server.host}; share this link only with the room)")
    else:
        say(f"The stage in your browser (this machine only): {link}")
    say("Each page runs its own copy of the UI on this machine.   Stop: Ctrl+C")
    with contextlib.suppress(asyncio.CancelledError):
        await serving
