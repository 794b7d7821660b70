"""The app's global keys, and the command palette's commands made from every keyed action.

Kept beside `app.py` so the app stays thin: a key added here is in the footer, in the help
and in the palette ("area: action") without touching the app's behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from sandbox.tui.i18n import N_, Lazy, _

AREAS = frozenset(
    {
        N_("app"),
        N_("map"),
        N_("faces"),
        N_("services"),
        N_("stories"),
        N_("composer"),
        N_("audit"),
        N_("lesson"),
        N_("presenter"),
        N_("jump"),
        N_("log"),
        N_("detail"),
        N_("compare"),
        N_("sequence"),
        N_("help"),
        N_("social"),
        N_("bank"),
        N_("screen"),
    }
)
"""Where a palette command belongs ("map: Filter"): the first part of its binding's id."""


APP_BINDINGS: list[BindingType] = [
    # Help first: on a narrow terminal the footer cuts the last keys off, and `? Help`
    # is the one a newcomer needs.
    Binding(
        "question_mark",
        "help",
        Lazy("Help"),
        id="app.help",
        key_display="?",
        tooltip=Lazy("Explain this screen"),
    ),
    Binding(
        "1",
        "switch_mode('map')",
        Lazy("Map"),
        id="app.map",
        tooltip=Lazy("Institutions and every call between them"),
    ),
    Binding(
        "2",
        "switch_mode('trace')",
        Lazy("Trace"),
        id="app.trace",
        tooltip=Lazy("Replay one trace arrow by arrow"),
    ),
    Binding(
        "3",
        "switch_mode('faces')",
        Lazy("Apps"),
        id="app.faces",
        tooltip=Lazy("The apps people use"),
    ),
    Binding(
        "4",
        "switch_mode('services')",
        Lazy("Services"),
        id="app.services",
        tooltip=Lazy("Databases, faults, reset"),
    ),
    Binding(
        "5",
        "switch_mode('stories')",
        Lazy("Stories"),
        id="app.stories",
        tooltip=Lazy("Run a story, step by step"),
    ),
    Binding(
        "6",
        "switch_mode('composer')",
        Lazy("Composer"),
        id="app.composer",
        tooltip=Lazy("Send your own request"),
    ),
    Binding(
        "7",
        "switch_mode('audit')",
        Lazy("Audit"),
        id="app.audit",
        tooltip=Lazy("Check the calls against the rules"),
    ),
    Binding(
        "8",
        "switch_mode('lesson')",
        Lazy("Lesson"),
        id="app.lesson",
        tooltip=Lazy("Back to the open lesson"),
    ),
    Binding(
        "0",
        "toggle_following",
        Lazy("Follow presenter"),
        id="app.follow",
        tooltip=Lazy("Follow the presenter's screen, or stop following to look around on your own"),
    ),
    Binding(
        "ctrl+s",
        "save_svg",
        Lazy("Screenshot"),
        id="app.screenshot",
        show=False,
        tooltip=Lazy("Save an SVG of the screen for slides"),
    ),
    Binding(
        "ctrl+t",
        "toggle_theme",
        Lazy("Theme"),
        id="app.theme",
        show=False,
        tooltip=Lazy("Dark, light or high contrast, for the room's projector"),
    ),
    Binding(
        "ctrl+r",
        "reset_world",
        Lazy("Reset world"),
        id="app.reset",
        show=False,
        tooltip=Lazy(
            "Restore the seeded world: every fault cleared, paused stories stopped, "
            "counters at zero"
        ),
    ),
    Binding(
        "ctrl+f",
        "clear_faults",
        Lazy("Clear faults"),
        id="app.clear_faults",
        show=False,
        priority=True,  # also from the composer's inputs: it is the presenter's way out
        tooltip=Lazy("Every institution healthy again: no offline, no latency, no errors"),
    ),
]
"""`SandboxApp.BINDINGS`: the keys that work on every screen."""


def keyed_commands(screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Every keyed action of `screen` as a palette command, titled "area: action"."""
    seen: set[str] = set()
    for node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.description and enabled and binding.action not in seen:
            seen.add(binding.action)
            area = (binding.id or "screen").split(".")[0]
            where = _(area) if area in AREAS else area
            yield SystemCommand(
                f"{where}: {binding.description}",
                binding.tooltip or "",
                _runner(node, binding.action),
            )


def _runner(node: Any, action: str) -> Any:
    async def run() -> None:
        await node.run_action(action)

    return run
