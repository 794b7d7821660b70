"""Stories: run the checkout or the account opening from the UI, at a presenter's pace."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, OptionList, RichLog
from textual.widgets.option_list import Option

from sandbox.scenarios import SCENARIOS, StoryFailed
from sandbox.tui.backend import Backend
from sandbox.tui.i18n import Lazy, TranslatedBindings, language, t
from sandbox.tui.messages import CallsArrived, ServicesUpdated, ShowTrace
from sandbox.tui.widgets.call_map import MAX_ARROWS, CallMap


class StoriesScreen(TranslatedBindings, Screen[None]):
    """The same scripted stories as `sandbox run`, shown on the map as they happen."""

    CSS_PATH = "stories.tcss"
    HELP = Lazy("stories.help")
    BINDINGS = [
        Binding(
            "n",
            "continue",
            t("key.stories.continue"),
            id="stories.continue",
            tooltip=t("key.stories.continue.tip"),
        ),
        Binding(
            "t",
            "open_trace",
            t("key.stories.trace"),
            id="stories.trace",
            tooltip=t("key.stories.trace.tip"),
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self._go = asyncio.Event()
        self.last_trace: str | None = None
        self.waiting = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="controls"):
                yield OptionList(
                    *[Option(t(f"stories.{name}"), id=name) for name in SCENARIOS], id="story-list"
                )
                yield Checkbox(t("stories.step_mode"), id="step-mode")
                yield Button(t("stories.run"), id="run", variant="primary")
                yield RichLog(id="story-log", wrap=True, markup=True, min_width=20)
            yield CallMap(list(self.app.services), animate=self.app.fading)  # type: ignore[attr-defined]
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#story-list", OptionList).highlighted = 0

    @on(Button.Pressed, "#run")
    @on(OptionList.OptionSelected, "#story-list")
    def run_selected(self) -> None:
        index = self.query_one("#story-list", OptionList).highlighted or 0
        self.run_story(list(SCENARIOS)[index])

    @work(exclusive=True, group="story", exit_on_error=False)
    async def run_story(self, name: str) -> None:
        """Run one story; every report line goes to the log, every call to the map."""
        log = self.query_one("#story-log", RichLog)
        log.clear()
        log.write(f"[b]{t(f'stories.{name}')}[/]")
        step_mode = self.query_one("#step-mode", Checkbox).value
        await self.backend.services()  # learn the institutions' URLs

        async def gate(step: str) -> None:
            if step_mode:
                self.waiting = True
                log.write(f"[yellow]{t('stories.waiting', step=step)}[/]")
                self._go.clear()
                await self._go.wait()
                self.waiting = False

        try:
            story = await SCENARIOS[name](
                self.backend.wire, self.backend.world, log.write, gate=gate, lang=language()
            )
        except StoryFailed as exc:
            log.write(f"[red]{t('stories.failed', reason=exc)}[/]")
            return
        except Exception as exc:
            log.write(f"[red]{t('app.failed', what=name, reason=exc)}[/]")
            return
        self.last_trace = story.trace_id
        log.write(f"[green]{t('stories.ok')}[/]  {t('stories.trace', trace=story.trace_id[:12])}")

    def action_continue(self) -> None:
        self._go.set()

    def action_open_trace(self) -> None:
        if self.last_trace:
            self.app.post_message(ShowTrace(self.last_trace))

    @on(CallsArrived)
    def show_calls(self, message: CallsArrived) -> None:
        call_map = self.query_one(CallMap)
        for call in message.calls[-MAX_ARROWS:]:
            call_map.show_call(call)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))
