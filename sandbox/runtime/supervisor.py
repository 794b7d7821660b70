"""Run every institution as a real uvicorn server on 127.0.0.1 (or the LAN address the user
opted in to, `runtime/listen.py`), plus the control API (always on 127.0.0.1).

All servers share one asyncio loop (in the `up` process, or on a daemon thread when embedded or
in tests): calls between institutions still go over real loopback sockets, and start-up stays
fast because Python and FastAPI are imported once. Sockets are bound before anything starts, so
a taken port is reported clearly instead of half a sandbox starting.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.config import Settings
from sandbox.framework.partner_book import PartnerBook
from sandbox.framework.service import ServiceEnv
from sandbox.runtime import data_dir, heap
from sandbox.runtime.config_file import DEFAULT, SandboxConfig
from sandbox.runtime.control import create_control_app
from sandbox.runtime.listen import checked_listen_host, reachable_host
from sandbox.runtime.partner_watch import PartnerWatch
from sandbox.runtime.registry import CONTROL_OFFSET, ServiceSpec
from sandbox.runtime.seeding import may_call, partner_ids, seed_for, with_partners
from sandbox.runtime.state import RuntimeState, clear, forget_token, remember_token
from sandbox.trace.otlp_stream import OtlpStream
from sandbox.trace.store import TraceStore
from sandbox.trace.stream import EventStream
from sandbox.trace.writer import TraceWriter
from sandbox.wire import Wire
from sandbox.wire.clock import VirtualClock
from sandbox.world import load_world

log = logging.getLogger(__name__)
SEED_FILE = "world.json"
TRACE_FILE = "trace.db"
OTLP_CLOSE_SECONDS = 2.0
"""How long stopping waits for spans still queued for a class's collector."""


class PortInUse(Exception):
    """A port the sandbox needs is taken by another program."""

    def __init__(self, name: str, host: str, port: int, source: str = "") -> None:
        where = f" (declared at {source})" if source else ""
        super().__init__(f"port {port} on {host} (for {name}{where}) is already in use")
        self.name, self.host, self.port = name, host, port


class AppLoadFailed(Exception):
    """A user's service could not be built; says which, where it is declared, and why."""


