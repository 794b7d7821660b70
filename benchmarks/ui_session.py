"""What runs in the UI benchmarks' child process: the real `SandboxApp`, headless
(`run_test(size=(160, 48))`), attached to a running sandbox through
`RemoteBackend(ControlClient(url))` exactly as `sandbox --attach URL` does, and driven by the
parent's commands over a pipe (`ui_driver.py` is the parent's side).

The clock of every measure is a composed frame: `FrameWatch` wraps the app's private
`App._display`, which the showing screen calls with each compositor update, and stops a clock
at the first frame in which a press has taken effect. `tests/benchmarks/test_textual_hooks.py`
notices when a Textual release changes that method or how the compositor calls it.

Imported only in that child (the parent starts it by name), so Textual and the sandbox's UI
are imported here at the top.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import sys
import time
import traceback
from collections.abc import AsyncIterator, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from textual import events

from benchmarks.processes import START_TIMEOUT
from benchmarks.ui_driver import LIVE_KEYS, LOG_KEY_GAP, LOG_KEYS, PRESS_TIMEOUT, SIZE
from sandbox.runtime.models import CallFilter
from sandbox.runtime.remote import ControlClient
from sandbox.trace.events import HttpCall
from sandbox.tui.app import SandboxApp
from sandbox.tui.backend import RemoteBackend
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.screens.trace import TraceScreen
from sandbox.tui.widgets.call_log import CallLog
from sandbox.world import load_world

Check = Callable[[Any], bool]
"""Whether a frame of this screen shows what a press was for."""
Sample = tuple[str, float, bool]
"""One press: (key, milliseconds to its frame, timed out)."""


class FrameWatch:
    """Stops clocks at the first composed frame in which a condition holds.

    Wraps the app's `_display`, which the showing screen calls with each compositor update
    (dirty regions rendered to segments; in a terminal, the next step writes them out).
    """

    def __init__(self, app: Any) -> None:
        self.frames = 0
        self._waiting: list[tuple[Check, asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            self.frames += 1
            now = time.perf_counter()
            for check, future in self._waiting:
                if not future.done() and check(screen):
                    future.set_result(now)

        app._display = display

    async def until(self, check: Check, limit: float) -> float | None:
        """perf_counter() of the first frame for which `check(screen)` holds; None on timeout."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiting.append(entry)
        try:
            return await asyncio.wait_for(future, limit)
        except TimeoutError:
            return None
        finally:
            self._waiting.remove(entry)


class MeteredBackend(RemoteBackend):
    """RemoteBackend that counts the events it delivers and the counts it answers."""

    events_seen = 0
    counts_answered = 0

    def events(self) -> AsyncIterator[HttpCall]:
        return self._metered(super().events())

    async def _metered(self, source: AsyncIterator[HttpCall]) -> AsyncIterator[HttpCall]:
        async for call in source:
            self.events_seen += 1
            yield call

    async def count(self, flt: CallFilter) -> int:
        total = await super().count(flt)
        self.counts_answered += 1
        return total


def visible_loaded(log: CallLog) -> bool:
    """Every call row on screen is loaded (no `loading` placeholder)."""
    top = round(log.scroll_offset.y)
    rows = max(log.scrollable_content_region.height - 1, 1)
    return all(log.call_at(i) is not None for i in range(top, min(top + rows, log.total)))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return peak * scale / 2**20


def send_key(app: Any, key: str) -> None:
    """The key event, posted through the app's driver as a terminal would."""
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


def showing(kind: type) -> Check:
    return lambda screen: isinstance(screen, kind)


async def settle(limit: float = 60.0) -> float:
    """Wait until the loop is caught up (three 50 ms sleeps late by < 10 ms)."""
    start, quiet = time.perf_counter(), 0
    while quiet < 3 and time.perf_counter() - start < limit:
        t0 = time.perf_counter()
        await asyncio.sleep(0.05)
        quiet = quiet + 1 if time.perf_counter() - t0 < 0.06 else 0
    return time.perf_counter() - start


