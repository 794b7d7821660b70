"""The `sandbox` command: one short function per command over the layers below.

Nothing here holds business logic; a command parses its options, calls the runtime or a
scenario, and prints. Errors a user can fix are printed as one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sandbox import __version__
from sandbox.config import (
    DEFAULT_PORT_BASE,
    DEFAULT_SEED,
    HOST,
    VARIANTS,
    Settings,
    default_data_dir,
)
from sandbox.language import LANGUAGES, default_language, texts

EXIT_USAGE = 2
STORIES = ("checkout", "open-account", "admission", "admission-covered", "admission-revoked")
"""The names of sandbox.scenarios.SCENARIOS and VARIANTS, kept here so `--help` imports no
scenario code."""


LANG_DEFAULT = "default: $SANDBOX_LANG, else your system's language if Indonesian, else en"
CONFIG_HELP = "services to run (default: ./sandbox.toml if present, plus installed plugins)"


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _settings(args: argparse.Namespace) -> Settings:
    defaults = Settings(data_dir=Path("."))
    return Settings(
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else default_data_dir(),
        port_base=getattr(args, "port_base", DEFAULT_PORT_BASE),
        seed=getattr(args, "seed", None) or DEFAULT_SEED,
        trace_max_calls=getattr(args, "max_calls", defaults.trace_max_calls),
        trace_max_bytes=getattr(args, "max_bytes", defaults.trace_max_bytes),
        body_limit=getattr(args, "body_limit", defaults.body_limit),
        variants=frozenset(getattr(args, "variant", None) or ()),
        otlp_endpoint=getattr(args, "otlp_endpoint", None) or "",
        otlp_protocol=getattr(args, "otlp_protocol", None) or "http/json",
        student=getattr(args, "student", None) or "",
        listen_host=getattr(args, "listen_host", None) or HOST,
        lan=getattr(args, "listen_host", None) is not None,
    )


def _config(args: argparse.Namespace) -> Any:
    """The services to run: `--config`, else ./sandbox.toml, plus installed plugins."""
    from sandbox.runtime.config_file import ConfigError, find_config, load_config
    from sandbox.runtime.plugins import PluginError

    explicit = getattr(args, "config", None)
    try:
        return load_config(find_config(Path(explicit) if explicit else None))
    except (ConfigError, PluginError) as exc:
        raise UserError(str(exc)) from None


def _log_to_file(data_dir: Path) -> Path:
    """Logs go to a file: the terminal belongs to the user (and later the TUI). The file is
    redacted like the trace (`sandbox.trace.logs`)."""
    from sandbox.trace.logs import log_to_file

    path = data_dir / "logs" / "sandbox.log"
    if not any(isinstance(h, logging.FileHandler) for h in logging.getLogger().handlers):
        log_to_file(path)
    return path


# -- up ----------------------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> int:
    """Start every institution and serve until Ctrl+C or SIGTERM."""
    from sandbox.runtime.data_dir import DataDirInUse, ForeignFolder
    from sandbox.runtime.listen import ListenRefused
    from sandbox.runtime.state import RuntimeState
    from sandbox.runtime.supervisor import AppLoadFailed, PortInUse, Runtime, SeedMismatch

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
    except ForeignFolder as exc:
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


def _table(header: list[str], rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for row in [tuple(header), *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())


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


# -- run ---------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Run a story headless against the running sandbox, or one started for the run."""
    from sandbox.runtime.state import RuntimeState
    from sandbox.scenarios import SCENARIOS, VARIANTS, StoryFailed
    from sandbox.wire import Wire
    from sandbox.world import load_world

    if args.scenario == "flash-sale":
        return cmd_flash_sale(args)
    _no_sale_options(args)
    settings = _settings(args)
    scenario = {**SCENARIOS, **VARIANTS}[args.scenario]
    pay = getattr(args, "pay", None)
    if pay is not None and args.scenario != "checkout":
        raise UserError(f"--pay is for the checkout and the flash sale, not {args.scenario}")
    state = RuntimeState.read(settings.data_dir)
    runtime = None
    if state is None:
        from sandbox.runtime.data_dir import DataDirInUse, ForeignFolder
        from sandbox.runtime.supervisor import Runtime, SeedMismatch

        try:
            runtime = Runtime(Settings(settings.data_dir, 0, settings.seed), _config(args))
            _log_to_file(settings.data_dir)
            runtime.start_in_thread()
        except (SeedMismatch, ForeignFolder, DataDirInUse) as exc:
            raise UserError(str(exc)) from None
        urls, seed = runtime.urls, settings.seed
        control_url, token = runtime.control_url, None
    else:
        urls, seed = state.services, state.seed
        control_url, token = state.control_url, state.token
    world = load_world(seed)
    lines: list[str] = []
    report = lines.append if args.json else print
    lang = getattr(args, "lang", "en")
    _ = texts("stories", lang)
    if not args.json:
        where = (
            _("a sandbox started for this run")
            if runtime
            else _("the sandbox pid {pid}").format(pid=state.pid)  # type: ignore[union-attr]
        )
        print(_("Running `{story}` against {where}").format(story=args.scenario, where=where))

    async def go() -> Any:
        from sandbox.runtime.remote import ControlClient
        from sandbox.scenarios import TAKES_PHONE, PhoneReader

        wire = Wire()  # the running sandbox records these calls on its side
        for name, url in urls.items():
            wire.set_url(name, url)
        control = ControlClient(control_url, token=token)
        options: dict[str, Any] = {"pay": pay} if pay else {}
        if args.scenario in TAKES_PHONE:  # her phone, read through the control API
            options["phone"] = PhoneReader(control.sms)
        try:
            return await scenario(wire, world, report, lang=lang, **options)
        finally:
            await wire.aclose()
            await control.aclose()

    error, story = None, None
    try:
        story = asyncio.run(go())
    except StoryFailed as exc:
        error = str(exc)
    finally:
        if runtime is not None:
            runtime.stop_thread()
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": args.scenario,
                    "ok": error is None,
                    "trace_id": story.trace_id if story else None,
                    "steps": lines,
                    "facts": story.facts if story else {},
                    "error": error,
                },
                indent=1,
            )
        )
    else:
        if story is not None:
            _print_trace(settings, story.trace_id, lang)
        if error:
            print(_("FAILED: {reason}").format(reason=error))
        else:
            print(_("OK: `{story}` finished as the story says.").format(story=args.scenario))
    return 0 if error is None else 1