class SeedMismatch(Exception):
    """The data directory holds a world built from another seed."""


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runtime (several share a loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Runtime:
    """The institutions, their servers, the event stream and the control API."""

    def __init__(
        self,
        settings: Settings,
        config: SandboxConfig = DEFAULT,
        clock: Callable[[], float] = time.time,
        partners_file: Path | None = None,
    ) -> None:
        """`partners_file` is the configuration partners are re-read from while running
        (default: `config.path`; the CLI also names ./sandbox.toml before it exists).
        `clock` is what "real time" means (tests pass a fake one); every institution reads
        the virtual clock over it (`self.clock`), which runs as `clock` until it is moved."""
        self.settings = settings
        self.config = config
        self.specs = config.specs
        # Before any file is opened: a folder that is not the sandbox's is left untouched.
        data_dir.prepare(settings.data_dir, [s.name for s in self.specs])
        self.lock = data_dir.DataDirLock(settings.data_dir)
        """Held from `check_seed` (the start of starting) until serving ends: one sandbox per
        data directory, also while it is still starting (runtime.json comes later)."""
        self._seeded = load_world(settings.seed)
        """The world before any partner of the configuration joins it."""
        self.world = with_partners(
            self._seeded, config.partners, {s.name: s.title for s in config.specs}
        )
        watched = partners_file or config.path
        self.partner_watch = PartnerWatch(watched, self.take_partners) if watched else None
        self.books: dict[str, PartnerBook] = {}
        """Each institution's partners, kept current while it runs."""
        self.may_call = may_call(self.world)
        """Who may call whom (from the partner credentials): the map's faint edges."""
        self.stream = EventStream()
        self.traces = TraceStore(
            settings.data_dir / TRACE_FILE, settings.trace_max_calls, settings.trace_max_bytes
        )
        self.writer = TraceWriter(self.traces)
        self.counted_from = 0
        """Calls stored from this position on are counted on the map (set by each reset)."""
        self.stream.subscribe(self.writer)
        self.otlp: OtlpStream | None = None
        """The stream to a class's collector, when `settings.otlp_endpoint` names one."""
        if settings.otlp_endpoint:
            self.otlp = OtlpStream(
                settings.otlp_endpoint,
                [s.name for s in self.specs],
                settings.student,
                protocol=settings.otlp_protocol,
            )
            self.stream.subscribe(self.otlp)
        self.clock = clock if isinstance(clock, VirtualClock) else VirtualClock(clock)
        """The one clock of every institution, the trace and the audit (see docs/clock.md)."""
        self.wire = Wire(
            recorder=self.stream.publish,
            clock=self.clock,
            body_limit=settings.body_limit,
            partner_ids=partner_ids(self.world),
        )
        self.apps: dict[str, Any] = {}
        self.urls: dict[str, str] = {}
        self.control_url = ""
        self.control_token = secrets.token_urlsafe(32)
        """Changing the sandbox through the control API needs this (runtime.json holds it)."""
        self._sockets: dict[str, socket.socket] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        """The serving task of each server in `_serving`, by the same name."""
        self._serving: dict[str, uvicorn.Server] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.started = threading.Event()

    # -- preparing ---------------------------------------------------------------------------

    def check_seed(self) -> None:
        """Refuse to mix worlds: a data directory keeps the seed it was built with. Refuse a
        folder that is not the sandbox's, too (`data_dir.ForeignFolder`)."""
        data_dir.prepare(self.settings.data_dir, [s.name for s in self.specs])
        self.lock.acquire()  # DataDirInUse: another sandbox is starting or running here
        path = self.settings.data_dir / SEED_FILE
        if path.exists():
            import json

            stored = json.loads(path.read_text()).get("seed")
            if stored != self.settings.seed:
                self.lock.release()
                raise SeedMismatch(
                    f"{self.settings.data_dir} holds the world of seed {stored}, not "
                    f"{self.settings.seed}; run `sandbox reset --seed {self.settings.seed}` "
                    "to rebuild it, or choose another --data-dir"
                )
        else:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(f'{{"seed": {self.settings.seed}}}\n')

    def bind(self) -> None:
        """Bind every socket first; raise PortInUse (and close the rest) if one is taken,
        ListenRefused if the institutions' address is not one they may listen on."""
        base = self.settings.port_base
        listen = self.listen_host
        wanted = [("control", CONTROL_OFFSET, None, "")] + [
            (s.name, s.offset, s.port, s.source if s.kind != "builtin" else "") for s in self.specs
        ]
        try:
            for name, offset, fixed, source in wanted:
                # The control API stays on loopback whatever the institutions listen on.
                host = self.settings.host if name == "control" else listen
                port = fixed if fixed else base + offset if base else 0
                try:
                    sock = _bound_socket(host, port)
                except OSError as exc:
                    if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                        raise PortInUse(name, host, port, source) from None
                    raise
                if name == "control" or self.spec(name).start:
                    sock.listen(2048)  # a service started later refuses calls until then
                self._sockets[name] = sock
        except BaseException:
            self.close_sockets()
            raise
        for name, sock in self._sockets.items():
            address, port = sock.getsockname()[:2]
            url = f"http://{reachable_host(address)}:{port}"
            if name == "control":
                self.control_url = url
                remember_token(url, self.control_token)
            else:
                self.urls[name] = url
                self.wire.set_url(name, url)

    @property
    def listen_host(self) -> str:
        """Where the institutions listen (checked: loopback unless the user opted in)."""
        return checked_listen_host(self.settings.listen_host, self.settings.lan)

    def spec(self, name: str) -> ServiceSpec:
        """The registry entry of service `name`."""
        return self.config.spec(name)

    def build(self) -> None:
        """Create each institution's app on its own database in the data directory."""
        for spec in self.specs:
            seed = seed_for(spec.name, self.world)
            self.books[spec.name] = PartnerBook(seed["accepts"], refresh=self.refresh_partners)
            env = ServiceEnv(
                spec.name,
                self.wire,
                seed,
                db_path=self.settings.data_dir / f"{spec.name}.db",
                variants=self.settings.variants,
                partners=self.books[spec.name],
            )
            try:
                self.apps[spec.name] = build_app(spec, env)
            except Exception as exc:
                where = f" (declared at {spec.source})" if spec.source else ""
                raise AppLoadFailed(
                    f"{spec.name}{where} could not be built: {type(exc).__name__}: {exc}"
                ) from exc

    def refresh_partners(self) -> None:
        """Take the partners of the configuration if it changed (institutions ask this
        before checking a credential, on the runtime's loop)."""
        if self.partner_watch is not None:
            self.partner_watch.check()

    def take_partners(self, config: SandboxConfig) -> None:
        """Make the partners of `config` those of every institution, of the map's edges and
        of the trace's attribution; the services running stay the same."""
        titles = {s.name: s.title for s in (*config.specs, *self.specs)}
        world = with_partners(self._seeded, config.partners, titles)
        self.world = world
        self.may_call = may_call(world)
        self.wire.partner_ids = partner_ids(world)
        for name, book in self.books.items():
            if book.update(seed_for(name, world)["accepts"]):
                log.info("partners of %s changed (%s)", name, ", ".join(book.accepts))

    def reset(self) -> None:
        """Restore the seeded world in every institution (each in one transaction), and
        forget what was forced on them (`sandbox force`)."""
        for spec in self.specs:
            store = store_of(self.apps[spec.name])
            if store is not None:
                store.reset(seed_for(spec.name, self.world))
            forcing = getattr(getattr(self.apps[spec.name], "state", None), "forcing", None)
            if forcing is not None:
                forcing.clear()

    def bound_address(self, name: str) -> str:
        """The address the socket of `name` (a service or `control`) is bound to."""
        return str(self._sockets[name].getsockname()[0])

    def close_sockets(self) -> None:
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()

    # -- serving -----------------------------------------------------------------------------

    async def serve(self) -> None:
        """Serve until `stop()`; publishes runtime.json while serving."""
        self._loop = asyncio.get_running_loop()
        control = create_control_app(self)
        apps = [("control", control)] + [(s.name, self.apps[s.name]) for s in self.specs if s.start]
        for name, app in apps:
            self._serve_one(name, app)
        try:
            while not all(server.started for server in self._serving.values()):
                if any(task.done() for task in self._tasks.values()):
                    break
                await asyncio.sleep(0.005)
            else:
                self._publish_state()
                self.started.set()
                _settle_heap()
            while True:  # services started (or stopped) later change the tasks
                pending = [t for t in self._tasks.values() if not t.done()]
                if not pending:
                    break
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            await asyncio.gather(*self._tasks.values())  # a server that failed says why
        finally:
            clear(self.settings.data_dir, _pid())
            forget_token(self.control_url)
            await self.wire.aclose()
            self.close_sockets()
            self.writer.close()
            if self.otlp is not None:
                await asyncio.to_thread(self.otlp.close, OTLP_CLOSE_SECONDS)
            self.lock.release()

    def _serve_one(self, name: str, app: Any) -> None:
        """Start serving `app` on its bound socket (a task on the runtime's loop)."""
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
            ws="none",
        )
        server = _QuietServer(config)
        self._serving[name] = server
        self._tasks[name] = asyncio.create_task(server.serve(sockets=[self._sockets[name]]))

    async def start_service(self, name: str) -> bool:
        """Start a service declared with `start = false` (on the runtime's loop); False if it
        was already running."""
        if name in self._serving:
            return False
        self._sockets[name].listen(2048)
        self._serve_one(name, self.apps[name])
        # uvicorn offers no "started" event to await, only a flag to poll.
        while not self._serving[name].started and not self._tasks[name].done():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        self._publish_state()
        return True

    async def stop_late_services(self) -> list[str]:
        """Stop the services started after the others (`start = false`), so a reset returns to
        the declared world: a lesson that adds a service adds it again at its next run."""
        stopped = []
        for spec in self.specs:
            server = self._serving.get(spec.name)
            if spec.start or server is None:
                continue
            server.should_exit = True
            await asyncio.gather(self._tasks.pop(spec.name), return_exceptions=True)
            del self._serving[spec.name]
            port = int(self.urls[spec.name].rsplit(":", 1)[1])
            # Reserved again (bound, not listening): callers are refused until it starts.
            self._sockets[spec.name] = _bound_socket(self.listen_host, port)
            stopped.append(spec.name)
        if stopped:
            self._publish_state()
        return stopped

    def running(self) -> list[ServiceSpec]:
        """The services serving now (a declared service not started yet is left out)."""
        return [s for s in self.specs if s.start or s.name in self._serving]

    def _publish_state(self) -> None:
        RuntimeState(
            pid=_pid(),
            seed=self.settings.seed,
            control_url=self.control_url,
            services={s.name: self.urls[s.name] for s in self.running()},
            started_at=time.time(),
            token=self.control_token,
        ).write(self.settings.data_dir)

    def serving(self, name: str) -> bool:
        """True while the server of `name` (a service or `control`) accepts calls."""
        server = self._serving.get(name)
        return server is not None and server.started and not server.should_exit

    def db_path(self, name: str) -> Path:
        """The SQLite file of institution `name` in this runtime's data directory."""
        return data_file(self.settings.data_dir, name)

    def stop(self) -> None:
        """Ask every server to finish its requests and exit (thread-safe)."""
        for server in self._serving.values():
            server.should_exit = True

    # -- embedded ----------------------------------------------------------------------------

    def start_in_thread(self, timeout: float = 15.0) -> None:
        """Prepare and serve on a daemon thread; returns once every server accepts calls."""
        try:
            self.check_seed()
            self.bind()
            self.build()
        except BaseException:
            self.lock.release()
            raise
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self.serve())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                self.started.set()

        self._thread = threading.Thread(target=run, name="sandbox-runtime", daemon=True)
        self._thread.start()
        if not self.started.wait(timeout):
            self.stop()
            raise TimeoutError(f"the sandbox did not start within {timeout} s")
        if failure:
            raise failure[0]

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop servers started by `start_in_thread` and wait for them."""
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def call_soon(self, fn: Callable[[], Any]) -> None:
        """Run `fn` on the runtime's loop (stores are used from that thread only)."""
        if self._loop is None:
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)


