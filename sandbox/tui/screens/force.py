"""Force a failure at one institution: the next debit refused, the next identity check not
matching... (`sandbox force fail-next`, from the Services screen's Force button).

A presenter shows what an integration does with a rare refusal without draining an account
first; the institution answers in its own dialect when the call comes, and the map shows it.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from sandbox.tui.backend import Backend
from sandbox.tui.i18n import N_, Lazy, TranslatedBindings, _, ngettext

MEANINGS = {
    ("bank", "va-payment"): N_("the next VA payment in the bank app is declined"),
    ("bank", "debit"): N_("the next direct debit is refused (SNAP 4035405 Do Not Honor)"),
    ("bank", "transfer"): N_("the next transfer in the bank app is declined"),
    ("identity", "kyc"): N_("the next verification answers TIDAK SESUAI for every field"),
}
"""What failing each known action means, in the UI's language (the institution's own words,
in English, for an action of a service of the user's)."""

ON_A_TARGET = {
    "bank": (
        ("decline", N_("Decline account")),
        ("undecline", N_("Stop declining")),
        ("expire-va", N_("Expire VA")),
    ),
    "marketplace": (("expire-order", N_("Expire order")),),
}
"""States forced on something the presenter names (an account, a VA, an order), per service;
every service with an outbox can also send a webhook again."""
DONE = {
    "decline": N_("Payments from account {target} are declined."),
    "undecline": N_("Payments from account {target} are no longer declined."),
    "expire-va": N_("Virtual account {target} has expired."),
    "expire-order": N_("Order {target} expired, through the marketplace's own sweep."),
    "refire": N_("Webhook {target} was sent again, with the same event id."),
}


def meaning(service: str, action: str, told: str) -> str:
    """What failing `action` at `service` means, translated when it is one of ours."""
    known = MEANINGS.get((service, action))
    return _(known) if known else told


class ForceDialog(TranslatedBindings, ModalScreen[None]):
    """The actions one institution can be forced to fail; Enter arms the highlighted one."""

    BINDINGS = [
        Binding("escape", "dismiss", Lazy("Close"), id="force.close", tooltip=Lazy("Close")),
    ]
    DEFAULT_CSS = """
    ForceDialog { align: center middle; }
    ForceDialog > Vertical { width: 76; max-width: 95%; height: auto; max-height: 80%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ForceDialog #force-help { margin: 0 0 1 0; }
    ForceDialog #force-actions { height: auto; max-height: 12; }
    ForceDialog #force-target { margin: 1 0 0 0; }
    ForceDialog #force-buttons { height: auto; }
    ForceDialog #force-buttons Button { min-width: 8; margin: 0 1 0 0; }
    """

    def __init__(self, backend: Backend, service: str) -> None:
        super().__init__()
        self.backend = backend
        self.service = service
        self._state: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = _("Force a failure at {service}").format(service=self.service)
            yield Static(
                _(
                    "The institution refuses the next such call in its own dialect; the map "
                    "shows it when it comes. Enter arms one more. Below, force a state on an "
                    "account, a VA, an order or a webhook you name. A reset of the world forgets."
                ),
                id="force-help",
                markup=False,
            )
            yield OptionList(id="force-actions")
            yield Input(
                placeholder=_("Account, VA, order or webhook event id"),
                id="force-target",
                max_length=64,
            )
            with Horizontal(id="force-buttons"):
                for action, words in ON_A_TARGET.get(self.service, ()):
                    yield Button(_(words), id=f"force-{action}")
                yield Button(_("Send webhook again"), id="force-refire")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="force", exit_on_error=False)
    async def load(self) -> None:
        """Ask what can be forced here and what is armed, and list it."""
        try:
            found = await self.backend.forced()
        except Exception as exc:
            self.notify(str(exc), severity="error")
            return
        self._state = found.get(self.service) or {}
        self.show()

    def show(self) -> None:
        options = self.query_one("#force-actions", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        actions: dict[str, str] = self._state.get("actions") or {}
        if not actions:
            options.add_option(
                Option(_("Nothing can be forced at {service}.").format(service=self.service))
            )
            return
        armed: dict[str, int] = self._state.get("fail_next") or {}
        for action, told in actions.items():
            line = Content.assemble((action, "bold"), "  ", meaning(self.service, action, told))
            count = armed.get(action, 0)
            if count:
                waiting = ngettext("next {n} armed", "next {n} armed", count).format(n=count)
                line = Content.assemble(line, "  ", (f"[{waiting}]", "bold"))
            options.add_option(Option(line, id=action))
        options.highlighted = highlighted if highlighted is not None else 0
        options.focus()

    @on(Button.Pressed, "#force-buttons Button")
    def act(self, message: Button.Pressed) -> None:
        target = self.query_one("#force-target", Input).value.strip()
        action = (message.button.id or "").removeprefix("force-")
        if not target:
            self.notify(_("Type what to act on first."), severity="warning")
            return
        self.force(action, target)

    @work(exclusive=True, group="force", exit_on_error=False)
    async def force(self, action: str, target: str) -> None:
        """One state forced on `target`, said in words (or the sandbox's refusal)."""
        try:
            await self.backend.force(action, target)
        except Exception as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(_(DONE[action]).format(target=target), severity="warning")

    @on(OptionList.OptionSelected, "#force-actions")
    def arm(self, message: OptionList.OptionSelected) -> None:
        if message.option.id:
            self.fail_next(message.option.id)

    @work(exclusive=True, group="force", exit_on_error=False)
    async def fail_next(self, action: str) -> None:
        """Arm one failure of `action` and say so."""
        try:
            armed = await self.backend.fail_next(self.service, action)
        except Exception as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(
            ngettext(
                "{service}: the next {action} will fail.",
                "{service}: the next {n} {action} calls will fail.",
                armed,
            ).format(service=self.service, action=action, n=armed),
            severity="warning",
        )
        self._state.setdefault("fail_next", {})[action] = armed
        self.show()