# -- run flash-sale ----------------------------------------------------------------------------

SALE_OPTIONS = ("buyers", "duration", "products", "bank_limit")
"""Options of the flash sale alone (`--pay` is also the checkout's)."""


def _no_sale_options(args: argparse.Namespace) -> None:
    given = [
        f"--{name.replace('_', '-')}"
        for name in SALE_OPTIONS
        if getattr(args, name, None) is not None
    ]
    if given:
        raise UserError(f"{', '.join(given)}: only for `sandbox run flash-sale`")


def cmd_flash_sale(args: argparse.Namespace) -> int:
    """Buyers race for limited stock through the whole integration; the invariants checked."""
    from sandbox.load.report import SaleReport
    from sandbox.load.sale import SaleError, SaleOptions, Target, check_options, flash_sale
    from sandbox.runtime.state import RuntimeState
    from sandbox.world import load_world

    settings = _settings(args)
    defaults = SaleOptions()
    options = SaleOptions(
        buyers=args.buyers or defaults.buyers,
        duration_s=args.duration or defaults.duration_s,
        products=args.products or defaults.products,
        pay=args.pay or defaults.pay,
        bank_limit=float(args.bank_limit or 0),
    )
    state = RuntimeState.read(settings.data_dir)
    world = load_world(state.seed if state else settings.seed)
    try:
        check_options(options, world)  # before starting anything
    except SaleError as exc:
        raise UserError(str(exc)) from None
    runtime = None
    if state is None:
        runtime = _runtime_for_the_run(settings, args)
        target = Target(runtime.control_url, runtime.urls, runtime.control_token)
    else:
        target = Target(state.control_url, state.services, state.token)
    say = (lambda _text: None) if args.json else print
    try:
        report: SaleReport = flash_sale(
            target, world, options, settings.data_dir / "flash-sale", say
        )
    except SaleError as exc:
        raise UserError(str(exc)) from None
    finally:
        if runtime is not None:
            runtime.stop_thread()
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print("\n".join(report.lines()))
        print("OK: the invariants hold." if report.ok else "FAILED: an invariant does not hold.")
    return 0 if report.ok else 1


