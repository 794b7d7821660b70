"""`CallLog`: every recorded call as one line, over a store that may hold 100,000 of them.

The log never holds the store: it asks an injected provider for pages (offset and limit,
oldest first) around what is on screen, keeps a few, and draws only the visible lines
(Textual's line API), so scrolling from the first call to the last costs a few page fetches,
not a widget or a row object per call. What a row says and how its columns share the width
is `call_row.py`'s: this module is the list - its pages, its cursor and following the newest.

The map's provider lists calls in the order they *started*: a caller above the calls it made,
though the recorder stores it after them (it finishes last). A call that arrives can therefore
belong above rows already on screen; `refresh_count(started_from=...)` says from where, and
the log fetches again the pages that may have moved while keeping the person's place.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar

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
from sandbox.tui.widgets.call_actions import ALL, CallActions, call_bindings
from sandbox.tui.widgets.call_row import header_cells, row_cells, row_strip

Fetch = Callable[[int, int], Awaitable[list[HttpCall]]]
"""`fetch(offset, limit)`: calls oldest first (by start, or as stored)."""
Count = Callable[[], Awaitable[int]]
"""`count()`: how many calls the store (under the current filter) holds."""

PAGE_SIZE = 100
"""Calls per provider request: one or two pages cover a tall terminal."""
MAX_PAGES = 8
"""Pages kept in memory; the least recently drawn page goes first."""
OUTCOMES = ("2xx", "3xx", "4xx", "5xx", "failed")
_log = logging.getLogger(__name__)


class CallLog(CallActions, ScrollView, can_focus=True):
    """A virtual list of recorded calls with a cursor, fed page by page by a provider."""

    HELP = Lazy("""\

## Call log

One line per recorded call, in the order the calls started (a caller above the calls it
made): time, caller → callee, method, path, status (or why it failed) and duration. A narrow
log leaves out the time, then the duration, never who called whom.

