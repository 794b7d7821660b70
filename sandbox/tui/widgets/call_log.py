"""`CallLog`: every recorded call as one line, over a store that may hold 100,000 of them.

The log never holds the store: it asks an injected provider for pages (offset and limit in
store order, oldest first) around what is on screen, keeps a few, and draws only the visible
lines (Textual's line API), so scrolling from the first call to the last costs a few page
fetches, not a widget or a row object per call.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sandbox.trace.events import HttpCall
from sandbox.tui.i18n import Lazy, _, ngettext, number

Fetch = Callable[[int, int], Awaitable[list[HttpCall]]]
"""`fetch(offset, limit)`: calls in store order (oldest first)."""
Count = Callable[[], Awaitable[int]]
"""`count()`: how many calls the store (under the current filter) holds."""

PAGE_SIZE = 100
"""Calls per provider request: one or two pages cover a tall terminal."""
MAX_PAGES = 8
"""Pages kept in memory; the least recently drawn page goes first."""
OUTCOMES = ("2xx", "3xx", "4xx", "5xx", "failed")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_log = logging.getLogger(__name__)


class CallLog(ScrollView, can_focus=True):
    """A virtual list of recorded calls with a cursor, fed page by page by a provider."""

    HELP = Lazy("""\

## Call log

One line per recorded call, oldest at the top: time, caller → callee, method, path, status
(or why it failed) and duration.