def _runtime_for_the_run(settings: Settings, args: argparse.Namespace) -> Any:
    """A sandbox started on a thread for this run (no `sandbox up` is running)."""
    from sandbox.runtime.data_dir import DataDirInUse, ForeignFolder
    from sandbox.runtime.supervisor import Runtime, SeedMismatch

    try:
        runtime = Runtime(Settings(settings.data_dir, 0, settings.seed), _config(args))
        _log_to_file(settings.data_dir)
        runtime.start_in_thread()
    except (SeedMismatch, ForeignFolder, DataDirInUse) as exc:
        raise UserError(str(exc)) from None
    return runtime


def _print_trace(settings: Settings, trace_id: str, lang: str = "en") -> None:
    from sandbox.trace.waterfall import waterfall

    try:
        calls = _trace_store(settings).trace(trace_id)
    except UserError:
        calls = []
    print()
    print("\n".join(waterfall(calls)) if calls else f"trace {trace_id}")
    _ = texts("stories", lang)
    print(
        _("(sandbox trace export {trace} --format mermaid  draws it as a diagram)").format(
            trace=trace_id[:12]
        )
    )


# -- trace -------------------------------------------------------------------------------------


def _trace_store(settings: Settings) -> Any:
    """The trace store of the data dir, after asking a running sandbox to flush its writer."""
    import httpx

    from sandbox.runtime.state import RuntimeState
    from sandbox.runtime.supervisor import TRACE_FILE
    from sandbox.trace.store import TraceStore

    state = RuntimeState.read(settings.data_dir)
    if state is not None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{state.control_url}/flush", timeout=10, headers=state.auth_headers())
    path = settings.data_dir / TRACE_FILE
    if not path.exists():
        raise UserError(
            f"no traces recorded yet in {settings.data_dir}; run `sandbox up` and "
            "make some calls (e.g. `sandbox run checkout`)"
        )
    return TraceStore(path)


def cmd_trace_list(args: argparse.Namespace) -> int:
    """Recent traces with their root call, size, services, duration and outcome."""
    summaries = _trace_store(_settings(args)).traces(args.limit)
    if args.json:
        print(json.dumps([s.to_dict() for s in summaries], indent=1))
        return 0
    if not summaries:
        print("No traces recorded yet.")
        return 0
    _table(
        ["trace", "calls", "duration", "outcome", "root", "services"],
        [
            (
                s.trace_id[:12],
                s.calls,
                f"{s.duration_ms:.1f} ms",
                s.outcome,
                s.root[:60],
                ",".join(s.services),
            )
            for s in summaries
        ],
    )
    return 0


def _located(args: argparse.Namespace) -> tuple[list[Any], str | None]:
    """The calls of the trace `args.trace_id` names, and the span of the call it names."""
    store = _trace_store(_settings(args))
    found = store.locate(args.trace_id)
    if found is None:
        raise UserError(
            f"no trace or call matches {args.trace_id!r}; give a trace id (a unique prefix "
            "is enough, `sandbox trace list` shows recent ones), a response's X-Request-Id "
            "or its traceresponse header"
        )
    trace_id, span_id = found
    calls: list[Any] = store.trace(trace_id)
    return calls, span_id


def cmd_trace_show(args: argparse.Namespace) -> int:
    """The call tree of one trace as an indented waterfall, the call asked for marked."""
    from sandbox.trace.waterfall import waterfall

    calls, span_id = _located(args)
    print("\n".join(waterfall(calls, mark=span_id)))
    if span_id is not None:
        print(f"(> marks the call {span_id})")
    return 0


def cmd_trace_export(args: argparse.Namespace) -> int:
    """Write one trace as HAR, Mermaid, JSON lines or OTLP/JSON."""
    from sandbox.trace.export import export

    text = export(_located(args)[0], args.format)
    if args.output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(
            f"Wrote {args.format} export of trace {args.trace_id} to {args.output}", file=sys.stderr
        )
    return 0