- **↑ ↓ PgUp PgDn Home End** or a click move the cursor; the detail shows that call.
- **Enter** opens the call.
- **f** follows the newest call (on by default, off when you move up).
- **c** copies the call as curl, **h** as an httpx script; **t** opens its trace.
- **e** opens it in the composer, to change it and send it again.
- **m** marks it (◆); **=** on another call compares the two side by side.
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
            # "Newest", not "Follow": a follower's page has `0 Follow presenter` beside it.
            Lazy("Newest"),
            id="log.follow",
            tooltip=Lazy("Keep the newest call under the cursor as calls arrive"),
        ),
        *call_bindings("log", shown=("edit_call", "mark_call", "compare_call")),
    ]

    COMPONENT_CLASSES = {
        "call-log--header",
        "call-log--cursor",
        "call-log--pending",
        "call-log--parties",
        "call-log--mark",
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
        & > .call-log--mark { color: $text-warning; text-style: bold; }
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
        offered: Iterable[str] = (),
        base_urls: dict[str, str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Args:
        fetch: a page of calls, `fetch(offset, limit)`.
        count: how many calls there are.
        offered: the call actions (`call_actions.ALL`) the screen handles; none by default.
        base_urls: service name -> base URL, for the copied snippets.
        """
        super().__init__(name=name, id=id, classes=classes)
        self.offered = frozenset(offered)
        self.base_urls = dict(base_urls or {})
        self._fetch = fetch
        self._count = count
        self._moved_from = math.inf
        """The earliest start among calls that arrived since the last count: cached pages
        from there on may have moved (start order); infinity when none did."""
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

    def current_call(self) -> HttpCall | None:
        """The call the keys act on: the one under the cursor."""
        return self.highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The call keys are shown only where the screen handles them."""
        if action in ALL:
            return self.check_call_action(action)
        return True

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

    def refresh_count(self, started_from: float | None = None) -> None:
        """Ask the provider how many calls there are now (after new calls arrived).

        Args:
            started_from: the earliest start among the calls that arrived, when the provider
                lists calls by start: pages holding calls that started from then on are
                fetched again. None: new calls only ever come last (stored order).
        """
        if started_from is not None:
            self._moved_from = min(self._moved_from, started_from)
        self._count_wanted = True
        if self._ready and not self._counting:  # before mounting, on_mount counts
            self._counting = True
            self.run_worker(self._count_calls(), group="call-log-count", exit_on_error=False)

    async def _count_calls(self) -> None:
        # One count at a time; requests made meanwhile are folded into one more round.
        try:
            while self._count_wanted:
                self._count_wanted = False
                moved, self._moved_from = self._moved_from, math.inf
                generation = self._generation
                total = await self._count()
                if generation == self._generation:
                    self._apply_count(max(total, 0), moved)
        except Exception:
            _log.exception("call log: counting calls failed")
        finally:
            self._counting = False

    def _apply_count(self, total: int, moved_from: float = math.inf) -> None:
        old = self._total
        if total < old:
            self._pages.clear()  # rows were dropped (retention): every offset may have moved
            self._stale.clear()
        elif total > old:
            # The last page has grown: keep drawing it until the fresh copy arrives (no flicker).
            for page in range(old // PAGE_SIZE, (total - 1) // PAGE_SIZE + 1):
                if page in self._pages or page in self._loading:
                    self._mark_stale(page)
        if moved_from < math.inf:
            # Calls that started before some shown ones went in above them: every page from
            # the first such row on shifted (a page still loading may be an old copy too).
            for page in {*self._pages, *self._loading}:
                rows = self._pages.get(page)
                if not rows or rows[-1].started_at >= moved_from:
                    self._mark_stale(page)
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

    def _mark_stale(self, page: int) -> None:
        """Keep drawing `page` until a fresh copy arrives (no flicker), then swap it in."""
        self._stale[page] = self._stale.get(page, 0) + 1

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
        self._keep_place()
        self.refresh()
        self._announce_cursor()

    def _keep_place(self) -> None:
        """Calls that went in above the cursor moved its call down: follow it there, and
        scroll as far, so the row a person was reading stays under the cursor and in place."""
        if self.following or self._announced is None:
            return
        generation, index, span = self._announced
        here = self.call_at(self.cursor)
        if generation != self._generation or index != self.cursor:
            return  # the source changed, or the person moved the cursor since
        if here is None or here.span_id == span:
            return
        for moved in range(index + 1, min(index + PAGE_SIZE, self._total)):
            call = self.call_at(moved)
            if call is not None and call.span_id == span:
                self._announced = (generation, moved, span)  # the same call: not news
                self.scroll_to(y=self.scroll_offset.y + moved - index, animate=False, force=True)
                self.cursor = moved
                return

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
        # Said as where the cursor is, not "following": a follower's page has `0 Follow
        # presenter` too, and `f` reads "Newest".
        state = _("at the newest") if self.following else _("held (f: newest)")
        self.border_title = ngettext(
            "{count} call · {state}", "{count} calls · {state}", self._total
        ).format(count=number(self._total), state=state)

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Line 0 is the column header; the others are calls from the scroll position."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self._text_style("call-log--header")
            return row_strip(header_cells(), width, base + header, {})
        index = round(self.scroll_offset.y) + y - 1
        if index >= self._total:
            return Strip.blank(width, base)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("call-log--cursor")
        call = self.call_at(index)
        if call is None:
            pending = self._text_style("call-log--pending")
            return row_strip(("", "…", "", "", _("loading"), "", ""), width, style + pending, {})
        # On the cursor row the cursor's colours keep every cell readable: a status keeps
        # its weight (bold, reversed when the call failed) but not its colour.
        on_cursor = index == self.cursor
        styles = {5: self._text_style(f"call-log--{call.outcome}", colour=not on_cursor)}
        if not on_cursor:
            styles[2] = self._text_style("call-log--parties")
        marked = self.marked is not None and self.marked.span_id == call.span_id
        if marked:
            styles[0] = self._text_style("call-log--mark", colour=not on_cursor)
        return row_strip(row_cells(call, marked), width, style, styles)

    def _text_style(self, name: str, colour: bool = True) -> Style:
        """A component's text colour and attributes, to draw over any row's background.

        Not `partial=True`: that resolves an `auto` colour (`$text-muted` is `auto 60%`)
        against no background, which gives white - unreadable in the light theme.
        """
        full = self.get_component_rich_style(name)
        return Style(
            color=full.color if colour else None,
            bold=full.bold,
            italic=full.italic,
            underline=full.underline,
            reverse=full.reverse,
        )
