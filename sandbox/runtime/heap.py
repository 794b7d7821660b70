"""Starting without the cyclic garbage collector, then leaving what the start built out of its
reach.

Starting the sandbox (`sandbox up`) or the UI builds some 100,000 objects that live as long as
the process - modules, FastAPI routes and pydantic models, the world, Textual's styles and
widgets - and almost no garbage. While they are built the collector runs some 250 times and
walks them, freeing next to nothing: about 50 ms of `sandbox up`'s 0.7 s of CPU to all
healthy, and 40 ms of the UI's 0.47 s to its first frame, on the shared two-core machine
(docs/performance.md). So the command line pauses the collector before it imports a command
(`pause_collection`); a command that settles (`sandbox up` once it serves, the UI once its
first screen is laid out) calls `settle_after_start`, which freezes what was built so far
(`gc.freeze`: later collections never walk it either) and switches the collector back on;
every other command gets it back as soon as it is parsed (`resume_collection`).

Only a pause made here is ever undone here: a process whose collector was already off (or
was never paused: tests, a runtime embedded in another program) is left as it is.
"""

from __future__ import annotations

import gc

_paused = False
"""True between `pause_collection` and the start's end."""


def pause_collection() -> None:
    """Switch the collector off for a start (if it is on)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """The collector back on, if `pause_collection` switched it off; nothing is frozen."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()


def settle_after_start() -> None:
    """The start is over: freeze what it built and switch the collector on again, if
    `pause_collection` switched it off; otherwise change nothing."""
    if _paused:
        gc.freeze()
        resume_collection()
