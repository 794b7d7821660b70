"""The terminal UI and the stages built on it: `sandbox` itself (the UI on a sandbox attached,
found or started), `sandbox serve` (the stage in browsers) and `sandbox class` (the teacher's
board).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import Any

from sandbox.cli.options import (
    CONFIG_HELP,
    LANG_DEFAULT,
    THEME_NAMES,
    UserError,
    _address,
    _config,
    _log_to_file,
    _port,
    _serve_port,
    _settings,
    add_command,
)
from sandbox.config import DEFAULT_PORT_BASE, DEFAULT_SEED, Settings
from sandbox.language import LANGUAGES


def add_ui_options(parser: argparse.ArgumentParser) -> None:
    """Options of `sandbox` with no command: the UI's."""
    parser.add_argument(
        "--attach",
        metavar="URL",
        help="open the UI on a running `sandbox up` (its control API URL)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help=f"UI language: English or Bahasa Indonesia ({LANG_DEFAULT})",
    )
    parser.add_argument(
        "--theme",
        choices=THEME_NAMES,
        default=argparse.SUPPRESS,
        help="UI colours: dark, light, or contrast for a projector (default: $SANDBOX_THEME, "
        "else dark; ctrl+t switches)",
    )
    parser.add_argument("--data-dir", metavar="D", help="where the sandbox keeps its data")
    parser.add_argument(
        "--port-base",
        type=_port,
        default=DEFAULT_PORT_BASE,
        metavar="N",
        help=f"ports of a sandbox started for the UI (default {DEFAULT_PORT_BASE})",
    )
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    parser.set_defaults(func=cmd_ui)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox serve` and `sandbox class`."""
    serve = add_command(
        sub, "serve", "the stage in a browser: the same UI, on this machine or for a room"
    )
    serve.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    serve.add_argument(
        "--port",
        type=_serve_port,
        default=8690,
        metavar="N",
        help="the web page's port (default 8690; 0: any free port)",
    )
    serve.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=f"UI language of the pages ({LANG_DEFAULT})",
    )
    serve.add_argument("--theme", choices=THEME_NAMES, default=argparse.SUPPRESS, help="UI colours")
    serve.add_argument(
        "--port-base",
        type=_port,
        default=DEFAULT_PORT_BASE,
        metavar="N",
        help=f"ports of a sandbox started for the stage (default {DEFAULT_PORT_BASE})",
    )
    serve.add_argument(
        "--followers",
        action="store_true",
        help="serve read-only pages for students: they watch, only the presenter acts",
    )
    serve.add_argument(
        "--host",
        type=_address,
        metavar="ADDRESS",
        help="with --followers: listen on this address too, e.g. 0.0.0.0 for the room's "
        "network (default: 127.0.0.1 only)",
    )
    serve.set_defaults(func=cmd_serve)
    board = add_command(
        sub, "class", "the teacher's board: each student's lesson, step and verdict, live"
    )
    board.add_argument(
        "--port",
        type=_serve_port,
        default=4318,
        metavar="N",
        help="where students' sandboxes send their spans (OTLP/HTTP; default 4318; 0: any "
        "free port)",
    )
    board.add_argument(
        "--host",
        type=_address,
        metavar="ADDRESS",
        help="listen on this address, e.g. 0.0.0.0 for the class's network (default: "
        "127.0.0.1 only); the endpoint printed carries the class's token",
    )
    board.add_argument(
        "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=f"UI language ({LANG_DEFAULT})"
    )
    board.add_argument("--theme", choices=THEME_NAMES, default=argparse.SUPPRESS, help="UI colours")
    board.set_defaults(func=cmd_class)


# -- the UI ------------------------------------------------------------------------------------


def cmd_ui(args: argparse.Namespace) -> int:
    """Open the terminal UI on a sandbox: attached by URL, found on the data dir, or started."""
    import threading
    from concurrent.futures import Future

    from sandbox.runtime import child

    settings = _settings(args)
    if args.attach:
        return _attach(args, settings)
    config = _config(args)
    _log_to_file(settings.data_dir)
    # The sandbox starts on a thread (its own process, the other core) while Textual is imported
    # and the map drawn from the registry: the first screen waits for the slower of the two,
    # not for both in turn (sandbox.tui.starting). Nothing is imported before the child is
    # launched that the thread can import once it runs (the control client and httpx, 70 ms).
    pending: Future[Any] = Future()
    started: list[Any] = []

    def start() -> None:
        try:
            runtime = child.start(settings, config.path if config else None)
        except BaseException as exc:  # said by the command once the UI has closed
            pending.set_exception(exc)
            return
        started.append(runtime)
        from sandbox.runtime.remote import ControlClient
        from sandbox.tui.backend import RemoteBackend
        from sandbox.world import load_world

        state = runtime.state
        control = ControlClient(state.control_url, token=state.token)
        pending.set_result(RemoteBackend(control, load_world(state.seed)))

    threading.Thread(target=start, name="sandbox-start", daemon=True).start()
    from sandbox.tui.starting import StartingBackend
    from sandbox.world import load_world

    try:
        _run_ui(args, settings, StartingBackend(load_world(settings.seed), pending))
    finally:
        with contextlib.suppress(Exception):
            pending.exception(timeout=child.START_TIMEOUT)  # quit early: the child still stops
        for runtime in started:
            runtime.stop()
    failure = pending.exception() if pending.done() else None
    if isinstance(failure, child.ChildFailed):
        raise UserError(f"the sandbox could not start: {failure}")
    if failure is not None:
        raise failure
    return 0


def _attach(args: argparse.Namespace, settings: Settings) -> int:
    """The UI on the sandbox whose control API answers at `--attach`."""
    import asyncio

    from sandbox.runtime.remote import ControlClient, ControlError
    from sandbox.tui.backend import RemoteBackend
    from sandbox.world import load_world

    url = args.attach.rstrip("/")
    token = _control_token(url, settings)
    try:
        seed = asyncio.run(_seed_of(url))
    except ControlError as exc:
        raise UserError(f"no sandbox answers at {url}: {exc}") from None
    _run_ui(args, settings, RemoteBackend(ControlClient(url, token=token), load_world(seed)))
    return 0


def _run_ui(args: argparse.Namespace, settings: Settings, backend: Any) -> None:
    from sandbox.tui.app import SandboxApp

    SandboxApp(
        backend,
        lang=args.lang,
        screenshot_dir=settings.data_dir / "screenshots",
        theme=_theme(args),
    ).run()


def _theme(args: argparse.Namespace) -> str:
    """The theme asked for: --theme, else $SANDBOX_THEME, else dark."""
    from sandbox.tui.themes import THEMES

    chosen = getattr(args, "theme", None) or os.environ.get("SANDBOX_THEME", "").strip().lower()
    return THEMES.get(chosen, THEMES["dark"])


# -- class -------------------------------------------------------------------------------------


def cmd_class(args: argparse.Namespace) -> int:
    """The teacher's board: receive the class's spans and show where each student is."""
    from sandbox.classroom.receiver import ClassReceiver
    from sandbox.classroom.roster import Roster
    from sandbox.serve.guard import new_token
    from sandbox.serve.stage import join_host
    from sandbox.tui.board import ClassBoardApp

    settings = _settings(args)
    host = args.host or "127.0.0.1"
    roster = Roster()
    try:
        receiver = ClassReceiver(roster, new_token(), host, args.port)
        receiver.start()
    except OSError as exc:
        raise UserError(
            f"cannot listen on {host} port {args.port}: {exc.strerror or exc} "
            "(another board or collector? choose another --port)"
        ) from None
    endpoint = receiver.url(join_host(host))
    print(f"Students send to the board with: sandbox up --otlp-endpoint {endpoint} --student NAME")
    if host == "127.0.0.1":
        print("(Only this machine can reach it: give --host 0.0.0.0 for the class's network.)")
    try:
        ClassBoardApp(
            roster,
            endpoint,
            lang=args.lang,
            theme=_theme(args),
            exports_dir=settings.data_dir / "exports",
        ).run()
    finally:
        receiver.stop()
    count = len(roster.rows())
    print(f"Board closed: {count} student{'s' if count != 1 else ''} heard from.")
    return 0


# -- serve -------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """The stage in browsers: the presenter's on this machine, or read-only for a room."""
    from sandbox.serve.stage import ServeError, serve_stage

    settings = _settings(args)
    config = _config(args)
    _log_to_file(settings.data_dir)
    try:
        serve_stage(
            settings,
            config.path,
            port=args.port,
            lang=args.lang,
            theme=getattr(args, "theme", None),
            followers=args.followers,
            host=args.host,
        )
    except ServeError as exc:
        raise UserError(str(exc)) from None
    print("Stage stopped.")
    return 0


def _control_token(url: str, settings: Settings) -> str:
    """The control token of the sandbox at `url`: $SANDBOX_CONTROL_TOKEN, else the token in
    runtime.json of the data directory when that sandbox is the one at `url` ("" if neither:
    the UI can then watch but not reset or inject faults)."""
    import os

    from sandbox.runtime.state import RuntimeState

    if os.environ.get("SANDBOX_CONTROL_TOKEN"):
        return os.environ["SANDBOX_CONTROL_TOKEN"]
    state = RuntimeState.read(settings.data_dir)
    if state is not None and state.control_url.rstrip("/") == url.rstrip("/"):
        return state.token
    return ""


async def _seed_of(url: str) -> int:
    from sandbox.runtime.remote import ControlClient

    control = ControlClient(url)
    try:
        health = await control.health()
    finally:
        await control.aclose()
    return int(health.get("seed", DEFAULT_SEED))
