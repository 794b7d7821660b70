"""Stories: run the checkout, the account opening or an admission from the UI, at a
presenter's pace."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, OptionList, RichLog
from textual.widgets.option_list import Option

from sandbox.scenarios import SCENARIOS, TAKES_PHONE, PhoneReader, StoryFailed
from sandbox.tui.backend import Backend
from sandbox.tui.fault_words import failure_words, faults_on
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import N_, Lazy, TranslatedBindings, _, language
from sandbox.tui.messages import CallsArrived, ServicesUpdated, ShowTrace
from sandbox.tui.starting import sandbox_started
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.toggles import TickBox

TITLES = {
    "checkout": N_("Checkout from a video: pay with Bank Contoh (no jump)"),
    "checkout-va": N_("Checkout from a video: the VA in the bank app (a jump)"),
    "open-account": N_("Open a bank account (identity check)"),
    "admission": N_("Hospital admission (one desk, four back-ends)"),
    "admission-covered": N_("Hospital admission, fully covered (no bill)"),
    "flash-sale": N_("Harbolnas flash sale: 50 buyers race for 2 products (about 30 s)"),
}
"""Each entry of the list (`CHOICES`) as the list names it."""
SALE_BUYERS, SALE_SECONDS = 50, 20
"""A presenter-sized flash sale: long enough to see the load, short enough for a room."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of the list: a story (`SCENARIOS`) and the options it runs with."""

    id: str
    story: str
    options: tuple[tuple[str, str], ...] = ()


CHOICES = (
    Choice("checkout", "checkout", (("pay", "debit"),)),
    Choice("checkout-va", "checkout", (("pay", "va"),)),
    *(Choice(name, name) for name in SCENARIOS if name != "checkout"),
    Choice("flash-sale", "flash-sale"),
)
"""The stories a presenter can run, the checkout both ways: run one, then the other, and
contrast them (`sandbox run checkout` and `sandbox run checkout --pay va`)."""


def _title(choice: Choice) -> str:
    words = TITLES.get(choice.id)
    return _(words) if words is not None else choice.id