def cmd_trace_tail(args: argparse.Namespace) -> int:
    """Follow a running sandbox's calls live, one line each, until Ctrl+C."""
    import httpx

    from sandbox.runtime.state import RuntimeState
    from sandbox.trace.events import HttpCall
    from sandbox.trace.waterfall import call_line

    state = RuntimeState.read(_settings(args).data_dir)
    if state is None:
        raise UserError("no sandbox is running for this data dir; start one with `sandbox up`")
    print(f"Following calls of sandbox pid {state.pid} (Ctrl+C to stop)", flush=True)
    try:
        with httpx.stream("GET", f"{state.control_url}/events", timeout=None) as response:
            for line in response.iter_lines():
                if line.startswith("data: {") and '"trace_id"' in line:
                    print(call_line(HttpCall.from_dict(json.loads(line[6:]))), flush=True)
                elif line.startswith("event: lagged"):
                    print("... (some calls skipped: this terminal fell behind)", flush=True)
    except httpx.HTTPError as exc:
        raise UserError(f"lost the event stream: {exc}") from None
    except KeyboardInterrupt:
        return 0
    return 0


# -- webhooks ----------------------------------------------------------------------------------


def cmd_webhooks(args: argparse.Namespace) -> int:
    """Webhooks the institutions have not delivered: still retried, or given up (dead letters).

    Read straight from each institution's database file, so it works whether or not the
    sandbox runs. Exits 1 when there is a dead letter: someone must look at it.
    """
    from sandbox.runtime import inspect
    from sandbox.runtime.supervisor import data_file

    settings = _settings(args)
    states = ("dead",) if args.dead else ("pending",) if args.pending else ("pending", "dead")
    found = []
    for spec in _config(args).specs:
        path = data_file(settings.data_dir, spec.name)
        if path.exists():
            found += inspect.webhooks(path, spec.name, states)
    found.sort(key=lambda w: w.created_at)
    if args.json:
        print(json.dumps([w.to_dict() for w in found], indent=1))
    elif not found:
        print("No webhook is waiting: every one was acknowledged.")
    else:
        _table(
            ["service", "event", "to", "path", "state", "tries", "last", "why given up"],
            [
                (
                    w.service,
                    w.event_id,
                    w.target,
                    w.path,
                    w.state,
                    w.attempts,
                    w.last_status or w.last_error or "",
                    (w.gave_up_reason or "")[:70],
                )
                for w in found
            ],
        )
    return 1 if any(w.state == "dead" for w in found) else 0


# -- the UI ------------------------------------------------------------------------------------


def cmd_ui(args: argparse.Namespace) -> int:
    """Open the terminal UI on a sandbox: attached by URL, found on the data dir, or started."""
    import asyncio as _asyncio
    import threading
    from concurrent.futures import Future

    from sandbox.runtime import child
    from sandbox.runtime.remote import ControlClient, ControlError
    from sandbox.world import load_world

    settings = _settings(args)
    config = None if args.attach else _config(args)
    if args.attach:
        url = args.attach.rstrip("/")
        token = _control_token(url, settings)
        try:
            seed = _asyncio.run(_seed_of(url))
        except ControlError as exc:
            raise UserError(f"no sandbox answers at {url}: {exc}") from None
        from sandbox.tui.backend import RemoteBackend

        _run_ui(args, settings, RemoteBackend(ControlClient(url, token=token), load_world(seed)))
        return 0
    _log_to_file(settings.data_dir)
    # The sandbox starts on a thread (its own process, the other core) while Textual is imported
    # and the map drawn from the registry: the first screen waits for the slower of the two,
    # not for both in turn (sandbox.tui.starting).
    pending: Future[Any] = Future()
    started: list[Any] = []

    def start() -> None:
        try:
            runtime = child.start(settings, config.path if config else None)
        except BaseException as exc:  # said by the command once the UI has closed
            pending.set_exception(exc)
            return
        started.append(runtime)
        from sandbox.tui.backend import RemoteBackend

        state = runtime.state
        control = ControlClient(state.control_url, token=state.token)
        pending.set_result(RemoteBackend(control, load_world(state.seed)))

    threading.Thread(target=start, name="sandbox-start", daemon=True).start()
    from sandbox.tui.starting import StartingBackend

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


def _run_ui(args: argparse.Namespace, settings: Settings, backend: Any) -> None:
    from sandbox.tui.app import SandboxApp

    SandboxApp(
        backend,
        lang=args.lang,
        screenshot_dir=settings.data_dir / "screenshots",
        theme=_theme(args),
    ).run()


THEME_NAMES = ("dark", "light", "contrast")
"""The UI's themes (`sandbox.tui.themes.THEMES`), named here so `--help` imports no Textual."""


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


def _serve_port(text: str) -> int:
    value = int(text)
    if value != 0 and not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError("choose a port between 1024 and 65535 (0: any free one)")
    return value


