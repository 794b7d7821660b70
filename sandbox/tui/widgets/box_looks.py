"""What an institution's box on the map says: health, counters and any fault injected.

Kept apart from the map widget, which only draws: the words and which style names they take
(`offline`, `fault`, `muted`...) are decided here; the widget maps style names to the theme.
"""

from __future__ import annotations

from sandbox.runtime.models import ServiceInfo
from sandbox.tui.fault_words import describe_fault
from sandbox.tui.i18n import N_, _
from sandbox.tui.stage.canvas import Piece
from sandbox.tui.stage.scene import BoxLook


def box_look(info: ServiceInfo) -> BoxLook:
    """How an institution's box looks: border and title styles by health, and its footers
    from the fullest to the shortest (a fault injected always shows)."""
    offline = info.health == "offline" or info.fault.offline
    border = "offline" if offline else f"box-{info.name}"
    health, health_style = _health(info)
    head: tuple[Piece, ...] = (
        (info.name, "muted"),
        (f" {health}", "offline" if offline else health_style),
    )
    fault = _fault_text(info)
    counts = {"calls_in": info.calls_in, "calls_out": info.calls_out}
    dot: tuple[Piece, ...] = ((health, "offline" if offline else health_style),)
    footers: tuple[tuple[Piece, ...], ...]
    compact: tuple[tuple[Piece, ...], ...]
    if fault:  # what a presenter injected matters more than who it is: it always shows
        marked: tuple[Piece, ...] = ((f" {fault}", "fault"),)
        footers = (head + marked, dot + marked, ((fault, "fault"),))
        compact = footers[1:]
    else:
        counted: tuple[Piece, ...] = (
            (" " + _("in {calls_in} · out {calls_out}").format(**counts), "muted"),
        )
        footers = (head + counted, dot + counted, head)
        compact = (dot + ((f" {info.calls_in}/{info.calls_out}", "muted"),), dot)
    return BoxLook(
        border,
        "offline" if offline else f"title-{info.name}",
        footers,
        compact,
        "offline" if offline else "muted",
    )


HEALTH = frozenset({N_("ok"), N_("down"), N_("offline"), N_("unknown"), N_("starting")})
"""The health states the registry reports, in words."""


def health_word(health: str) -> str:
    """A health state (`ok`, `down`...) in words; an unknown state as it came."""
    state = health or "unknown"
    return _(state) if state in HEALTH else health


def _health(info: ServiceInfo) -> tuple[str, str]:
    """Health text and the style that colours it."""
    if info.health == "offline" or info.fault.offline:
        return _("OFFLINE"), "offline"
    if info.health == "ok":
        return "●", "ok"  # the word is for trouble: a healthy box stays short
    if info.health == "down":
        return f"● {health_word('down')}", "down"
    return f"○ {health_word(info.health)}", "muted"


def _fault_text(info: ServiceInfo) -> str:
    """What a presenter injected: `+800 ms, 50% errors` (offline shows as the health)."""
    return describe_fault(info.fault, offline=False)