- **↑ ↓ PgUp PgDn Home End** or a click move the cursor; the detail shows that call.
- **Enter** opens the call.
- **f** follows the newest call (on by default, off when you move up).
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up",
            "cursor_up",
            Lazy("Up"),
            show=False,
            id="log.cursor_up",
            tooltip=Lazy("Previous call (stops following)"),
        ),
        Binding(
            "down",
            "cursor_down",
            Lazy("Down"),
            show=False,
            id="log.cursor_down",
            tooltip=Lazy("Next call"),
        ),
        Binding(
            "pageup",
            "page_up",
            Lazy("Page up"),
            show=False,
            id="log.page_up",
            tooltip=Lazy("One screen of calls back (stops following)"),
        ),
        Binding(
            "pagedown",
            "page_down",
            Lazy("Page down"),
            show=False,
            id="log.page_down",
            tooltip=Lazy("One screen of calls forward"),
        ),
        Binding(
            "home",
            "first",
            Lazy("First"),
            show=False,
            id="log.first",
            tooltip=Lazy("Oldest call (stops following)"),
        ),
        Binding(
            "end",
            "last",
            Lazy("Last"),
            show=False,
            id="log.last",
            tooltip=Lazy("Newest call"),
        ),
        Binding(
            "enter",
            "select",
            Lazy("Open"),
            show=False,
            id="log.select",
            tooltip=Lazy("Open the call under the cursor"),
        ),
        Binding(
            "f",
            "toggle_follow",
            Lazy("Follow"),
            id="log.follow",
            tooltip=Lazy("Keep the newest call under the cursor as calls arrive"),
        ),
    ]

    COMPONENT_CLASSES = {
        "call-log--header",
        "call-log--cursor",
        "call-log--pending",
        "call-log--parties",
        *(f"call-log--{outcome}" for outcome in OUTCOMES),
    }

    DEFAULT_CSS = """
    CallLog {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        border: round $border-blurred;
        &:focus {
            border: round $border;
            & > .call-log--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: bold;
            }
        }
        & > .call-log--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        & > .call-log--header { color: $text-muted; text-style: bold; }
        & > .call-log--pending { color: $text-disabled; }
        & > .call-log--parties { color: $text-secondary; }
        & > .call-log--2xx { color: $text-success; }
        & > .call-log--3xx { color: $text-accent; }
        & > .call-log--4xx { color: $text-warning; text-style: bold; }
        & > .call-log--5xx { color: $text-error; text-style: bold; }
        & > .call-log--failed { color: $text-error; text-style: bold reverse; }
    }
    """

    class CallHighlighted(Message):
        """The cursor rests on a call (moved by the user, or by follow mode)."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    class CallSelected(Message):
        """The user opened the call under the cursor (Enter or double click)."""

        def __init__(self, call: HttpCall) -> None:
            super().__init__()
            self.call = call

    cursor: reactive[int] = reactive(0, init=False)
    """Store index of the call under the cursor."""
    following: reactive[bool] = reactive(True, init=False)
    """Keep the cursor and the view on the newest call as calls arrive."""

    def __init__(
        self,
        fetch: Fetch,
        count: Count,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self._count = count
        self._total = 0
        self._pages: OrderedDict[int, list[HttpCall]] = OrderedDict()
        self._loading: set[int] = set()
        self._failed: set[int] = set()
        self._stale: dict[int, int] = {}
        """Pages shown until a fresh copy arrives (they grew), and how often they were marked."""
        self._generation = 0
        """Bumped when the source changes, so answers to older requests are dropped."""
        self._announced: tuple[int, int, str] | None = None
        self._count_wanted = False
        self._counting = False
        self._ready = False

    @property
    def total(self) -> int:
        """How many calls the provider reported at the last count."""
        return self._total

    @property
    def cached_pages(self) -> int:
        """How many pages are held in memory right now."""
        return len(self._pages)

    def call_at(self, index: int) -> HttpCall | None:
        """The call at a store index if its page is in memory, else None."""
        page = self._pages.get(index // PAGE_SIZE)
        offset = index % PAGE_SIZE
        return page[offset] if page is not None and 0 <= offset < len(page) else None

    @property
    def highlighted(self) -> HttpCall | None:
        """The call under the cursor, if loaded."""
        return self.call_at(self.cursor)

    # -- the source ------------------------------------------------------------------------

    def set_source(self, fetch: Fetch, count: Count) -> None:
        """Show another provider's calls (the screen's filter changed)."""
        self._fetch, self._count = fetch, count
        self.reset()
        if not self.following:
            self.cursor = 0
            if self.is_mounted:
                self.scroll_to(y=0, animate=False, force=True)

    def reset(self) -> None:
        """Forget every cached page and count again (the store changed under the log)."""
        self._generation += 1
        if self.is_mounted:
            self.workers.cancel_group(self, "call-log-pages")
        self._pages.clear()
        self._stale.clear()
        self._loading.clear()
        self._failed.clear()
        self._announced = None
        self.refresh()
        self.refresh_count()

    def refresh_count(self) -> None:
        """Ask the provider how many calls there are now (after new calls arrived)."""
        self._count_wanted = True
        if self._ready and not self._counting:  # before mounting, on_mount counts
            self._counting = True
            self.run_worker(self._count_calls(), group="call-log-count", exit_on_error=False)

    async def _count_calls(self) -> None:
        # One count at a time; requests made meanwhile are folded into one more round.
        try:
            while self._count_wanted:
                self._count_wanted = False
                generation = self._generation
                total = await self._count()
                if generation == self._generation:
                    self._apply_count(max(total, 0))
        except Exception:
            _log.exception("call log: counting calls failed")
        finally:
            self._counting = False

    def _apply_count(self, total: int) -> None:
        old = self._total
        if total < old:
            self._pages.clear()  # rows were dropped (retention): every offset may have moved
            self._stale.clear()
        elif total > old:
            # The last page has grown: keep drawing it until the fresh copy arrives (no flicker).
            for page in range(old // PAGE_SIZE, (total - 1) // PAGE_SIZE + 1):
                if page in self._pages or page in self._loading:
                    self._stale[page] = self._stale.get(page, 0) + 1
        self._failed.clear()
        self._total = total
        self.virtual_size = Size(0, total + 1)
        self._update_title()
        if self.following:
            self._go_to_newest()
        elif self.cursor >= total:
            self.cursor = max(total - 1, 0)
        self._ensure_pages()
        self._announce_cursor()
        self.refresh()

    # -- pages -----------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _ensure_pages(self) -> None:
        """Request the pages on screen plus one screen either side."""
        if not self._total or not self.is_mounted:
            return
        top = round(self.scroll_offset.y)
        rows = self._visible_rows()
        first = max(top - rows, 0) // PAGE_SIZE
        last = min(top + 2 * rows, self._total - 1) // PAGE_SIZE
        for page in range(first, last + 1):
            if page in self._pages:
                self._pages.move_to_end(page)
            if page in self._pages and page not in self._stale:
                continue
            if page not in self._loading and page not in self._failed:
                self._loading.add(page)
                self.run_worker(
                    self._load(page, self._generation), group="call-log-pages", exit_on_error=False
                )

    async def _load(self, page: int, generation: int) -> None:
        marks = self._stale.get(page)
        try:
            rows = await self._fetch(page * PAGE_SIZE, PAGE_SIZE)
        except Exception:
            _log.exception("call log: fetching calls %d+ failed", page * PAGE_SIZE)
            if generation == self._generation:
                self._loading.discard(page)
                self._failed.add(page)  # retried at the next count, not on every repaint
            return
        if generation != self._generation:
            return
        self._loading.discard(page)
        self._pages[page] = list(rows[:PAGE_SIZE])
        while len(self._pages) > MAX_PAGES:
            evicted, _ = self._pages.popitem(last=False)
            self._stale.pop(evicted, None)
        if self._stale.get(page) == marks:
            self._stale.pop(page, None)
        else:
            self._ensure_pages()  # the page grew while this copy was on its way
        self.refresh()
        self._announce_cursor()

    # -- the cursor ------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint both rows, keep the cursor in view and tell the screen."""
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_to_cursor()
        self._announce_cursor()

    def watch_following(self, following: bool) -> None:
        """Show the state in the title; turning follow on jumps to the newest call."""
        self._update_title()
        if following:
            self._go_to_newest()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Fetch the pages that scrolled into view."""
        super().watch_scroll_y(old_value, new_value)
        self._ensure_pages()

    def _go_to_newest(self) -> None:
        self.cursor = max(self._total - 1, 0)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_offset.y)
        rows = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def _announce_cursor(self) -> None:
        call = self.call_at(self.cursor)
        if call is None:
            return  # posted when its page arrives
        key = (self._generation, self.cursor, call.span_id)
        if key != self._announced:
            self._announced = key
            self.post_message(self.CallHighlighted(call))

    def _move(self, delta: int) -> None:
        if delta < 0:
            self.following = False
        self.cursor = min(max(self.cursor + delta, 0), max(self._total - 1, 0))

    def action_cursor_up(self) -> None:
        """Move to the previous call."""
        self._move(-1)

    def action_cursor_down(self) -> None:
        """Move to the next call."""
        self._move(1)

    def action_page_up(self) -> None:
        """Move one screen back."""
        self._move(-self._visible_rows())

    def action_page_down(self) -> None:
        """Move one screen forward."""
        self._move(self._visible_rows())

    def action_first(self) -> None:
        """Move to the oldest call."""
        self._move(-self._total)

    def action_last(self) -> None:
        """Move to the newest call."""
        self._move(self._total)

    def action_select(self) -> None:
        """Open the call under the cursor."""
        call = self.highlighted
        if call is not None:
            self.post_message(self.CallSelected(call))

    def action_toggle_follow(self) -> None:
        """Turn follow mode on or off."""
        self.following = not self.following

    def on_click(self, event: events.Click) -> None:
        """Put the cursor on the clicked row; a double click opens it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if index >= self._total:
            return
        if index < self._total - 1:
            self.following = False
        self.cursor = index
        if event.chain >= 2:
            self.action_select()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """Scrolling back through history stops following."""
        self.following = False

    def on_resize(self, event: events.Resize) -> None:
        """Fetch what a taller view shows and keep the cursor visible."""
        self._scroll_to_cursor()
        self._ensure_pages()

    def on_mount(self) -> None:
        """Start with a count; the pages follow once the log knows its size."""
        self._ready = True
        self._update_title()
        self.refresh_count()

    def _update_title(self) -> None:
        state = _("following") if self.following else _("follow off")
        self.border_title = ngettext(
            "{count} call · {state}", "{count} calls · {state}", self._total
        ).format(count=number(self._total), state=state)

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Line 0 is the column header; the others are calls from the scroll position."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("call-log--header", partial=True)
            return self._strip(_header_cells(), width, base + header, {})
        index = round(self.scroll_offset.y) + y - 1
        if index >= self._total:
            return Strip.blank(width, base)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("call-log--cursor")
        call = self.call_at(index)
        if call is None:
            pending = self.get_component_rich_style("call-log--pending", partial=True)
            return self._strip(("…", "", "", _("loading"), "", ""), width, style + pending, {})
        styles = {4: self.get_component_rich_style(f"call-log--{call.outcome}", partial=True)}
        if index != self.cursor:  # on the cursor row the cursor colours keep names readable
            styles[1] = self.get_component_rich_style("call-log--parties", partial=True)
        return self._strip(_row_cells(call), width, style, styles)

    def _strip(
        self, cells: tuple[str, ...], width: int, style: Style, styles: dict[int, Style]
    ) -> Strip:
        segments: list[Segment] = []
        for column, (text, size, right) in enumerate(zip(cells, *_layout(width), strict=True)):
            if size <= 0:
                continue
            if segments:
                segments.append(Segment(" ", style))
            if column == 1 and cell_len(text) > size:
                text = text.replace(" → ", "→")  # names matter more than the arrow's spaces
            cell_style = style + styles[column] if column in styles else style
            segments.append(Segment(_fit(text, size, right), cell_style))
        used = sum(segment.cell_length for segment in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width).crop(0, width)