def _address(text: str) -> str:
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            "an IP address of this machine, e.g. 0.0.0.0 for every network"
        ) from None


# -- lessons in the UI --------------------------------------------------------------------------


def cmd_learn(args: argparse.Namespace) -> int:
    """Open the UI on a lesson, resuming where the learner stopped."""
    return _lesson_ui(args, presenter=False)


def cmd_present(args: argparse.Namespace) -> int:
    """Open a lesson in presenter mode, from a freshly prepared world."""
    return _lesson_ui(args, presenter=True)


def _lesson_ui(args: argparse.Namespace, *, presenter: bool) -> int:
    import asyncio as _asyncio

    from sandbox.lessons.engine import LessonRunner
    from sandbox.lessons.progress import Progress
    from sandbox.runtime import child
    from sandbox.runtime.remote import ControlClient, ControlError
    from sandbox.tui.backend import RemoteBackend
    from sandbox.tui.lesson_launch import build_lesson_app
    from sandbox.world import load_world

    settings = _settings(args)
    progress = Progress.load(settings.data_dir)
    lesson = chosen_lesson(args, progress)
    started = None
    if args.attach:
        url = args.attach.rstrip("/")
        token = _control_token(url, settings)
        try:
            seed, urls = _asyncio.run(_seed_and_urls(url))
        except ControlError as exc:
            raise UserError(f"no sandbox answers at {url}: {exc}") from None
    else:
        _log_to_file(settings.data_dir)
        if lesson.config is not None:
            from sandbox.runtime.config_file import ConfigError, load_config

            try:  # a lesson runs Python only from its own folder
                load_config(lesson.config, confined=True)
            except ConfigError as exc:
                raise UserError(str(exc)) from None
        config_path = lesson.config or _config(args).path
        try:
            started = child.start(settings, config_path)
        except child.ChildFailed as exc:
            raise UserError(f"the sandbox could not start: {exc}") from None
        url, seed, urls = (
            started.state.control_url,
            started.state.seed,
            dict(started.state.services),
        )
        token = started.state.token
    try:
        world = load_world(seed)
        backend = RemoteBackend(ControlClient(url, token=token), world)
        runner = LessonRunner(
            lesson, urls=urls, control=backend.control, world=world, data_dir=settings.data_dir
        )
        build_lesson_app(
            backend,
            lesson,
            runner,
            progress,
            lang=args.lang,
            presenter=presenter,
            screenshot_dir=settings.data_dir / "screenshots",
            theme=_theme(args),
            next_lesson=_next_lesson(args, lesson, presenter),
            glossary=_glossary(lesson),
        ).run()
    finally:
        if started is not None:
            started.stop()
    return 0


def _next_lesson(args: argparse.Namespace, lesson: Any, presenter: bool) -> str:
    """The lesson after `lesson` in its folder, as the completion names it ("" for the last)."""
    from sandbox.lessons.loader import lesson_slugs, load_lesson
    from sandbox.lessons.model import LessonError

    root = lesson.folder.parent
    slugs = lesson_slugs(root)
    if lesson.folder.name not in slugs:
        return ""
    following = slugs[slugs.index(lesson.folder.name) + 1 :]
    if not following:
        return ""
    try:
        upcoming = load_lesson(root / following[0], args.lang)
    except LessonError:
        return ""
    command = "present" if presenter else "learn"
    return f"{upcoming.number} · {upcoming.title} (sandbox {command} {upcoming.number})"


def _glossary(lesson: Any) -> list[tuple[str, str]]:
    """The lessons' glossary in the lesson's language (none when the folder has none)."""
    from sandbox.lessons.glossary import glossary

    try:
        return [(t.term, t.meaning) for t in glossary(lesson.lang, lesson.folder.parent)]
    except (OSError, KeyError, ValueError):
        return []


def chosen_lesson(args: argparse.Namespace, progress: Any) -> Any:
    """The lesson `learn`/`present` opens: LESSON by number, name or folder (anywhere: a
    teacher's own lessons need not live in the sandbox's folder), looked for in `--root`; with
    no LESSON, the first one there not finished yet, else the last one."""
    from sandbox.lessons.loader import find_lesson, lesson_slugs, lessons_root, load_lesson
    from sandbox.lessons.model import LessonError

    root = Path(args.root).expanduser() if getattr(args, "root", None) else lessons_root()
    name = args.lesson
    if name is None:
        slugs = lesson_slugs(root)
        if not slugs:
            raise UserError(f"no lessons found in {root}")
        name = next((s for s in slugs if not progress.completed(s, args.lang)), slugs[-1])
    try:
        return load_lesson(find_lesson(name, root), args.lang)
    except (LookupError, LessonError) as exc:
        raise UserError(str(exc.args[0] if isinstance(exc, LookupError) else exc)) from None


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


