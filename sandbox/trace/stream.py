"""EventStream: thread-safe publish/subscribe of recorded calls.

Publishing never blocks and never raises into a service: a failing subscriber is logged and the
others keep receiving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sandbox.trace.events import HttpCall

log = logging.getLogger(__name__)
Subscriber = Callable[[HttpCall], None]


class EventStream:
    """Fan out each recorded call to every subscriber, in publish order."""

    def __init__(self) -> None:
        self._subscribers: tuple[Subscriber, ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register `callback`; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers = (*self._subscribers, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = tuple(s for s in self._subscribers if s is not callback)

        return unsubscribe

    def publish(self, call: HttpCall) -> None:
        """Deliver `call` to every subscriber; errors are logged, never raised."""
        for callback in self._subscribers:
            try:
                callback(call)
            except Exception:
                log.exception("trace subscriber %r failed", callback)
