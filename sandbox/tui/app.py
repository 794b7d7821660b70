"""SandboxApp: the stage. Thin: modes, global keys, the live event pump, theme and language.

Screens get what they need from the app's backend; the app only moves data around: it follows
the sandbox's event stream, batches calls every 0.1 s for the showing screen, and refreshes the
institutions' health every second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ScreenStackError, SystemCommand, UnknownModeError
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal

from sandbox.runtime import heap
from sandbox.runtime.models import ServiceInfo, Webhook
from sandbox.runtime.stage_view import StageView
from sandbox.trace.events import HttpCall
from sandbox.tui import footer, i18n
from sandbox.tui.app_keys import APP_BINDINGS, keyed_commands
from sandbox.tui.backend import Backend
from sandbox.tui.following import (
    FOLLOW_SECONDS,
    PUBLISH_SECONDS,
    RETRY_SECONDS,
    follower_title,
    stage_view,
)
from sandbox.tui.i18n import _, textual_command
from sandbox.tui.lesson_session import LessonSession
from sandbox.tui.messages import (
    CallsArrived,
    EditCall,
    ServicesUpdated,
    ShowTrace,
    WebhooksUpdated,
)
from sandbox.tui.modes import LATER_SCREENS, later_screen, lesson_screen
from sandbox.tui.read_only import ACTING, FOLLOWING_MODES, ReadOnlyBackend, refused
from sandbox.tui.screens.map import MapScreen
from sandbox.tui.starting import StartingBackend
from sandbox.tui.themes import DARK, SERVICE_COLORS, THEME_OBJECTS, next_theme
from sandbox.tui.undelivered import given_up_words, newly_dead
from sandbox.tui.widgets.call_actions import CallActions

log = logging.getLogger(__name__)
footer.install()

DRAIN_SECONDS = 0.1
HEALTH_SECONDS = 1.0
WEBHOOK_SECONDS = 3.0
"""Undelivered webhooks change at the pace of their retries: seconds, not frames."""
TOLD_AT_ONCE = 3
"""Dead letters said as toasts per poll; the map's caption counts them all."""
SETTLE_SECONDS = 1.0
"""From the first frame to the end of the start's pause of the garbage collector."""