class StoriesScreen(TranslatedBindings, Screen[None]):
    """The same scripted stories as `sandbox run`, shown on the map as they happen."""

    CSS_PATH = "stories.tcss"
    HELP = Lazy("""\
# Stories

The stories are the same code as `sandbox run checkout`, `open-account`, `admission` and
`admission-covered`: real calls to the running institutions, checked at the end.

The checkout is listed twice, to contrast the two ways to pay: with Bank Contoh inside the app
(the marketplace debits her account; no call from her phone to the bank) and by virtual account
in her bank app (`--pay va`: the jump). Run one, then the other, and compare the maps.

- Choose a story and press **Run** (or **Enter**).
- Tick **Pause before each step** to present at your own pace: the story waits before each
  step until you press **n**.
- When it finishes, **t** opens its trace in the player.

The last entry is Harbolnas 12.12 in small: a flash sale of 50 buyers racing for 2 products
(`sandbox run flash-sale --buyers 50 --duration 20`). The map's load panel shows each edge's
calls per second, p95 and errors while it runs; the report and its invariants (never
oversold, money conserved, every buyer told why) come at the end.
""")
    BINDINGS = [
        Binding(
            "n",
            "continue",
            Lazy("Continue"),
            id="stories.continue",
            tooltip=Lazy("Let the paused story take its next step"),
        ),
        Binding(
            "t",
            "open_trace",
            Lazy("Open trace"),
            id="stories.trace",
            tooltip=Lazy("Open the last story's trace in the player"),
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
                    *[Option(_title(choice), id=choice.id) for choice in CHOICES], id="story-list"
                )
                yield TickBox(_("Pause before each step"), id="step-mode")
                yield Button(_("Run"), id="run", variant="primary")
                yield RichLog(id="story-log", wrap=True, markup=False, min_width=20)
            yield CallMap(list(self.app.services), animate=self.app.fading)  # type: ignore[attr-defined]
        yield StageFooter()

    def on_mount(self) -> None:
        self.query_one("#story-list", OptionList).highlighted = 0
        self.app.world_reset.subscribe(self, self.forget_world)  # type: ignore[attr-defined]

    @on(Button.Pressed, "#run")
    @on(OptionList.OptionSelected, "#story-list")
    def run_selected(self) -> None:
        index = self.query_one("#story-list", OptionList).highlighted or 0
        self.run_story(CHOICES[index])

    @work(exclusive=True, group="story", exit_on_error=False)
    async def run_story(self, choice: Choice) -> None:
        """Run one story; every report line goes to the log, every call to the map."""
        name = choice.story
        log = self.query_one("#story-log", RichLog)
        log.clear()
        log.write(Text(_title(choice), style="bold"))
        faults = faults_on(self.app.services)  # type: ignore[attr-defined]
        if faults:  # a fault left from a rehearsal: say so before the room sees it fail
            warning = _("Faults are on: {faults}. ctrl+f clears them.").format(faults=faults)
            log.write(self._said(warning, "text-warning"))
        step_mode = self.query_one("#step-mode", Checkbox).value
        await sandbox_started(self.backend)  # run in the first second: wait for the sandbox
        await self.backend.services()  # learn the institutions' URLs
        if name == "flash-sale":
            await self.run_sale(log)
            return

        async def gate(step: str) -> None:
            if step_mode:
                self.waiting = True
                paused = _("Paused before: {step}  (press n to continue)").format(step=step)
                log.write(self._said(paused, "text-warning"))
                self._go.clear()
                await self._go.wait()
                self.waiting = False

        try:
            # Her phone (the bank texts her a code) is read through the control API.
            phone = {"phone": PhoneReader(self.backend.sms)} if name in TAKES_PHONE else {}
            story = await SCENARIOS[name](
                self.backend.wire,
                self.backend.world,
                lambda line: log.write(Text(line)),
                gate=gate,
                lang=language(),
                **phone,
                **dict(choice.options),
            )
        except StoryFailed as exc:
            failed = _("Did not end as the story says: {reason}").format(reason=exc)
            log.write(self._said(failed, "text-error"))
            return
        except Exception as exc:
            why = failure_words(exc, self.app.services)  # type: ignore[attr-defined]
            failed = _("The story could not go on: {why}.").format(why=why)
            log.write(self._said(failed, "text-error"))
            return
        self.last_trace = story.trace_id
        ok, trace = _("Finished as the story says."), _("trace {trace} (t)")
        line = self._said(ok, "text-success")
        line.append("  " + trace.format(trace=story.trace_id[:12]))
        log.write(line)

    async def run_sale(self, log: RichLog) -> None:
        """A presenter-sized `sandbox run flash-sale`: the crowd from Locust in a child
        process, the map's load panel live meanwhile, the report and invariants at the end."""
        from sandbox.load.sale import SaleError, SaleOptions, flash_sale

        target = await self.backend.sale_target()
        if target is None:
            log.write(
                self._said(_("A flash sale needs a running sandbox's control API."), "text-error")
            )
            return
        log.write(Text(_("The crowd is on its way; the map shows the load (p toggles it).")))
        workdir = Path(tempfile.mkdtemp(prefix="sandbox-sale-"))

        def say(line: str) -> None:
            self.app.call_from_thread(log.write, Text(line))

        options = SaleOptions(buyers=SALE_BUYERS, duration_s=SALE_SECONDS, products=2)
        try:
            report = await asyncio.to_thread(
                flash_sale, target, self.backend.world, options, workdir, say
            )
        except SaleError as exc:
            log.write(self._said(str(exc), "text-error"))
            return
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        for line in report.lines():
            log.write(Text(line))
        if report.ok:
            log.write(self._said(_("The invariants hold."), "text-success"))
        else:
            log.write(self._said(_("An invariant does not hold."), "text-error"))

    def _said(self, line: str, colour: str) -> Text:
        """A line of the story log in one of the theme's text colours (never read as markup:
        a story's lines carry what the institutions answered)."""
        value = self.app.theme_variables.get(colour, "")
        return Text(line, style=f"bold {value}" if value.startswith("#") else "bold")

    def action_continue(self) -> None:
        self._go.set()

    def forget_world(self, _reset: None = None) -> None:
        """After ctrl+r: a running or paused story belongs to the old world; stop it."""
        stopped = any(w.group == "story" and w.is_running for w in self.workers)
        self.workers.cancel_group(self, "story")
        self.waiting = False
        self._go.set()
        self.query_one(CallMap).clear()
        if stopped:
            line = _("Stopped: the world was reset.")
            self.query_one("#story-log", RichLog).write(self._said(line, "text-warning"))

    def action_open_trace(self) -> None:
        if self.last_trace:
            self.app.post_message(ShowTrace(self.last_trace))

    @on(CallsArrived)
    def show_calls(self, message: CallsArrived) -> None:
        call_map = self.query_one(CallMap)
        call_map.show_calls(message.calls)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))
