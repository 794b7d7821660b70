"""The marketplace's checkout page inside Klip (an in-app web view), with its two ways to pay.

- **Pay with Bank Contoh** (direct debit): the buyer stays in the video app. The first time the
  page asks for the phone number registered at her bank; the bank texts her a code (her phone
  shows it); she types it here - never in the bank's app - and the marketplace debits her
  account. Once bound, later purchases are debited at once (or with a code above the bank's
  limit without one).
- **Pay by virtual account**: the page shows the VA number to pay in her bank's app: the jump.

The view only draws and asks; it posts what the buyer chose or typed (`WayChosen`,
`PhoneTyped`, `CodeTyped`) and its face makes the calls. What the marketplace answered is
shown as escaped values, never read as markup.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Static

from sandbox.tui.i18n import N_, _
from sandbox.tui.widgets.faces.face import Notice, lookup, moment, plain, rupiah, text

STATUSES = {
    "UNPAID": N_("Waiting for payment"),
    "AWAITING_SHIPMENT": N_("Paid - waiting for shipment"),
    "AWAITING_COLLECTION": N_("Waiting for the courier"),
    "IN_TRANSIT": N_("On its way"),
    "DELIVERED": N_("Delivered"),
    "COMPLETED": N_("Completed"),
    "CANCELLED": N_("Cancelled"),
}
"""The marketplace's order statuses, in the storefront's words."""


def status_label(status: object) -> str:
    """What the storefront calls an order status, in words."""
    words = STATUSES.get(str(status))
    return plain(_(words)) if words is not None else str(status)


class CheckoutView(VerticalGroup):
    """The checkout page: the order, then Pay with Bank Contoh or Pay by virtual account."""

    DEFAULT_CSS = """
    CheckoutView {
        height: auto; margin-top: 1; padding: 0 1; border: round $secondary;
        border-title-color: $text-secondary; display: none;
        &.-shown { display: block; }
        .checkout--ways { height: auto; margin-top: 1; }
        .checkout--ways Button { margin-bottom: 1; }
        .checkout--step, .checkout--va { height: auto; display: none; }
        .checkout--step.-shown, .checkout--va.-shown { display: block; }
        Input { margin-top: 1; background: $boost; }
    }
    """

    class WayChosen(Message):
        """The buyer chose how to pay: `debit` (with Bank Contoh) or `va` (virtual account)."""

        def __init__(self, way: str) -> None:
            super().__init__()
            self.way = way

    class PhoneTyped(Message):
        """She typed the phone number the marketplace asked for (to bind her account)."""

        def __init__(self, phone: str) -> None:
            super().__init__()
            self.phone = phone

    class CodeTyped(Message):
        """She typed the code her bank texted her."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page: dict[str, Any] | None = None
        """The checkout page last shown."""
        self.step = ""
        """What the page asks for now: `phone`, `code`, or nothing."""

    def compose(self) -> ComposeResult:
        yield Static(id="checkout-page")
        with VerticalGroup(classes="checkout--ways", id="pay-ways"):
            yield Button(
                plain(_("Pay with Bank Contoh")),
                variant="primary",
                compact=True,
                id="pay-bank",
                tooltip=plain(_("Pay right here: Pasarloka debits your Bank Contoh account")),
            )
            yield Button(
                plain(_("Pay by virtual account")),
                compact=True,
                id="pay-va",
                tooltip=plain(_("Get a VA number to pay in your bank's app (a jump)")),
            )
        with VerticalGroup(classes="checkout--step", id="debit-step"):
            yield Static(id="debit-says")
            yield Input(
                placeholder=plain(_("Phone number registered at Bank Contoh")),
                id="debit-phone",
                max_length=30,
                restrict=r"[0-9 +().\-]*",
            )
            yield Input(
                placeholder=plain(_("6-digit code from the SMS")),
                id="debit-code",
                max_length=6,
                restrict=r"[0-9]*",
            )
            yield Button(plain(_("Continue")), variant="success", compact=True, id="debit-go")
        yield Static(classes="checkout--va", id="va-block")
        yield Notice(id="pay-notice")

    @property
    def notice(self) -> Notice:
        """Where the payment steps say how they went."""
        return self.query_one("#pay-notice", Notice)

    # -- what the face shows -----------------------------------------------------------------

    def show_page(self, page: dict[str, Any]) -> None:
        """The order as the marketplace serves it; the ways to pay while it waits for one."""
        self.page = page
        items = "\n".join(
            plain(_("{qty}× {name}"), qty=lookup(i, "quantity"), name=lookup(i, "name"))
            for i in page.get("items") or []
            if isinstance(i, dict)
        )
        self.query_one("#checkout-page", Static).update(
            text(
                _("""\
[b]{shop}[/b]
{items}

Order  {order}
Status {status}
Total  [b]{total}[/b]"""),
                shop=page.get("shop_name", ""),
                items=items,
                order=page.get("order_id"),
                status=status_label(page.get("status")),
                total=rupiah(page.get("total_amount")),
            )
        )
        unpaid = page.get("status") == "UNPAID"
        self.query_one("#pay-ways").display = unpaid
        if not unpaid:
            self._ask("")
            self.query_one("#va-block").remove_class("-shown")
        if page.get("paid_with") is not None:
            self.notice.show(self._paid_words(page), "ok")
        self.add_class("-shown")

    def show_ways(self) -> None:
        """Scroll the page into view, down to its ways to pay."""
        self.scroll_visible(animate=False, top=True)
        self.query_one("#pay-ways").scroll_visible(animate=False)

    def _paid_words(self, page: dict[str, Any]) -> Content:
        if page.get("paid_with") == "direct_debit":
            return text(
                _("Paid [b]{amount}[/b] with Bank Contoh {account}, without leaving Klip."),
                amount=rupiah(page.get("total_amount")),
                account=lookup(page, "direct_debit", "masked_account") or "",
            )
        return text(
            _("Paid [b]{amount}[/b] by virtual account."), amount=rupiah(page.get("total_amount"))
        )

    def show_va(self) -> str:
        """The VA to pay in the bank's app; returns its digits ("" when the page has none)."""
        page = self.page or {}
        va = str(lookup(page, "payment", "virtual_account_no") or "")
        block = self.query_one("#va-block", Static)
        block.update(
            text(
                _("""\
Pay to {bank} VA
[b reverse] {va} [/]
Pay before {expires}
Open your bank's app to pay it."""),
                bank=lookup(page, "payment", "bank") or "?",
                va=va.strip() or "?",
                expires=moment(lookup(page, "payment", "expires_at")),
            )
        )
        self._ask("")
        block.add_class("-shown")
        return "".join(va.split())

    def ask_phone(self, number: str) -> None:
        """Her account is not bound yet: the page asks for the phone registered at her bank
        (filled as her phone's keyboard suggests it; she may type another)."""
        self.query_one("#va-block").remove_class("-shown")
        self.query_one("#debit-says", Static).update(
            text(
                _(
                    "Bind your Bank Contoh account to Pasarloka once: type the phone number "
                    "registered at your bank. Bank Contoh will text you a code."
                )
            )
        )
        phone = self.query_one("#debit-phone", Input)
        if not phone.value:
            phone.value = number
        self._ask("phone")

    def ask_code(self, answer: dict[str, Any]) -> None:
        """The bank texted her a code: the page asks for it (binding, or this payment)."""
        self.query_one("#va-block").remove_class("-shown")
        words = (
            _(
                "Bank Contoh texted a code to {phone}. Type it here to bind your account and "
                "pay {amount}. The code lasts until {expires}."
            )
            if answer.get("code_for") == "binding"
            else _(
                "Bank Contoh texted a code to {phone} to confirm this payment of {amount} "
                "(above your limit without a code). The code lasts until {expires}."
            )
        )
        self.query_one("#debit-says", Static).update(
            text(
                words,
                phone=answer.get("masked_phone") or "?",
                amount=rupiah(answer.get("amount")),
                expires=moment(answer.get("otp_expires_at")),
            )
        )
        self.query_one("#debit-code", Input).value = ""
        self._ask("code")

    def back_to_ways(self) -> None:
        """The attempt ended (a code too late, three wrong): she chooses how to pay again."""
        self._ask("")
        self.query_one("#pay-ways").scroll_visible(animate=False)

    def clear_code(self) -> None:
        """A wrong code: the field empties for the next try."""
        code = self.query_one("#debit-code", Input)
        code.value = ""
        code.focus()

    def _ask(self, step: str) -> None:
        self.step = step
        self.query_one("#debit-step").set_class(bool(step), "-shown")
        phone, code = self.query_one("#debit-phone", Input), self.query_one("#debit-code", Input)
        phone.display, code.display = step == "phone", step == "code"
        go = self.query_one("#debit-go", Button)
        go.label = plain(_("Send me a code")) if step == "phone" else plain(_("Confirm code"))
        go.refresh(layout=True)
        if step:  # the field and the button under it in view, even on a small screen
            target = phone if step == "phone" else code
            self.call_after_refresh(target.focus, scroll_visible=False)
            self.call_after_refresh(self.query_one("#debit-step").scroll_visible, animate=False)

    def forget(self) -> None:
        """A new order (or a reset world): nothing asked, nothing said."""
        self.page = None
        self._ask("")
        self.query_one("#va-block").remove_class("-shown")
        self.notice.clear()
        self.remove_class("-shown")

    # -- what she does -----------------------------------------------------------------------

    @on(Button.Pressed, "#pay-bank")
    def choose_bank(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.WayChosen("debit"))

    @on(Button.Pressed, "#pay-va")
    def choose_va(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.WayChosen("va"))

    @on(Button.Pressed, "#debit-go")
    @on(Input.Submitted, "#debit-phone, #debit-code")
    def send_typed(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        if self.step == "phone":
            self.post_message(self.PhoneTyped(self.query_one("#debit-phone", Input).value))
        elif self.step == "code":
            self.post_message(self.CodeTyped(self.query_one("#debit-code", Input).value))
