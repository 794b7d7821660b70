"""`sandbox up`, `status` and `reset`: a sandbox's life - started, looked at, put back to its
seeded world.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path
from typing import Any

from sandbox import __version__
from sandbox.cli.options import (
    UserError,
    _config,
    _log_to_file,
    _otlp_endpoint,
    _port,
    _positive,
    _settings,
    _size,
    _student,
    _table,
    add_command,
)
from sandbox.config import DEFAULT_PORT_BASE, DEFAULT_SEED, VARIANTS, Settings


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Define `sandbox up`, `sandbox status` and `sandbox reset`."""
    up = add_command(sub, "up", "start every institution on 127.0.0.1 and serve until Ctrl+C")
    up.add_argument(
        "--port-base",
        type=_port,
        default=DEFAULT_PORT_BASE,
        metavar="N",
        help=f"control API on N, institutions on N+1... (default {DEFAULT_PORT_BASE})",
    )
    up.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"seed of the synthetic world (default {DEFAULT_SEED})",
    )
    up.add_argument(
        "--max-calls",
        type=_positive,
        default=100_000,
        metavar="N",
        help="calls kept in the trace store; oldest traces go first (default 100000)",
    )
    up.add_argument(
        "--max-bytes",
        type=_size,
        default=256 * 1024 * 1024,
        metavar="B",
        help="bytes the trace store may take, e.g. 500M or 2G; oldest traces go first "
        "(default 256M)",
    )
    up.add_argument(
        "--host",
        dest="listen_host",
        metavar="ADDR",
        help="let the institutions listen on this IPv4 address instead, e.g. 0.0.0.0 or this "
        "machine's LAN address, for Locust workers on other machines (default: 127.0.0.1 "
        "only; the control API always stays on 127.0.0.1)",
    )
    up.add_argument(
        "--body-limit",
        type=_positive,
        default=8192,
        metavar="C",
        help="characters of each body (and of each call's headers) kept in a recorded call "
        "(default 8192)",
    )
    up.add_argument(
        "--variant",
        action="append",
        choices=sorted(VARIANTS),
        metavar="NAME",
        help="switch on a deliberately non-compliant behaviour, for teaching; "
        "repeatable. " + "; ".join(f"{k}: {v}" for k, v in VARIANTS.items()),
    )
    up.add_argument(
        "--otlp-endpoint",
        type=_otlp_endpoint,
        metavar="URL",
        help="also send every recorded call as an OpenTelemetry span (OTLP/HTTP, JSON) to "
        "this collector or Jaeger, e.g. http://teacher:4318 (/v1/traces is added); spans are "
        "dropped and counted while it is down, never waited for",
    )
    up.add_argument(
        "--otlp-protocol",
        choices=["http/json", "http/protobuf"],
        help="the spans' encoding: http/json (the default) or http/protobuf, for a "
        "collector configured for protobuf",
    )
    up.add_argument(
        "--student",
        type=_student,
        metavar="NAME",
        help="your name on the spans --otlp-endpoint sends (resource attribute "
        "sandbox.student), so a teacher can find your traces",
    )
    up.set_defaults(func=cmd_up)
    status = add_command(sub, "status", "show the running sandbox's services and their health")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)
    reset = add_command(sub, "reset", "restore the seeded world")
    reset.add_argument("--seed", type=int, metavar="S", help="rebuild from another seed")
    reset.set_defaults(func=cmd_reset)