class SandboxApp(App[None]):
    """The integration sandbox's terminal UI."""

    CSS_PATH = "app.tcss"
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        backend: Backend,
        *,
        lang: str = "en",
        animate: bool = True,
        screenshot_dir: Path | None = None,
        live: bool = True,
        lesson: LessonSession | None = None,
        theme: str = DARK,
        read_only: bool = False,
    ) -> None:
        """Args:
        backend: The sandbox, as the UI sees it.
        lang: `en` or `id`.
        animate: Fade arrows (False for tests and snapshots).
        screenshot_dir: Where ctrl+s saves SVGs.
        live: Follow the event stream and poll health (False for snapshots).
        lesson: A lesson to open (`sandbox learn`, `sandbox present`): adds the lesson mode
            (key 8) and starts in it; the app closes its runner on exit.
        theme: One of `sandbox.tui.themes` (dark, light, high contrast).
        read_only: Follow the presenter's sandbox without changing it (`sandbox serve
            --followers`): no reset, faults, composer, app faces, stories or lessons
            (`sandbox.tui.read_only`).
        """
        i18n.set_language(lang)
        super().__init__()
        for item in THEME_OBJECTS:
            self.register_theme(item)
        self.theme = theme
        self.read_only = read_only
        """A student's page: it watches and changes nothing (`sandbox.tui.read_only`)."""
        self.backend: Backend = ReadOnlyBackend(backend) if read_only else backend
        self.fading = animate
        """False in tests and snapshots: arrows stay until cleared instead of fading."""
        self.live = live
        """False in snapshot tests: no event pump, no health polling."""
        self.screenshot_dir = screenshot_dir or Path.cwd()
        self.exports_dir = self.screenshot_dir.parent / "exports"
        """Where the trace player writes a trace's exports (`e`): beside the screenshots."""
        self.world_reset: Signal[None] = Signal(self, "world-reset")
        """Published after ctrl+r restored the world: screens stop stories and clear maps."""
        self.services: tuple[ServiceInfo, ...] = ()
        self.webhooks: tuple[Webhook, ...] = ()
        """Webhooks not delivered yet, as last polled (`sandbox.tui.undelivered`)."""
        self._told_dead: set[tuple[str, str]] = set()
        self._unreachable = False
        self.taps: dict[str, str] = {}
        """Trace id -> the tap on an app face that caused it."""
        self._pending: list[HttpCall] = []
        self._published: StageView | None = None
        """What this UI last told followers it shows (`sandbox.tui.following`)."""
        self.following = read_only
        """A follower's page goes where the presenter is (key 0 stops and resumes it)."""
        self.presenter_view: StageView | None = None
        """What the presenter's stage shows, as a follower last read it."""
        self.title = _("Integration sandbox")
        if read_only:
            self.sub_title = _("read-only: following the presenter")
        self.add_mode("map", lambda: MapScreen(self.backend))
        # The other screens are imported when first shown: the map is the first screen, and
        # importing them all before it took about a third of the UI's start.
        for mode, module, name in LATER_SCREENS:
            self.add_mode(mode, later_screen(module, name, self.backend))
        self.lesson = lesson
        """The open lesson, if any: its mode is an addition to the others, not a separate app."""
        if lesson is not None:
            self.add_mode("lesson", lambda: lesson_screen(self.backend, lesson))
        elif read_only:  # the presenter's lesson, narration and verdict, read-only
            self.add_mode(
                "lesson", later_screen("followed_lesson", "FollowedLessonScreen", self.backend)
            )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Per-institution colours (`$svc-bank`...), overridable by themes."""
        return {**super().get_theme_variable_defaults(), **SERVICE_COLORS}

    async def on_mount(self) -> None:
        if isinstance(self.backend, StartingBackend):
            self.wait_for_the_sandbox(self.backend)
        await self.refresh_services()
        await self.switch_mode("lesson" if self.lesson is not None else "map")
        if self.live:
            self.follow_events()
            self.set_interval(DRAIN_SECONDS, self.drain_events)
            self.set_interval(HEALTH_SECONDS, self.refresh_services)
            self.set_interval(WEBHOOK_SECONDS, self.refresh_webhooks)
            if self.read_only:
                self.follow_presenter()
            else:
                self.set_interval(PUBLISH_SECONDS, self.publish_stage)

    def on_ready(self) -> None:
        """The first frame is painted: a second later, collect what the start left, freeze
        what it built and switch the garbage collector on again, if the command line paused
        it (sandbox/runtime/heap.py). The collection holds the GIL for about 40 ms: not while
        the driver's thread is still writing the first frame to the terminal."""
        self.set_timer(SETTLE_SECONDS, heap.settle_after_start)

    async def on_unmount(self) -> None:
        if self.lesson is not None:
            try:
                await self.lesson.runner.aclose()
            except Exception:  # closing at exit: nothing left to tell the person
                log.info("closing the lesson runner failed", exc_info=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Key 8 exists only when a lesson is open (for a follower: the presenter's); a
        follower's page has no key that acts, and only it has the key that follows."""
        if action == "toggle_following":
            return self.read_only
        if action == "switch_mode" and parameters == ("lesson",) and not self._has_lesson():
            return False
        if self.read_only:
            if action == "switch_mode":
                return parameters[:1] != () and parameters[0] in FOLLOWING_MODES
            return action not in ACTING
        return True

    def _has_lesson(self) -> bool:
        """A lesson is open here, or (on a follower's page) on the presenter's screen."""
        view = self.presenter_view
        return self.lesson is not None or (view is not None and view.lesson is not None)

    async def action_switch_mode(self, mode: str) -> None:
        """Show another mode; a follower's page shows only what it may watch."""
        if self.read_only and mode not in FOLLOWING_MODES:
            refused(self)
            return
        self.switch_mode(mode)

    # -- the stage: what the presenter shows, followed ----------------------------------------

    @work(group="follow", exit_on_error=False)
    async def follow_presenter(self) -> None:
        """A follower's page: ask what the presenter shows, and go there when it changed
        (the sandbox answers "unchanged" until then)."""
        tag = ""
        while True:
            try:
                shown = await self.backend.stage(tag)
                if shown is not None:
                    tag = shown.tag
                    await self.presenter_moved(shown.view)
            except Exception:  # an unreachable sandbox is said by the health check
                log.debug("could not follow the presenter", exc_info=True)
            await asyncio.sleep(FOLLOW_SECONDS)

    async def presenter_moved(self, view: StageView | None) -> None:
        """The presenter's stage shows `view` now: follow it, unless the student stopped."""
        had_lesson = self._has_lesson()
        self.presenter_view = view
        if had_lesson != self._has_lesson():
            self.refresh_bindings()  # key 8 comes or goes with the presenter's lesson
        self.sub_title = follower_title(self.following, view, FOLLOWING_MODES)
        if self.following and view is not None:
            await self.go_to_presenter(view)

    async def go_to_presenter(self, view: StageView) -> None:
        """Show what the presenter shows, where a follower may look: the same screen, and on
        it the same trace and arrow, or the same lesson step."""
        if view.mode not in FOLLOWING_MODES or (view.mode == "lesson" and view.lesson is None):
            return  # a screen that acts (apps, composer...): stay on the one shown
        if self.current_mode != view.mode:
            await self.switch_mode(view.mode)
        stack = self.screen_stack
        follow = getattr(stack[0], "follow_stage", None) if stack else None
        if callable(follow):
            follow(view)

    async def action_toggle_following(self) -> None:
        """Stop following the presenter to look around, or follow again (and go there now)."""
        if not self.read_only:
            return
        self.following = not self.following
        self.sub_title = follower_title(self.following, self.presenter_view, FOLLOWING_MODES)
        if self.following and self.presenter_view is not None:
            await self.go_to_presenter(self.presenter_view)
        self.notify(
            _("Following the presenter again.")
            if self.following
            else _("Not following: look around on your own; 0 follows the presenter again."),
            timeout=4,
        )

    # -- live data ---------------------------------------------------------------------------

    @work(group="events", exit_on_error=False)
    async def follow_events(self) -> None:
        """Follow the event stream for the app's lifetime, reconnecting when it drops."""
        while True:
            try:
                async for call in self.backend.events():
                    self._pending.append(call)
            except Exception:  # the stream is gone; refresh_services tells the person, once
                log.info("event stream lost", exc_info=True)
            await asyncio.sleep(1.0)

    def _showing(self) -> Screen[object] | None:
        """The showing screen, or None: a timer can fire while the app quits or switches
        modes, when no screen shows, and that must not crash the app."""
        try:
            return self.screen
        except (ScreenStackError, UnknownModeError):
            return None

    def drain_events(self) -> None:
        """Hand the calls that arrived since last time to the showing screen (they wait for
        the next tick while no screen shows)."""
        screen = self._showing()
        if self._pending and screen is not None:
            batch, self._pending = tuple(self._pending), []
            screen.post_message(CallsArrived(batch))

    async def refresh_services(self) -> None:
        """Fetch health, counts and faults; tell the showing screen."""
        try:
            self.services = tuple(await self.backend.services())
        except Exception as exc:
            if not self._unreachable:  # say it once per outage, not every second
                self._unreachable = True
                self.notify(
                    _("The sandbox does not answer ({reason}). Is it still running?").format(
                        reason=str(exc) or type(exc).__name__
                    ),
                    severity="error",
                    timeout=8,
                )
            self.services = tuple(replace(s, health="unreachable") for s in self.services)
        else:
            if self._unreachable:
                self._unreachable = False
                self.notify(_("Connected to the sandbox again."))
        screen = self._showing()
        if screen is not None:
            screen.post_message(ServicesUpdated(self.services))

    def stage_view(self) -> StageView | None:
        """What this UI shows the room now (None before its first screen)."""
        try:
            stack = self.screen_stack
        except KeyError:  # no screen shows: the app quits or switches modes
            return None
        return stage_view(self.current_mode, stack[0] if stack else None, self.lesson)

    def publish_stage(self) -> None:
        """The presenter's UI tells followers' pages what it shows, when that changed. Looked
        at on a timer, so a burst of keys is one document and no key waits for the network."""
        view = self.stage_view()
        if view is not None and view != self._published:
            self._published = view
            self.put_stage(view)

    @work(exclusive=True, group="stage", exit_on_error=False)
    async def put_stage(self, view: StageView) -> None:
        """Put what the stage shows on the control API; a newer view cancels this one."""
        try:
            await self.backend.show_stage(view)
        except Exception:  # followers wait; the presenter is never interrupted for it
            log.info("could not say what the stage shows", exc_info=True)
            self.set_timer(RETRY_SECONDS, self._forget_published)

    def _forget_published(self) -> None:
        """Say what the stage shows again at the next look (after a failed publish)."""
        self._published = None

    @work(exclusive=True, group="starting", exit_on_error=False)
    async def wait_for_the_sandbox(self, backend: StartingBackend) -> None:
        """The map is up before the sandbox this app started: once it answers, show its
        institutions at once; if it never does, close (the command says why)."""
        try:
            await backend.come_up()
        except Exception:
            self.exit(return_code=1)
            return
        await self.refresh_services()

    async def refresh_webhooks(self) -> None:
        """Fetch the webhooks not delivered; say each one given up, once."""
        try:
            found = tuple(await self.backend.webhooks())
        except Exception:  # an unreachable sandbox is said by the health check
            log.debug("could not read the undelivered webhooks", exc_info=True)
            return
        titles = {s.name: s.title for s in self.services}
        for hook in newly_dead(found, self._told_dead)[:TOLD_AT_ONCE]:
            self.notify(
                given_up_words(hook, titles),
                title=_("Webhook given up"),
                severity="warning",
                timeout=10,
            )
        self.webhooks = found
        screen = self._showing()
        if screen is not None:
            screen.post_message(WebhooksUpdated(found))

    # -- actions -----------------------------------------------------------------------------

    async def on_show_trace(self, message: ShowTrace) -> None:
        """Open a trace in the player, from any screen."""
        await self.switch_mode("trace")
        self.screen.post_message(ShowTrace(message.trace_id, message.span_id, message.checks))

    @on(CallActions.EditRequested)
    async def open_call_in_composer(self, message: CallActions.EditRequested) -> None:
        """`e` on a recorded call, from any screen that shows one: the composer, with it."""
        if refused(self):
            return
        await self.switch_mode("composer")
        self.screen.post_message(EditCall(message.call))

    def action_help(self) -> None:
        """Explain the showing screen."""
        from sandbox.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(getattr(self.screen, "HELP", None) or ""))

    def action_save_svg(self) -> None:
        """Save an SVG of the screen, for slides (not from a follower's page: the file would
        land on the presenter's disk)."""
        if refused(self):
            return
        try:
            self.screenshot_dir.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(self.screenshot_dir))
        except OSError as exc:
            what = _("Screenshot")
            self.notify(
                _("{what} failed: {reason}").format(what=what, reason=str(exc)), severity="error"
            )
            return
        self.notify(_("Screenshot saved to {path}").format(path=path))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast, never read as markup: what it says often carries text from the wire (an
        institution's error message, a path), which could hold `[b]` or `[@click=...]`.
        Widgets' `notify` ask for markup by default; it is refused here for every toast."""
        if timeout is None:
            super().notify(message, title=title, severity=severity, markup=False)
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_command_palette(self) -> None:
        """Textual's command palette, with its search prompt in the UI's language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def action_toggle_theme(self) -> None:
        """Dark, light, high contrast: whichever the room's projector shows best."""
        self.theme = next_theme(self.theme)

    @work(group="reset", exclusive=True, exit_on_error=False)
    async def action_reset_world(self) -> None:
        """Start again from the seeded world: every institution's data restored, every fault
        cleared, paused stories stopped, the counters and the maps cleared."""
        if refused(self):
            return
        try:
            await self.backend.reset()
            await self.backend.clear_faults()
        except Exception:
            self.notify(
                _("The world could not be reset: the sandbox did not answer."), severity="error"
            )
            return
        self.world_reset.publish(None)
        self.notify(_("The seeded world is restored: no faults, no paused story, counters at 0."))
        await self.refresh_services()

    @work(group="faults", exclusive=True, exit_on_error=False)
    async def action_clear_faults(self) -> None:
        """Make every institution healthy again, whatever was injected."""
        if refused(self):
            return
        try:
            await self.backend.clear_faults()
        except Exception:
            self.notify(
                _("The faults could not be cleared: the sandbox did not answer."), severity="error"
            )
            return
        self.notify(_("Every fault is cleared: the institutions answer normally."))
        await self.refresh_services()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every keyed action is also a palette command, titled "area: action"."""
        for command in super().get_system_commands(screen):  # Textual's own, in English
            yield textual_command(command)
        yield from keyed_commands(screen)
