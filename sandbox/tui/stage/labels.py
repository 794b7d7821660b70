"""An edge's label: `3× POST /v1.0/transfer-va/create-va 200`, shortened to the room there is.

The count says how many calls the edge carried in the trace; method, path and status are the
last call's. When the calls went to different paths, `3×` would say the path was called three
times, which is not what happened: the label then reads `4 calls, last POST …/Condition 201`.
A long path loses its first segments (`…/create-va`), then its end; the status always stays,
because it is what a class looks at.
"""

from __future__ import annotations

from sandbox.trace.events import HttpCall
from sandbox.tui.stage.routing import LabelText


def edge_label(
    call: HttpCall, count: int = 1, failed: str = "failed", several: str | None = None
) -> LabelText:
    """The label of an edge whose last call is `call`; `failed` names a call without an
    answer in the UI's language when it has no error of its own; `several` ("4 calls, last"
    in the UI's language) replaces the `4×` of an edge whose calls went to different paths."""
    status = str(call.status) if call.status is not None else f"✕ {call.error or failed}"
    path = call.path.split("?", 1)[0] or "/"
    times = f"{several} " if several else f"{count}× " if count > 1 else ""

    def text(width: int) -> str | None:
        for tail in (status, "✕" if call.status is None else status):
            room = width - len(times) - len(call.method) - len(tail) - 2
            short = shorten_path(path, room)
            if short is not None:
                return f"{times}{call.method} {short} {tail}"
        for bare in (f"{times}{call.method} {tail}", f"{call.method} {tail}", tail):
            if len(bare) <= width:
                return bare
        return None

    return text


def shorten_path(path: str, room: int) -> str | None:
    """The path, or its last segments after `…/`, or its start and `…`, within `room` cells."""
    if len(path) <= room:
        return path
    segments = path.strip("/").split("/")
    for keep in range(len(segments) - 1, 0, -1):
        candidate = "…/" + "/".join(segments[-keep:])
        if len(candidate) <= room:
            return candidate
    return path[: room - 1] + "…" if room >= 6 else None