# -- up ----------------------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> int:
    """Start every institution and serve until Ctrl+C or SIGTERM."""
    from sandbox.runtime.data_dir import DataDirInUse, ForeignFolder
    from sandbox.runtime.listen import ListenRefused
    from sandbox.runtime.state import RuntimeState
    from sandbox.runtime.supervisor import AppLoadFailed, PortInUse, Runtime, SeedMismatch
    from sandbox.trace.stored_ids import NewerTraceStore

    settings = _settings(args)
    if settings.student and not settings.otlp_endpoint:
        raise UserError("--student names you on the spans --otlp-endpoint sends; give both")
    if getattr(args, "otlp_protocol", None) and not settings.otlp_endpoint:
        raise UserError("--otlp-protocol says how to send to --otlp-endpoint; give both")
    config = _config(args)
    running = RuntimeState.read(settings.data_dir)
    if running:
        raise UserError(
            f"a sandbox is already running for {settings.data_dir} (pid "
            f"{running.pid}, control API {running.control_url}); stop it first "
            "or use another --data-dir"
        )
    from sandbox.runtime.config_file import CONFIG_NAME

    # Partners registered while it runs (`sandbox new credentials`) come from this file,
    # made here later if there is none yet.
    watched = config.path or Path.cwd() / CONFIG_NAME
    try:
        runtime = Runtime(settings, config, partners_file=watched)
    except (ForeignFolder, NewerTraceStore) as exc:
        raise UserError(str(exc)) from None
    log_path = _log_to_file(settings.data_dir)
    try:
        runtime.check_seed()
        runtime.bind()
    except ListenRefused as exc:
        raise UserError(str(exc)) from None
    except PortInUse as exc:
        fix = (
            "change its port in the configuration"
            if "declared at" in str(exc)
            else f"pick other ports with --port-base (e.g. --port-base {settings.port_base + 100})"
        )
        raise UserError(f"{exc}. Stop the program using it, or {fix}.") from None
    except (SeedMismatch, ForeignFolder, DataDirInUse) as exc:
        raise UserError(str(exc)) from None
    from sandbox.framework import checkpoints

    checkpoints.enable()  # before the institutions open their files (framework/checkpoints.py)
    try:
        runtime.build()
    except AppLoadFailed as exc:
        runtime.close_sockets()
        raise UserError(str(exc)) from None

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, runtime.stop)
        server = asyncio.create_task(runtime.serve())
        # runtime.started is a threading.Event (it also serves embedded runs): poll it.
        while not runtime.started.is_set() and not server.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if runtime.started.is_set():
            _print_table(runtime, settings, log_path)
        await server

    asyncio.run(serve())
    print("Sandbox stopped.")
    return 0


def _print_table(runtime: Any, settings: Settings, log_path: Path) -> None:
    rows = [
        (s.name, s.title, s.role, runtime.urls[s.name], _docs_of(s, runtime.urls[s.name]))
        for s in runtime.specs
    ]
    print(
        f"Integration sandbox {__version__}: {len(rows)} services on {runtime.listen_host} "
        f"(seed {settings.seed}{_variants_note(settings)})"
    )
    if settings.lan:
        print(
            f"The institutions listen on {runtime.listen_host}: other machines on this network "
            "can call them (Locust workers, docs/flash-sale.md); the control API stays on "
            "127.0.0.1."
        )
    _table(["service", "institution", "role", "url", "docs"], rows)
    if runtime.config.path is not None:
        print(f"configuration {runtime.config.path}")
    print(f"control API {runtime.control_url}   data {settings.data_dir}   log {log_path}")
    if runtime.otlp is not None:
        who = f" as student {settings.student}" if settings.student else ""
        print(
            f"spans to {runtime.otlp.endpoint}{who} (dropped and counted while it is down; "
            "`sandbox status` shows the counts)"
        )
    print("Try: sandbox run checkout      Stop: Ctrl+C", flush=True)


def _docs_of(spec: Any, url: str) -> str:
    if spec.kind == "url":
        return f"proxy to {spec.url}"
    if not spec.start:
        return "starts later (control API: POST /services/NAME/start)"
    return url + "/docs"


def _variants_note(settings: Settings) -> str:
    """Said on the first line, so nobody forgets that a deliberately wrong variant is on."""
    if not settings.variants:
        return ""
    return f", NON-COMPLIANT variants: {', '.join(sorted(settings.variants))}"


