"""Closing the bank lets go of its PIN-hashing thread and of what that thread holds."""

from __future__ import annotations

import contextlib
import gc
import io
import threading
import weakref

from sandbox.framework.app import close_app
from tests.conftest import Services


def _pin_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bank-pin")]


def _all_ended(threads: list[threading.Thread]) -> bool:
    for thread in threads:
        thread.join(10)
    return not any(t.is_alive() for t in threads)


async def test_a_closed_bank_keeps_nothing_its_pin_thread_started_under(
    services: Services,
) -> None:
    """A thread keeps the `sys.stderr` it started under; in the UI that is the Textual app's
    capture, so a bank built in-process and never closed kept a whole UI alive per test."""
    bank_app = services.apps["bank"]
    capture = io.StringIO()
    seen = weakref.ref(capture)
    before = set(_pin_threads())
    with contextlib.redirect_stderr(capture):
        name = await bank_app.state.bank.slowly(lambda: threading.current_thread().name)
    assert name.startswith("bank-pin")
    started = [t for t in _pin_threads() if t not in before]
    assert started, "the first hash starts the bank's thread"
    del capture
    close_app(bank_app)
    assert _all_ended(started)
    del started
    gc.collect()
    assert seen() is None, "something the bank keeps still holds its thread's stderr"


async def test_a_closed_bank_can_still_hash_if_asked(services: Services) -> None:
    """Closing is not a trap: a late call (a request in flight at shutdown) gets a new thread."""
    bank = services.apps["bank"].state.bank
    close_app(services.apps["bank"])
    assert await bank.slowly(sum, [1, 2]) == 3
    bank.hasher.close()