async def _seed_and_urls(url: str) -> tuple[int, dict[str, str]]:
    from sandbox.runtime.remote import ControlClient

    control = ControlClient(url)
    try:
        health = await control.health()
        services = await control.services()
    finally:
        await control.aclose()
    return int(health.get("seed", DEFAULT_SEED)), {s.name: s.url for s in services}


async def _seed_of(url: str) -> int:
    from sandbox.runtime.remote import ControlClient

    control = ControlClient(url)
    try:
        health = await control.health()
    finally:
        await control.aclose()
    return int(health.get("seed", DEFAULT_SEED))


# -- parser ------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sandbox", description="Fake institutions integrating over real local HTTP APIs."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument(
            "--data-dir",
            metavar="D",
            help="where the sandbox keeps its data (default: your user data dir, "
            "or $SANDBOX_DATA_DIR)",
        )
        if name in ("up", "status", "reset", "run", "learn", "present", "webhooks"):
            p.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
        return p

    up = command("up", "start every institution on 127.0.0.1 and serve until Ctrl+C")
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
    status = command("status", "show the running sandbox's services and their health")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)
    reset = command("reset", "restore the seeded world")
    reset.add_argument("--seed", type=int, metavar="S", help="rebuild from another seed")
    reset.set_defaults(func=cmd_reset)
    hooks = command("webhooks", "webhooks not delivered yet: still retried, or given up")
    which = hooks.add_mutually_exclusive_group()
    which.add_argument(
        "--dead", action="store_true", help="only dead letters (given up after their schedule)"
    )
    which.add_argument("--pending", action="store_true", help="only those still retried")
    hooks.add_argument("--json", action="store_true", help="print JSON")
    hooks.set_defaults(func=cmd_webhooks)
    run = command("run", "run a story headless and check its outcome")
    run.add_argument("scenario", choices=(*STORIES, "flash-sale"))
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument(
        "--pay",
        choices=("debit", "va"),
        help="checkout and flash-sale: pay with Bank Contoh inside the checkout (debit, the "
        "default) or the virtual account in her bank app (va: the jump)",
    )
    run.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=f"the story's language: English or Bahasa Indonesia ({LANG_DEFAULT})",
    )
    sale = run.add_argument_group(
        "flash-sale",
        "Harbolnas 12.12: seeded buyers race for limited stock (needs Locust: "
        "pip install 'integration-sandbox[load]'; see docs/flash-sale.md)",
    )
    sale.add_argument("--buyers", type=_positive, metavar="N", help="distinct buyers (default 50)")
    sale.add_argument(
        "--duration", type=_positive, metavar="S", help="longest the sale runs, in s (default 30)"
    )
    sale.add_argument(
        "--products", type=_positive, metavar="K", help="limited-stock products (default 2)"
    )
    sale.add_argument(
        "--bank-limit",
        type=_positive,
        metavar="R",
        help="the bank throttles each partner above R SNAP calls per second during the sale "
        "(429 with Retry-After; default: no limit)",
    )
    run.set_defaults(func=cmd_run)
    serve = command("serve", "the stage in a browser: the same UI, on this machine or for a room")
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
    board = command("class", "the teacher's board: each student's lesson, step and verdict, live")
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

    for name, help_text, required in (
        ("learn", "open the UI on a lesson and resume where you stopped", False),
        ("present", "run a lesson on a projector: presenter mode, fresh world", True),
    ):
        p = command(name, help_text)
        p.add_argument(
            "lesson",
            nargs=None if required else "?",
            metavar="LESSON",
            help='a lesson by number ("3"), name or folder'
            + ("" if required else " (default: the first one not finished)"),
        )
        p.add_argument(
            "--root",
            metavar="DIR",
            help="the folder of lessons (default: the sandbox's own lessons)",
        )
        p.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help=f"lesson and UI language ({LANG_DEFAULT})",
        )
        p.add_argument("--theme", choices=THEME_NAMES, default=argparse.SUPPRESS, help="UI colours")
        p.add_argument("--attach", metavar="URL", help="use a running sandbox (its control API)")
        p.add_argument(
            "--port-base",
            type=_port,
            default=DEFAULT_PORT_BASE,
            metavar="N",
            help=f"ports of a sandbox started for the lesson (default {DEFAULT_PORT_BASE})",
        )
        p.set_defaults(func=cmd_present if required else cmd_learn)

    from sandbox.audit.command import add_parser as add_audit_parser
    from sandbox.devtools.force import add_parser as add_force_parser
    from sandbox.devtools.listen import add_parser as add_listen_parser
    from sandbox.lessons.command import add_new_lesson_parser
    from sandbox.lessons.command import add_parser as add_lesson_parser
    from sandbox.lessons.exercise_command import add_parsers as add_exercise_parsers
    from sandbox.runtime.clock_command import add_parser as add_clock_parser
    from sandbox.scaffold.command import add_parser as add_new_parser

    add_audit_parser(sub)
    add_clock_parser(sub)
    add_lesson_parser(sub)
    add_exercise_parsers(sub)
    add_new_lesson_parser(add_new_parser(sub))
    add_listen_parser(sub)
    add_force_parser(sub)

    trace = sub.add_parser(
        "trace",
        help="recorded calls: list, show, tail, export",
        description="Every call between the institutions is recorded.",
    )
    trace_sub = trace.add_subparsers(dest="trace_command", metavar="ACTION", required=True)

    def trace_command(name: str, help: str) -> argparse.ArgumentParser:
        p = trace_sub.add_parser(name, help=help, description=help)
        p.add_argument("--data-dir", metavar="D", help="the sandbox's data directory")
        return p

    listing = trace_command("list", "recent traces")
    listing.add_argument("--limit", type=int, default=20, metavar="N")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_trace_list)
    show = trace_command("show", "one trace as an indented waterfall")
    show.add_argument(
        "trace_id",
        metavar="ID",
        help="a trace id or a unique prefix of one, or what a response carries: its "
        "X-Request-Id (the call's span id) or its traceresponse header",
    )
    show.set_defaults(func=cmd_trace_show)
    tail = trace_command("tail", "follow calls live, one line each")
    tail.set_defaults(func=cmd_trace_tail)
    exporting = trace_command("export", "export one trace for other tools")
    exporting.add_argument("trace_id", metavar="ID")
    exporting.add_argument("--format", required=True, choices=["har", "mermaid", "jsonl", "otlp"])
    exporting.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    exporting.set_defaults(func=cmd_trace_export)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _size(text: str) -> int:
    """A byte count: digits, optionally followed by K, M or G (powers of 1024)."""
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number[-1:] in ("K", "M", "G"):
        number, unit = number[:-1], number[-1]
    if not (number.isascii() and number.isdigit() and len(number) <= 12):
        raise argparse.ArgumentTypeError("a size in bytes, e.g. 500M or 2G")
    value = int(number) * units[unit]
    if value < 1024 * 1024:
        raise argparse.ArgumentTypeError("at least 1M: a trace store needs room for a story")
    return value


