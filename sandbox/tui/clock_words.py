"""The sandbox's clock in a viewer's words: nothing while it is real time, else a short note
for the map's header ("virtual time 2024-03-02 15:00 WIB, frozen"). Pure: no Textual.

The institutions live in Western Indonesia, so the note says WIB (UTC+7), as their own
timestamps do; `sandbox clock show` gives the exact instant in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sandbox.tui.i18n import _

WIB = timezone(timedelta(hours=7))


def clock_note(state: dict[str, Any]) -> str | None:
    """The header's note for a `GET /clock` answer, or None while the clock is real time (or
    the answer cannot be read: the note is a help, never an error)."""
    if state.get("real", True):
        return None
    try:
        when = datetime.fromisoformat(str(state["now"])).astimezone(WIB)
    except (KeyError, ValueError):
        return None
    shown = when.strftime("%Y-%m-%d %H:%M")
    if state.get("frozen"):
        return _("virtual time {when} WIB, frozen").format(when=shown)
    return _("virtual time {when} WIB, running").format(when=shown)
