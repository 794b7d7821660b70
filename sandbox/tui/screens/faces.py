"""The apps people use: the buyer's phone (video app and bank app) or the hospital's desk.

Acting on a face performs the real calls; the face never leaves its own app - the "no jump app"
point made visible - while the taps list says which tap caused which trace. `h` switches between
the phone and the hospital's reception desk: the same pattern, one screen and many back-ends.
"""

from __future__ import annotations

import bisect

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, OptionList
from textual.widgets.option_list import Option

from sandbox.runtime.models import CallFilter
from sandbox.tui.backend import Backend
from sandbox.tui.clients import (
    BankClient,
    CheckoutClient,
    DeskClient,
    PhoneClient,
    SocialClient,
)
from sandbox.tui.footer import StageFooter
from sandbox.tui.i18n import N_, Lazy, TranslatedBindings, _
from sandbox.tui.messages import CallsArrived, ServicesUpdated, ShowTrace
from sandbox.tui.widgets.call_map import CallMap
from sandbox.tui.widgets.faces import BankFace, DeskFace, Face, IkdFace, SocialFace
from sandbox.tui.widgets.faces.desk import DESK, PATIENTS, POLL_SECONDS

PERSONA = "buyer"
MISSED = 500
"""The most calls made while the apps were off screen that they catch up with."""
ACTIONS = frozenset(
    {
        N_("load"),
        N_("buy"),
        N_("orders"),
        N_("browse"),
        N_("inquiry"),
        N_("pay"),
        N_("pay with bank"),
        N_("code"),
        N_("retry"),
        N_("admit"),
        N_("approve"),
        N_("refuse"),
        N_("revoke"),
    }
)
"""What a tap on a face did (`Face.Acted.action`), as the list of taps names it."""


class FacesScreen(TranslatedBindings, Screen[None]):
    """Sari's phone: the video app where she shops and pays, the bank app for the VA way."""

    CSS_PATH = "faces.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    """Narrower than 120 columns the apps fill the width and the map is not shown."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    """Shorter than 32 rows the taps list shrinks and the desk keeps Admit in view."""
    HELP = Lazy("""\
# The apps

On the left is the short-video app (Klip): a video, its product cards, and a **Buy** button.
Buying never leaves the app: the checkout page you see is **served by the marketplace**
(Pasarloka) inside the video app's frame. It offers two ways to pay:

- **Pay with Bank Contoh**: the marketplace debits her bank account; she never leaves Klip and
  her phone never calls the bank. The first time she types her phone number, the bank texts
  her a code (the SMS shows on top of the app) and she types the code in the checkout. Later
  purchases are debited at once (above the bank's limit without a code, with a new code).
- **Pay by virtual account**: the old way, a jump. The checkout shows a VA number, and she pays
  it in her bank app on the right.

Every tap makes real calls between the institutions; the list under the apps says which tap
caused which trace (**Enter** opens it in the player), and the map lights up as they happen.

**h** switches to the hospital's reception desk: pick the patient whose KTP is on the counter
and press **Admit**. The hospital first asks the civil registry for her consent: the request
appears in her IKD app (the national digital ID app) on the phone beside the desk, where she
sees who asks, for what and for how long, and presses **Approve** or **Refuse**. The desk
waits and asks by itself; once she approves, the hospital reaches the civil registry, the
health-records platform, the insurer and, for what insurance does not cover, the bank - the
same pattern as Buy. In her IKD app she can also revoke a consent she gave. Untick the
consent box to see the desk refuse before asking anyone.

The apps follow what happens elsewhere, without a tap: when the order is paid (in the bank
app, by a story or by anyone), the phone shows it paid as soon as the marketplace's webhook
reaches Klip; the desk shows the bill paid when the bank's notification reaches the hospital.
""")
    BINDINGS = [
        Binding(
            "t",
            "open_tap",
            Lazy("Open trace"),
            id="faces.trace",
            show=False,  # like "2 Trace" in the footer; help and the palette list it
            tooltip=Lazy("Open the selected tap's trace"),
        ),
        # One key, two bindings: the footer names where `h` goes from here, not the desk
        # while the desk is shown (check_action keeps the one that applies).
        Binding(
            "h",
            "switch('desk')",
            Lazy("Hospital desk"),
            id="faces.switch",
            tooltip=Lazy("Switch between the buyer's phone and the hospital's reception desk"),
        ),
        Binding(
            "h",
            "switch('faces')",
            Lazy("Buyer's phone"),
            id="faces.switch_back",
            tooltip=Lazy("Switch between the buyer's phone and the hospital's reception desk"),
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self._left_at: int | None = None
        """How many calls were stored when the apps went off screen (None: on screen)."""
        self._tap_starts: list[float] = []
        """When each listed tap was made, in list order."""
        self.showing = "faces"
        """What the switcher shows: "faces" (the phones) or "desk" (the hospital's)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="phones"):
                with ContentSwitcher(initial="faces", id="switcher"):
                    with Horizontal(id="faces"):
                        yield SocialFace(
                            SocialClient(self.backend, PERSONA),
                            CheckoutClient(self.backend, PERSONA),
                            PhoneClient(self.backend.sms, self.backend.world, PERSONA),
                        )
                        yield BankFace(BankClient(self.backend, PERSONA))
                    with Horizontal(id="desk"):
                        live = getattr(self.app, "live", True)  # snapshots: no asking by itself
                        yield DeskFace(
                            DeskClient(self.backend, DESK),
                            self.backend.world,
                            poll=POLL_SECONDS if live else None,
                        )
                        # Her IKD app follows the live trace (a partner's request is a recorded
                        # call) and asks again when the screen comes back; asking every few
                        # seconds would put a call in the class's trace every few seconds.
                        yield IkdFace(self.backend, PATIENTS[0], poll=None)
                yield OptionList(id="taps")
            yield CallMap(list(self.app.services), animate=self.app.fading)  # type: ignore[attr-defined]
        yield StageFooter()

    def on_mount(self) -> None:
        self.query_one("#taps", OptionList).border_title = _("taps → traces")
        self.app.world_reset.subscribe(self, self.start_over)  # type: ignore[attr-defined]

    def start_over(self, _reset: None = None) -> None:
        """After ctrl+r: the apps show the seeded world again, and the map starts empty."""
        self.query_one(CallMap).clear()
        for face in self.query(Face):
            face.start_over()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`h` goes to the desk from the phones and back from the desk."""
        if action == "switch":
            return parameters != (self.showing,)
        return True

    def action_switch(self, to: str) -> None:
        """Key: the buyer's phone, or the hospital's reception desk."""
        switcher = self.query_one("#switcher", ContentSwitcher)
        switcher.current = self.showing = to
        self.refresh_bindings()
        # Focus follows: Admit at the desk, the phone's first control (keys keep working).
        shown = self.query_one(f"#{switcher.current}")
        wanted = shown.query("#admit") if switcher.current == "desk" else shown.query("*")
        target = next((widget for widget in wanted if widget.focusable), None)
        if target is not None:
            target.focus()

    @on(SocialFace.CheckoutShown)
    def prefill_payment(self, message: SocialFace.CheckoutShown) -> None:
        self.query_one(BankFace).set_va(message.va_no, message.amount)

    @on(Face.Acted)
    def list_tap(self, message: Face.Acted) -> None:
        taps = self.query_one("#taps", OptionList)
        mark = "✓" if message.ok else "✕"
        action = _(message.action) if message.action in ACTIONS else message.action
        label = f"{mark} {message.app_name}: {action} — {message.detail}"
        if message.trace_id:
            self.app.taps[message.trace_id] = f"{message.app_name}: {action}"  # type: ignore[attr-defined]
        option = Option(label[:120], id=message.trace_id or None)
        at = bisect.bisect(self._tap_starts, message.started)
        self._tap_starts.insert(at, message.started)
        if at == taps.option_count:
            taps.add_option(option)
        else:  # a slower tap made earlier finished last: it still goes where it was made
            options = [taps.get_option_at_index(i) for i in range(taps.option_count)]
            options.insert(at, option)
            taps.clear_options()
            taps.add_options(options)
        taps.highlighted = at

    @on(OptionList.OptionSelected, "#taps")
    def open_selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id:
            self.app.post_message(ShowTrace(message.option.id))

    def action_open_tap(self) -> None:
        taps = self.query_one("#taps", OptionList)
        if taps.highlighted is not None:
            option = taps.get_option_at_index(taps.highlighted)
            if option.id:
                self.app.post_message(ShowTrace(option.id))

    @on(DeskFace.PatientPicked)
    def show_patients_phone(self, message: DeskFace.PatientPicked) -> None:
        """The patient at the counter holds the phone beside the desk: her IKD app."""
        self.query_one(IkdFace).show_person(message.persona)

    def on_screen_suspend(self) -> None:
        self._remember_where_we_left()
        self.query_one(DeskFace).pause_watching()
        self.query_one(IkdFace).pause_watching()

    def on_screen_resume(self) -> None:
        self._catch_up()
        self.query_one(DeskFace).resume_watching()
        self.query_one(IkdFace).resume_watching()

    @work(exclusive=True, group="faces-away", exit_on_error=False)
    async def _remember_where_we_left(self) -> None:
        """How many calls were stored when another screen came on: live calls reach only
        the screen on show, so the ones after this are fetched when the apps come back."""
        try:
            self._left_at = await self.backend.count(CallFilter())
        except Exception:  # an unreachable sandbox is said by the app's health check
            self._left_at = None

    @work(exclusive=True, group="faces-away", exit_on_error=False)
    async def _catch_up(self) -> None:
        """Back on the apps: the calls made meanwhile (a story paid the order, the bank's
        webhook arrived) change what the phone and the desk show, as if they had been on."""
        left_at, self._left_at = self._left_at, None
        if left_at is None:
            return
        try:
            now = await self.backend.count(CallFilter())
            missed = await self.backend.calls(left_at, min(now - left_at, MISSED), CallFilter())
        except Exception:  # an unreachable sandbox is said by the app's health check
            return
        if missed:
            self.show_calls(CallsArrived(tuple(missed)))

    @on(CallsArrived)
    def show_calls(self, message: CallsArrived) -> None:
        """Draw the calls, and let every face (the hidden desk too) catch up with them."""
        self.query_one(CallMap).show_calls(message.calls)
        for face in self.query(Face):
            face.follow(message.calls)

    @on(ServicesUpdated)
    def show_services(self, message: ServicesUpdated) -> None:
        self.query_one(CallMap).set_services(list(message.services))