# -- status ------------------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    """Show the services of a running sandbox and their health."""
    import httpx

    from sandbox.runtime.state import RuntimeState

    settings = _settings(args)
    state = RuntimeState.read(settings.data_dir)
    rows: list[dict[str, Any]] = []
    if state is None:
        rows = [
            {"name": s.name, "url": None, "docs_url": None, "health": "not running"}
            for s in _config(args).specs
        ]
    else:
        # The control API knows each service's health without calling it; a health check
        # from here would be recorded like any other call from outside.
        known = _control_health(state.control_url)
        with httpx.Client(timeout=2.0, headers={"x-sandbox-caller": "sandbox-status"}) as http:
            for name, url in state.services.items():
                health = known.get(name) or _health(http, url)
                rows.append({"name": name, "url": url, "docs_url": f"{url}/docs", "health": health})
    if args.json:
        print(json.dumps(rows, indent=1))
    elif state is None:
        print(f"No sandbox is running for {settings.data_dir}. Start one with `sandbox up`.")
    else:
        print(f"Sandbox pid {state.pid}, seed {state.seed}, control API {state.control_url}")
        _table(
            ["service", "url", "docs", "health"],
            [(r["name"], r["url"], r["docs_url"], r["health"]) for r in rows],
        )
        otlp = _control_otlp(state.control_url)
        if otlp:
            print(otlp)
    healthy = state is not None and all(r["health"] == "ok" for r in rows)
    return 0 if healthy else 1


def _control_health(control_url: str) -> dict[str, str]:
    """Each service's health as the control API sees it ({} if it does not answer)."""
    import httpx

    try:
        services = httpx.get(f"{control_url}/services", timeout=5.0).json()
        return {str(s["name"]): str(s["health"]) for s in services}
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return {}


def _control_otlp(control_url: str) -> str:
    """A line on the stream to a class's collector, or "" when there is none."""
    import httpx

    try:
        otlp = httpx.get(f"{control_url}/otlp", timeout=5.0).json()
        if not otlp.get("enabled"):
            return ""
        line = (
            f"spans to {otlp['endpoint']}: {otlp['sent']} sent, {otlp['dropped']} dropped, "
            f"{otlp['failed']} failed, {otlp['queued']} queued"
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
        return ""
    return line + (f" (last error: {otlp['last_error']})" if otlp.get("last_error") else "")


def _health(http: Any, url: str) -> str:
    import httpx

    try:
        response = http.get(f"{url}/health")
    except httpx.HTTPError as exc:
        return f"down ({type(exc).__name__})"
    if response.status_code == 200 and response.json().get("status") == "ok":
        return "ok"
    return f"unhealthy (HTTP {response.status_code})"


# -- reset -------------------------------------------------------------------------------------


def cmd_reset(args: argparse.Namespace) -> int:
    """Restore the seeded world, in a running sandbox or on disk."""
    import httpx

    from sandbox.runtime import data_dir
    from sandbox.runtime.state import RuntimeState
    from sandbox.runtime.supervisor import Runtime

    settings = _settings(args)
    state = RuntimeState.read(settings.data_dir)
    if state is not None:
        if args.seed and args.seed != state.seed:
            raise UserError(
                f"the running sandbox uses seed {state.seed}; stop it before "
                f"resetting to seed {args.seed}"
            )
        response = httpx.post(
            f"{state.control_url}/reset", timeout=30, headers=state.auth_headers()
        )
        if response.status_code != 200:
            raise UserError(f"the running sandbox refused to reset: {response.text[:200]}")
        print(f"Reset the running sandbox (pid {state.pid}) to seed {state.seed}.")
        return 0
    config = _config(args)
    try:
        # Only the databases the sandbox created here go (never the trace, never anything
        # else in the folder); a folder that is not the sandbox's is left alone, and one a
        # sandbox is starting on is left to it (its lock).
        lock = data_dir.DataDirLock(settings.data_dir)
        if data_dir.is_ours(settings.data_dir):
            lock.acquire()
        data_dir.clear(settings.data_dir, [s.name for s in config.specs])
        runtime = Runtime(settings, config)
        runtime.lock = lock
        runtime.check_seed()
    except (data_dir.ForeignFolder, data_dir.DataDirInUse) as exc:
        raise UserError(str(exc)) from None
    runtime.build()
    print(f"Rebuilt the world of seed {settings.seed} in {settings.data_dir}.")
    return 0
