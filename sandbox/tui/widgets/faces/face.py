"""What every app face shares: the phone frame, its notices, and how it writes its texts.

A face is a small screen of one app a person uses (`social`, `bank`, `desk`). Its taps make
real calls, as a person would, through the app's client (`sandbox.tui.clients`), which returns
what the institution answered; the face shows it. Each tap runs in a worker under its own
trace, so the screen can tell which tap caused which recorded calls (`Face.Acted`). Failures
are shown where they happened, never raised.

Texts are markup templates filled with escaped values (`text`): what an institution answered is
never read as markup.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from sandbox import language
from sandbox.runtime.registry import by_name
from sandbox.trace.events import HttpCall
from sandbox.tui.clients import FaceError
from sandbox.tui.i18n import _
from sandbox.wire.context import Span, current_span, root_span

log = logging.getLogger(__name__)

FOLLOW_DELAY = 0.25
"""Seconds a face waits after a call that changed what it shows before it fetches again, so a
burst of such calls (the screen drains them every 0.1 s) causes one refresh."""
TAPS_KEPT = 32
"""A face's latest taps whose traces it recognises as its own."""


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def text(message: str, **values: object) -> Content:
    """A translated message (`_("...")`) as Content, its `{name}` placeholders filled (escaped).

    Face texts are markup; the values are not: they become Textual template variables.
    """
    return Content.from_markup(_PLACEHOLDER.sub(r"${\1}", message), **values)


def plain(message: str, **values: object) -> str:
    """A translated message as plain text (labels, messages), its placeholders filled."""
    return text(message, **values).plain


def rupiah(amount: object) -> str:
    """Rp185.000, as the Indonesian apps write it whatever the UI's language; anything not a
    whole number shown as is."""
    if isinstance(amount, int) and not isinstance(amount, bool):
        return language.rupiah(amount, "id")
    return str(amount) if amount is not None else "?"


def count(number: object) -> str:
    """48.210, as the Indonesian apps write a count; anything not a whole number shown as is."""
    if isinstance(number, int) and not isinstance(number, bool):
        return language.number(number, "id")
    return str(number) if number is not None else "?"


