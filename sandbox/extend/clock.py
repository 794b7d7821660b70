"""The running sandbox's clock, for code outside it (a developer's script using `client_auth`).

Partner requests carry a timestamp the receiving institution checks against its own clock
(5 minutes of tolerance), and that clock is the runtime's: after `sandbox clock advance 2d` it
is two days ahead of the machine. A script that signed with the machine's time would be
refused as stale, so it signs with the runtime's time instead: `RuntimeClock` reads `GET /clock`
from the sandbox running on the data directory (found through runtime.json) and counts from
there - frozen, the instant it says; running, the machine's time plus the offset it says. It
asks again at most once a second (a presenter may move the clock while the script runs); with
no sandbox running, or no answer, it keeps the machine's time (or the last it heard). The
answer is read as `sandbox.runtime.remote_clock` reads it for the lesson engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from sandbox.runtime.remote_clock import reading
from sandbox.runtime.state import RuntimeState

REFRESH_S = 1.0
"""How long (real seconds) one reading of the runtime's clock is used before asking again."""


class RuntimeClock:
    """A callable clock (`clock() -> Unix seconds`) that follows the sandbox on `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        real: Callable[[], float] = time.time,
        refresh_s: float = REFRESH_S,
    ) -> None:
        self.data_dir = data_dir
        self._real = real
        self._refresh_s = refresh_s
        self._frozen_at: float | None = None
        """The instant a frozen runtime clock shows; None while it runs."""
        self._offset = 0.0
        """Runtime time minus the machine's, while it runs."""
        self._read_at: float | None = None

    def __call__(self) -> float:
        if self._read_at is None or time.monotonic() - self._read_at >= self._refresh_s:
            self._read()
        if self._frozen_at is not None:
            return self._frozen_at
        return self._real() + self._offset

    def _read(self) -> None:
        self._read_at = time.monotonic()
        state = RuntimeState.read(self.data_dir)
        if state is None:  # no sandbox running here: the machine's time is the sandbox's
            self._frozen_at, self._offset = None, 0.0
            return
        try:
            answer = httpx.get(f"{state.control_url.rstrip('/')}/clock", timeout=2.0)
            self._frozen_at, self._offset = reading(answer.json())
        except (httpx.HTTPError, ValueError):
            return  # keep what we last heard