def _settle_heap() -> None:
    """Leave what start-up built out of every later garbage collection, when this process
    is the runtime (`sandbox up`, serving on its main thread).

    The apps, their routes and pydantic models and the world are some 90,000 objects that
    live as long as the process, and each full collection walked them all: about 120 ms on
    the shared two-core machine, the event loop stopped and every call in flight waiting
    (docs/performance.md). `gc.freeze` moves them where the collector never looks; almost
    nothing of start-up is garbage (about 20 objects), so nothing worth freeing is kept. An
    embedded runtime (tests, `sandbox run` without a running sandbox) shares its process
    with other work and leaves the collector alone. `sandbox up` starts with the collector
    paused (`runtime/heap.py`): it is switched on again here.
    """
    if threading.current_thread() is threading.main_thread():
        gc.freeze()
        heap.resume_collection()


def _bound_socket(host: str, port: int) -> socket.socket:
    """A non-blocking TCP socket bound to `host:port` (not listening yet); OSError if taken."""
    # IPPROTO_TCP (not 0) lets asyncio set TCP_NODELAY on accepted connections; without it
    # every reused connection waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def build_app(spec: ServiceSpec, env: ServiceEnv) -> Any:
    """The ASGI app of `spec`: built by its factory, a plain ASGI app wrapped so its calls are
    recorded, or a recording proxy in front of a server that runs elsewhere."""
    from sandbox.wire.asgi import TraceMiddleware

    if spec.kind == "url":
        from sandbox.runtime.proxy import RecordingProxy

        return TraceMiddleware(
            RecordingProxy(spec.name, spec.url), wire=env.wire, service=spec.name
        )
    loaded = spec.load_factory()
    if _is_factory(loaded):
        return loaded(env)
    return TraceMiddleware(loaded, wire=env.wire, service=spec.name)


def _is_factory(obj: Any) -> bool:
    """A `create_app(env)` function, as opposed to an ASGI app (which takes three arguments)."""
    import inspect as _inspect

    if not callable(obj) or hasattr(obj, "router"):
        return False
    try:
        params = _inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    return len(params) == 1


def store_of(app: Any) -> Any:
    """The store (with `reset(seed)`) a service keeps on `app.state`, or None (plain apps,
    proxies)."""
    state = getattr(app, "state", None)
    return getattr(state, "store", None)


def _pid() -> int:
    import os

    return os.getpid()


def data_file(data_dir: Path, name: str) -> Path:
    """The SQLite file of institution `name`."""
    return data_dir / f"{name}.db"