def _header_cells() -> tuple[str, ...]:
    return (_("time"), _("caller → callee"), _("method"), _("path"), _("status"), _("took"))


def _row_cells(call: HttpCall) -> tuple[str, ...]:
    status = str(call.status) if call.status is not None else (call.error or _("failed"))
    return (
        format_time(call.started_at),
        f"{call.caller} → {call.callee}",
        call.method,
        call.path,
        status,
        format_duration(call.duration_ms),
    )


def _layout(width: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """Column widths (time, parties, method, path, status, took) and right alignment."""
    time_width = 12 if width >= 60 else 0
    fixed = time_width + 6 + 7 + 6 + (5 if time_width else 4)
    rest = max(width - fixed, 0)
    parties = min(24, rest // 2)
    return (time_width, parties, 6, rest - parties, 7, 6), (False,) * 5 + (True,)


def _fit(text: str, width: int, right: bool = False) -> str:
    """Text cut (with an ellipsis) or padded to exactly `width` cells."""
    text = _CONTROL.sub("·", text)
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def format_time(started_at: float) -> str:
    """Local wall-clock time to the millisecond: `HH:MM:SS.mmm`."""
    try:
        moment = datetime.fromtimestamp(started_at)
    except (OverflowError, OSError, ValueError):
        return "--:--:--.---"
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def format_duration(duration_ms: float) -> str:
    """Short duration: `0.4ms`, `152ms`, `12.3s`."""
    if duration_ms != duration_ms or duration_ms < 0:  # NaN or a clock that went backwards
        return "?"
    if duration_ms < 10:
        return f"{duration_ms:.1f}ms"
    if duration_ms < 10_000:
        return f"{duration_ms:.0f}ms"
    return f"{duration_ms / 1000:.1f}s"