def _otlp_endpoint(text: str) -> str:
    from sandbox.trace.otlp_stream import endpoint_url

    try:
        return endpoint_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _student(text: str) -> str:
    name = text.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise argparse.ArgumentTypeError("give a name of 1 to 64 printable characters")
    return name


def _port(text: str) -> int:
    value = int(text)
    if not 1024 <= value <= 65000:
        raise argparse.ArgumentTypeError("choose a port base between 1024 and 65000")
    return value


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as a namespace; `lang` resolved once, wherever `--lang` was given
    (`sandbox --lang id run checkout` and `sandbox run checkout --lang id` mean the same)."""
    args = _parser().parse_args(argv)
    # `sandbox lesson check` and `exercise check` without a language check both; their commands
    # decide for themselves.
    if getattr(args, "lang", None) is None and getattr(args, "command", None) not in (
        "lesson",
        "exercise",
    ):
        args.lang = default_language()
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sandbox` console script."""
    args = parse(argv)
    try:
        result: int = args.func(args)
        return result
    except UserError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:
        # Partner credentials that name someone else, from any command that builds the world
        # with the user's partners (imported here: `sandbox --help` stays quick).
        from sandbox.runtime.seeding import PartnerClash

        if not isinstance(exc, PartnerClash):
            raise
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