class Session:
    """The app and its backend in this process, and the presses the parent asks for."""

    def __init__(self, app: SandboxApp, backend: MeteredBackend) -> None:
        self.app = app
        self.backend = backend
        self.watch = FrameWatch(app)
        self._log: CallLog | None = None

    @property
    def log(self) -> CallLog:
        """The map's call log (found by `log_of` on the first frame that shows it)."""
        assert self._log is not None, "the call log has not been shown yet"
        return self._log

    def log_of(self, screen: Any) -> CallLog | None:
        if not isinstance(screen, MapScreen):
            return None
        if self._log is None:
            logs = screen.query(CallLog)
            if not logs:
                return None
            self._log = logs.first()
        return self._log

    def populated(self, expected: int) -> Check:
        """The log shows its total (at least `expected`) and every visible row."""

        def check(screen: Any) -> bool:
            log = self.log_of(screen)
            return (
                log is not None
                and self.backend.counts_answered > 0
                and log.total >= expected
                and visible_loaded(log)
            )

        return check

    # -- pressing keys -----------------------------------------------------------------------

    async def press(self, key: str, check: Check) -> tuple[float, bool]:
        t0 = time.perf_counter()
        send_key(self.app, key)
        done = await self.watch.until(check, PRESS_TIMEOUT)
        if done is None:
            return PRESS_TIMEOUT * 1000, True
        return (done - t0) * 1000, False

    def on_cursor(self, target: int, whole_view: bool) -> Check:
        log = self.log

        def check(screen: Any) -> bool:
            if self.log_of(screen) is not log or log.cursor != target:
                return False
            return visible_loaded(log) if whole_view else log.call_at(target) is not None

        return check

    async def press_live(self, key: str) -> Sample | None:
        log = self.log
        if key in ("up", "down"):
            if not isinstance(self.app.screen, MapScreen) or log.total < 2:
                return None
            if not log.has_focus:
                log.focus()
                await asyncio.sleep(0.02)
            cursor = log.cursor
            if key == "up" and cursor == 0:
                key = "down"
            elif key == "down" and cursor >= log.total - 1:
                key = "up"
            target = cursor - 1 if key == "up" else cursor + 1
            return (key, *await self.press(key, self.on_cursor(target, whole_view=False)))
        kind = TraceScreen if key == "2" else MapScreen
        return (key, *await self.press(key, showing(kind)))

    # -- the parent's commands ---------------------------------------------------------------

    async def live_round(self, presses: int, seconds: float, calm: bool) -> dict[str, Any]:
        """`presses` live keys paced evenly over `seconds` (after settling, when `calm`)."""
        settled = await settle() if calm else 0.0
        interval = seconds / presses
        samples: list[Sample] = []
        events0, cpu0 = self.backend.events_seen, cpu_seconds()
        start = time.perf_counter()
        i = 0
        while len(samples) < presses:
            delay = start + len(samples) * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sample = await self.press_live(LIVE_KEYS[i % len(LIVE_KEYS)])
            i += 1
            if sample is not None:
                samples.append(sample)
            if i > presses * 4:
                break
        await asyncio.sleep(max(0.0, start + seconds - time.perf_counter()))
        elapsed = time.perf_counter() - start
        return {
            "samples": samples,
            "seconds": elapsed,
            "events_per_s": (self.backend.events_seen - events0) / elapsed,
            "ui_cpu_percent": (cpu_seconds() - cpu0) / elapsed * 100,
            "frames": self.watch.frames,
            "log_total": self.log.total,
            "settle_s": settled,
        }

    async def log_keys(self, cycles: int) -> dict[str, Any]:
        """Home, PageDown and End in the call log, `cycles` times, each from a settled screen."""
        log = self.log
        if not isinstance(self.app.screen, MapScreen):
            await self.app.switch_mode("map")
        log.focus()
        await asyncio.sleep(0.1)
        samples: list[Sample] = []
        for _ in range(cycles):
            for key in LOG_KEYS:
                rows = max(log.scrollable_content_region.height - 1, 1)
                last = max(log.total - 1, 0)
                target = {"home": 0, "end": last}.get(key, min(log.cursor + rows, last))
                if target == log.cursor:
                    continue  # nothing would change on screen, so no frame would come
                check = self.on_cursor(target, whole_view=True)
                samples.append((key, *await self.press(key, check)))
                await asyncio.sleep(LOG_KEY_GAP)
        return {"samples": samples, "log_total": log.total}

    async def warm(self) -> dict[str, Any]:
        """Every live key once, outside the clock (builds the trace screen)."""
        for key in LIVE_KEYS:
            await self.press_live(key)
        return {"warm": True}

    async def serve(self, conn: Connection) -> None:
        """Answer the parent's commands until it says quit (or is gone)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                command: dict[str, Any] = await loop.run_in_executor(None, conn.recv)
            except (EOFError, OSError):
                break  # the parent is gone
            if command["do"] == "round":
                answer = await self.live_round(
                    command["presses"], command["seconds"], command["calm"]
                )
            elif command["do"] == "log_keys":
                answer = await self.log_keys(command["cycles"])
            elif command["do"] == "warm":
                answer = await self.warm()
            else:
                break
            conn.send(answer)


async def _session(
    control_url: str, seed: int, expected: int, shots: str, conn: Connection
) -> None:
    backend = MeteredBackend(ControlClient(control_url), load_world(seed))
    session = Session(SandboxApp(backend, screenshot_dir=Path(shots)), backend)
    started = time.perf_counter()
    opened = asyncio.ensure_future(session.watch.until(session.populated(expected), START_TIMEOUT))
    async with session.app.run_test(size=SIZE):
        shown = await opened
        if shown is None:
            raise TimeoutError("the call log did not show its calls within a minute")
        conn.send({"open_ms": (shown - started) * 1000, "total": session.log.total})
        await session.serve(conn)
    await backend.aclose()
    conn.send({"peak_rss_mb": peak_rss_mb()})


def run(control_url: str, seed: int, expected: int, shots: str, conn: Connection) -> None:
    """Child process: the real app, headless, attached to the sandbox; driven over `conn`."""
    try:
        asyncio.run(_session(control_url, seed, expected, shots, conn))
    except BaseException:
        with contextlib.suppress(OSError, ValueError):
            conn.send({"error": traceback.format_exc()})
        raise
