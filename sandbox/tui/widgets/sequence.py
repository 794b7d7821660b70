"""SequencePlayer: one trace as a sequence diagram a presenter can play, pause and rewind.

It draws natively what `sandbox.trace.export.mermaid` exports: the same participants in the
same order, the same nesting of calls and returns, and the same rule for children that start
after their parent answered (drawn where they happened in time). Replaying it arrow by arrow
shows a class how one tap became a conversation between institutions; stepping back is the
point, so it works at any moment, even while playing.

Layout (columns, row text: `sequence_layout.py`) is computed only on `load` and on resize;
`render_line` then only picks styles for the cursor and the dimmed future, so scrolling a long
trace stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import Lazy, _
from sandbox.tui.widgets.sequence_layout import (
    ARROW_ROLES,
    Arrow,
    Runs,
    arrange,
    fit,
    layout,
    parties,
)


class SequencePlayer(ScrollView, can_focus=True):
    """One trace as lifelines and arrows, with a cursor that plays, pauses and rewinds."""

    HELP = Lazy("""\

## Sequence player

One trace drawn as a sequence diagram: a column per party, a solid arrow per request and a
dashed arrow back per response (`✕` when none came back).

- **space** plays or pauses; while playing, arrows not reached yet are dimmed.
- **→ / l** and **← / h** step one arrow (stepping pauses the replay).
- **home / end** jump to the first or last arrow.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "play_pause",
            Lazy("Play/pause"),
            id="sequence.play",
            tooltip=Lazy("Replay the trace one arrow at a time, or pause it"),
        ),
        Binding(
            "right,l",
            "step(1)",
            Lazy("Step"),
            id="sequence.step_forward",
            tooltip=Lazy("Show the next arrow (pauses the replay)"),
        ),
        Binding(
            "left,h",
            "step(-1)",
            Lazy("Back", "trace player"),
            id="sequence.step_back",
            tooltip=Lazy("Rewind one arrow (pauses the replay)"),
        ),
        Binding(
            "home",
            "first",
            Lazy("First"),
            id="sequence.first",
            show=False,
            tooltip=Lazy("Rewind to the first arrow"),
        ),
        Binding(
            "end",
            "last",
            Lazy("Last"),
            id="sequence.last",
            show=False,
            tooltip=Lazy("Jump to the last arrow"),
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sequence-player--header",
        "sequence-player--lifeline",
        "sequence-player--active",
        "sequence-player--ok",
        "sequence-player--redirect",
        "sequence-player--client-error",
        "sequence-player--server-error",
        "sequence-player--failed",
        "sequence-player--cursor",
        "sequence-player--future",
        "sequence-player--empty",
    }

    DEFAULT_CSS = """
    SequencePlayer {
        height: 1fr;
        scrollbar-size-vertical: 1;
        & > .sequence-player--header { text-style: bold; color: $text; }
        & > .sequence-player--lifeline { color: $text-muted; }
        & > .sequence-player--active { color: $foreground; }
        & > .sequence-player--ok { color: $text-success; }
        & > .sequence-player--redirect { color: $text-primary; }
        & > .sequence-player--client-error { color: $text-warning; }
        & > .sequence-player--server-error { color: $text-error; text-style: bold; }
        & > .sequence-player--failed { color: $text-error; text-style: bold; }
        & > .sequence-player--cursor { text-style: reverse bold; }
        & > .sequence-player--future { color: $text-disabled; text-style: none; }
        & > .sequence-player--empty { color: $text-muted; text-style: italic; }
    }
    """

    interval: var[float] = var(0.8)
    """Seconds each arrow stays current while playing."""
    replaying: var[bool] = var(False, init=False)
    """True from `play()` or a step until `load()`: arrows after the cursor are dimmed."""

    class ArrowChanged(Message):
        """The cursor moved to another arrow (posted on load, steps, play and goto)."""

        def __init__(
            self,
            call: HttpCall,
            index: int,
            total: int,
            is_return: bool,
            *,
            player: SequencePlayer | None = None,
        ) -> None:
            super().__init__()
            self.call = call
            """The call whose request or response arrow is now current."""
            self.index = index
            """0-based position among all arrows (two per call)."""
            self.total = total
            self.is_return = is_return
            """True for the response arrow, False for the request arrow."""
            self.player = player
            """The player that moved, for `@on(..., "#id")` selectors."""

        @property
        def control(self) -> SequencePlayer | None:
            """The player that posted this message."""
            return self.player

        def can_replace(self, message: Message) -> bool:
            """Only the newest position of one player matters to whoever shows it."""
            return isinstance(message, SequencePlayer.ArrowChanged) and (
                message.player is self.player
            )

    def __init__(
        self,
        calls: Sequence[HttpCall] = (),
        *,
        empty_text: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._empty_text = empty_text
        """Shown when there is no trace; None: the catalogue's `sequence.empty`."""
        self._arrows: list[Arrow] = []
        self._layout = layout([], 0)
        self._cursor = 0
        self._timer: Timer | None = None
        self._strips: dict[tuple[int, str], Strip] = {}
        if calls:
            self.load(list(calls))

    @property
    def arrows(self) -> list[Arrow]:
        """Every arrow in drawing order (a copy)."""
        return list(self._arrows)

    @property
    def parties(self) -> list[str]:
        """Column names, left to right."""
        return list(self._layout.centers) or parties(self._arrows)

    @property
    def index(self) -> int | None:
        """The current arrow's position, or None when there is nothing to show."""
        return self._cursor if self._arrows else None

    @property
    def total(self) -> int:
        """How many arrows the trace has (two per call)."""
        return len(self._arrows)

    @property
    def current(self) -> Arrow | None:
        """The highlighted arrow."""
        return self._arrows[self._cursor] if self._arrows else None

    @property
    def playing(self) -> bool:
        """True while the cursor advances on its own."""
        return self._timer is not None

    def load(self, calls: list[HttpCall]) -> None:
        """Show a new trace from its first arrow, fully drawn (not replaying)."""
        self.pause()
        self._arrows = arrange(calls)
        self._cursor = 0
        self.set_reactive(SequencePlayer.replaying, False)
        self._relayout()
        self.scroll_to(y=0, animate=False)
        self._announce()

    def play(self) -> None:
        """Advance one arrow per `interval`; from the start again when at the last arrow."""
        if not self._arrows or self.playing:
            return
        if self._cursor >= len(self._arrows) - 1:
            self._move(0)
        self.replaying = True
        self._timer = self.set_interval(self.interval, self.advance)

    def pause(self) -> None:
        """Stop advancing; the cursor stays where it is."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def step(self, delta: int) -> None:
        """Move `delta` arrows (+1 forward, -1 back); a step pauses: the person took over."""
        self.pause()
        if self._arrows:
            self.replaying = True
            self._move(self._cursor + delta)

    def goto(self, index: int) -> None:
        """Make arrow `index` current (clamped), without changing play or replay state."""
        self._move(index)

    def advance(self) -> None:
        """One tick of playing: the next arrow, pausing on the last one."""
        self._move(self._cursor + 1)
        if self._cursor >= len(self._arrows) - 1:
            self.pause()

    def action_play_pause(self) -> None:
        """Play or pause."""
        self.toggle()

    def action_step(self, delta: int) -> None:
        """Step forward or back."""
        self.step(delta)

    def action_first(self) -> None:
        """Rewind to the first arrow."""
        self.step(-len(self._arrows))

    def action_last(self) -> None:
        """Jump to the last arrow."""
        self.step(len(self._arrows))

    def watch_interval(self) -> None:
        if self._timer is not None:
            self.pause()
            self._timer = self.set_interval(self.interval, self.advance)

    def watch_replaying(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        """Clicking an arrow row makes it current (and pauses, like a step)."""
        row = event.y + self.scroll_offset.y - 1
        if event.y >= 1 and 0 <= row < len(self._arrows):
            self.step(row - self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _move(self, index: int) -> None:
        if not self._arrows:
            return
        index = max(0, min(index, len(self._arrows) - 1))
        if index == self._cursor:
            return
        self._cursor = index
        self.refresh()
        self._scroll_to_cursor()
        self._announce()

    def _announce(self) -> None:
        if self._arrows:
            arrow = self._arrows[self._cursor]
            total = len(self._arrows)
            call, is_return = arrow.call, arrow.is_return
            self.post_message(self.ArrowChanged(call, self._cursor, total, is_return, player=self))

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        self._layout = layout(self._arrows, width)
        self._strips.clear()
        height = len(self._layout.rows) + 1 if self._arrows else 0
        self.virtual_size = Size(self._layout.width, height)
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        """Keep the current arrow in view, with a little context around it when there is room."""
        view = self.scrollable_content_region.height - 1
        if view <= 0 or not self._arrows:
            return
        margin = min(2, (view - 1) // 2)
        top = round(self.scroll_offset.y)
        if self._cursor - margin < top:
            self.scroll_to(y=max(0, self._cursor - margin), animate=False)
        elif self._cursor + margin >= top + view:
            self.scroll_to(y=self._cursor + margin - view + 1, animate=False)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then arrow rows from the scroll position."""
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if not self._arrows:
            return self._empty_line(y, width)
        if y == 0:
            strip = self._strip(-1, self._layout.header, "header")
        else:
            row = scroll_y + y - 1
            if row >= len(self._layout.rows):
                return Strip.blank(width, self.rich_style)
            strip = self._strip(row, self._layout.rows[row], self._row_mode(row))
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def _row_mode(self, row: int) -> str:
        if row == self._cursor:
            return "cursor"
        return "future" if self.replaying and row > self._cursor else "normal"

    def _strip(self, row: int, runs: Runs, mode: str) -> Strip:
        key = (row, mode)
        if key not in self._strips:
            self._strips[key] = Strip([Segment(text, self._style(r, mode)) for text, r in runs])
        return self._strips[key]

    def _style(self, role: str, mode: str) -> Style:
        base = self.get_component_rich_style(f"sequence-player--{role}", default=self.rich_style)
        if role not in ARROW_ROLES or mode == "normal":
            return base
        if mode == "future":
            return self.get_component_rich_style("sequence-player--future")
        return base + self.get_component_rich_style("sequence-player--cursor", partial=True)

    def _empty_line(self, y: int, width: int) -> Strip:
        if y != 0:
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("sequence-player--empty")
        return Strip(
            [Segment(fit([self._empty_text or _("No calls to show.")], width), style)]
        ).crop_extend(0, width, self.rich_style)
