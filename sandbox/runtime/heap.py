"""Starting without the cyclic garbage collector, then leaving what the start built out of its
reach.

Starting the sandbox (`sandbox up`) or the UI builds some 100,000 objects that live as long as
the process - modules, FastAPI routes and pydantic models, the world, Textual's styles and
widgets - and almost no garbage. While they are built the collector runs some 250 times and
walks them, freeing next to nothing: about 50 ms of `sandbox up`'s 0.7 s of CPU to all
healthy, and 40 ms of the UI's 0.47 s to its first frame, on the shared two-core machine
(docs/performance.md). So the command line pauses the collector before it imports a command
(`pause_collection`); a command that settles (`sandbox up` once it serves, the UI once its
first frame is painted) freezes what was built so far (`gc.freeze`: later collections never
walk it either) and switches the collector back on; every other command gets it back as soon
as it is parsed (`resume_collection`).

Only a pause made here is ever undone here: a process whose collector was already off (or
was never paused: tests, a runtime embedded in another program) is left as it is. A start that
never says it is over (a first screen never laid out) gets the collector back after
`LONGEST_START` seconds all the same, so no process runs for long without it.
"""

from __future__ import annotations

import gc
import threading

LONGEST_START = 30.0
"""Seconds after which a paused collector is switched on again, start over or not."""

_paused = False
"""True between `pause_collection` and the start's end."""
_deadline: threading.Timer | None = None
"""The timer that ends a pause that lasts too long (cancelled when the start ends)."""


def pause_collection(longest: float = LONGEST_START) -> None:
    """Switch the collector off for a start (if it is on), for `longest` seconds at most."""
    global _paused, _deadline
    if gc.isenabled():
        gc.disable()
        _paused = True
        _deadline = threading.Timer(longest, resume_collection)
        _deadline.daemon = True  # never keeps a finished command's process alive
        _deadline.start()


def resume_collection() -> None:
    """The collector back on, if `pause_collection` switched it off; nothing is frozen."""
    global _paused, _deadline
    if _paused:
        _paused = False
        gc.enable()
    if _deadline is not None:
        _deadline.cancel()
        _deadline = None


def settle_after_start() -> None:
    """The start is over: collect what it left (once), freeze what it built and switch the
    collector on again, if `pause_collection` switched it off; otherwise change nothing.

    The UI calls this once its first frame is painted: the start leaves some 8,000
    unreachable objects (0.9 MB, mostly Rich's and Textual's caches' temporaries), which a
    freeze would keep for good; the one collection that frees them walks everything once,
    about 40 ms, after the frame instead of before it. (`sandbox up` freezes without it:
    its loop answers its first requests right then, and its start leaves 1,200 such objects
    with the collector on or off.)"""
    if _paused:
        gc.collect()
        gc.freeze()
        resume_collection()