def moment(iso: object) -> str:
    """An ISO timestamp as the app shows it (local time as sent, minutes); odd input as is."""
    try:
        return datetime.fromisoformat(str(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(iso)


def lookup(data: Any, *path: str) -> Any:
    """data[path...] or None, for answers whose shape we do not trust."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def title_of(service: str) -> str:
    """An institution's display name (its slug if unknown)."""
    try:
        return by_name(service).title
    except LookupError:
        return service


class Notice(Static):
    """One line under an area: busy, failed or done, or hidden when there is nothing to say."""

    def show(self, content: Content | str, state: str) -> None:
        """Show `content` in `state` (`busy`, `failed` or `ok`); a string is shown as it is,
        never read as markup (it is often what an institution answered)."""
        self.update(Content(content) if isinstance(content, str) else content)
        for name in ("busy", "failed", "ok"):
            self.set_class(name == state, f"-{name}")

    def clear(self) -> None:
        """Hide the notice."""
        self.update("")
        self.remove_class("-busy", "-failed", "-ok")


class Face(Vertical):
    """A small phone screen for one app; runs each tap as a worker in its own trace."""

    DEFAULT_CSS = """
    Face {
        width: 40; height: 1fr; max-height: 40; border: round $border; background: $surface;
        .face--bar { dock: top; height: 1; padding: 0 1; text-style: bold;
                     background: $primary; color: $text; }
        .face--body { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
        .face--section { margin-top: 1; text-style: bold; color: $text-primary; }
        .face--actions { height: auto; }
        .face--actions Button { margin-right: 1; }
        Button.-textual-compact { min-width: 5; width: auto; padding: 0 1; }
        Notice { display: none; }
        Notice.-busy { display: block; color: $text-muted; text-style: italic; }
        Notice.-failed { display: block; color: $text-error; }
        Notice.-ok { display: block; color: $text-success; }
    }
    """

    service: ClassVar[str] = ""
    """The institution this app belongs to; its title is the app's name."""
    REFRESH_NOTICE: ClassVar[str] = "Notice"
    """Where a refresh that recorded calls asked for says how it went."""
    TAPPED_IN: ClassVar[str] = ""
    """What the taps list calls this app when the person knows it by another name than its
    institution's slug (her IKD app, not `identity`); empty: the slug."""

    class Acted(Message):
        """A tap finished (or failed): which face, what was tapped, what came of it."""

        def __init__(
            self,
            face: str,
            action: str,
            detail: str,
            trace_id: str = "",
            ok: bool = True,
            started: float = 0.0,
            app: str = "",
        ) -> None:
            super().__init__()
            self.face = face
            """The service slug of the app (`social`, `bank`)."""
            self.action = action
            """Short id of the tap (`load`, `buy`, `pay`...)."""
            self.detail = detail
            """What the person saw as a result, or the error shown."""
            self.trace_id = trace_id
            """The trace holding every call this tap caused."""
            self.ok = ok
            self.started = started
            """When the tap was made (monotonic): taps are listed in the order they were made."""
            self.app_name = app or face
            """Who acted, as the person knows the app (`IKD`); the slug when it is the same."""

    class Refreshed(Message):
        """The face fetched again what recorded calls had changed (not a tap: nobody tapped)."""

        def __init__(self, face: str, parts: frozenset[str], trace_id: str, ok: bool) -> None:
            super().__init__()
            self.face = face
            """The service slug of the app."""
            self.parts = parts
            """What was fetched again (`orders`, `checkout`, `account`, `bill`...)."""
            self.trace_id = trace_id
            """The trace of the call that changed it, which the refresh's calls joined."""
            self.ok = ok

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.app_name = title_of(self.service)
        """The institution's display name, shown in the title bar."""
        self._taps: deque[str] = deque(maxlen=TAPS_KEPT)
        self._stale: set[str] = set()
        self._cause = ""
        self._due: Timer | None = None

    def compose_bar(self, subtitle: str) -> ComposeResult:
        """The phone's title bar: app name and who is logged in."""
        yield Static(Content.assemble((self.app_name, "bold"), "  ", subtitle), classes="face--bar")

    async def act(self, action: str, notice: Notice, body: Callable[[], Awaitable[str]]) -> None:
        """Run one tap: busy state, one trace for its calls, error in place, then `Acted`."""
        span = root_span()
        started = time.monotonic()
        self._taps.append(span.trace_id)
        token = current_span.set(span)
        notice.show(plain(_("Working...")), "busy")
        ok = True
        try:
            detail = await body()
            if "-busy" in notice.classes:
                notice.clear()
        except FaceError as exc:
            detail, ok = str(exc), False
            notice.show(detail, "failed")
        except Exception as exc:  # a face must never take the app down
            log.exception("%s %s failed", self.service, action)
            detail, ok = plain(_("Something went wrong: {error}"), error=exc), False
            notice.show(detail, "failed")
        finally:
            current_span.reset(token)
        self.post_message(
            Face.Acted(self.service, action, detail, span.trace_id, ok, started, self.TAPPED_IN)
        )

    # -- following the calls: what someone else did changes what the face shows ---------------

    def follow(self, calls: Iterable[HttpCall]) -> None:
        """Fetch again what these recorded calls changed, once per burst.

        The screen hands every batch of recorded calls to every face. A call made by one of
        this face's own taps is skipped: the tap already shows its outcome (unless the call
        outlives the tap: `outlives_tap`). A refresh waits
        `FOLLOW_DELAY` after the first call that concerns the face, so the rest of a burst
        (a webhook and its retries, a flash sale) is taken in by the same refresh.
        """
        for call in calls:
            if call.trace_id in self._taps and not self.outlives_tap(call):
                continue
            parts = self.changed_by(call)
            if parts:
                self._stale |= parts
                self._cause = call.trace_id
        if self._stale and self._due is None:
            self._due = self.set_timer(FOLLOW_DELAY, self._catch_up)

    def start_over(self) -> None:
        """The world was reset: what the face showed belongs to the old one (a face adds what
        it forgets and loads again)."""
        self._stale.clear()
        if self._due is not None:
            self._due.stop()
            self._due = None
        for notice in self.query(Notice):
            notice.clear()

    def changed_by(self, call: HttpCall) -> frozenset[str]:
        """What of this face `call` made stale; a face that shows nothing of it says none."""
        return frozenset()

    def outlives_tap(self, call: HttpCall) -> bool:
        """True when `call`, though caused by one of this face's taps, may land after the tap
        ended (a webhook its tap set off), so the tap could not show it."""
        return False

    async def refetch(self, parts: frozenset[str]) -> Content | None:
        """Fetch `parts` again and show them; what to say about it in the notice, if anything."""
        return None

    def _catch_up(self) -> None:
        self._due = None
        parts, self._stale = frozenset(self._stale), set()
        if parts:
            self.run_worker(
                self._refresh(parts, self._cause),
                group=f"{self.service}-follow",
                exclusive=True,
                exit_on_error=False,
            )

    async def _refresh(self, parts: frozenset[str], trace_id: str) -> None:
        """Run a refresh the calls asked for, then `Refreshed`; nothing is listed as a tap.

        Its calls join the trace of the call that caused it, as calls of their own (no parent):
        the phone asks again because Klip (or the hospital) heard of a change - in a real app a
        push message would tell it - so the map keeps the story that made the change, and the
        trace shows the app catching up at its end. A failure is shown in place.
        """
        notice = self.query_one(self.REFRESH_NOTICE, Notice)
        token = current_span.set(Span(trace_id, ""))
        ok = True
        try:
            said = await self.refetch(parts)
            if said is not None:
                notice.show(said, "ok")
        except FaceError as exc:
            ok = False
            notice.show(str(exc), "failed")
        except Exception as exc:  # a face must never take the app down
            log.exception("%s refresh of %s failed", self.service, sorted(parts))
            ok = False
            notice.show(plain(_("Something went wrong: {error}"), error=exc), "failed")
        finally:
            current_span.reset(token)
        self.post_message(Face.Refreshed(self.service, parts, trace_id, ok))
