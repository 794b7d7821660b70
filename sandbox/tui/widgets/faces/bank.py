"""Bank Contoh's mobile app: the balance, a virtual account to check and pay, a same-key retry.

The contrast to paying inside the video app: here the buyer jumps to her bank's app and types
(or is handed) the virtual account number from the checkout page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Static

from sandbox.trace.events import HttpCall
from sandbox.tui.clients import BankClient, FaceError
from sandbox.tui.clients.bank import va_paid
from sandbox.tui.i18n import Lazy, _
from sandbox.tui.widgets.faces.face import (
    Face,
    Notice,
    lookup,
    moment,
    plain,
    rupiah,
    text,
)


@dataclass(frozen=True, slots=True)
class _Payment:
    """The last payment sent, kept to re-send it with the same idempotency key."""

    va_no: str
    amount: int
    key: str
    payment_id: str


class BankFace(Face):
    """The bank app: balance, a virtual account to check and pay, and a same-key retry."""

    HELP = Lazy("The buyer's bank app: see the balance, check a virtual account, pay it.")
    DEFAULT_CSS = """
    BankFace {
        .bank--account { background: $boost; padding: 0 1; height: auto; }
        .bank--inquiry { height: auto; margin-top: 1; }
        Input { margin-top: 1; }
        .face--actions { margin-top: 1; }
        .bank--retry { margin-top: 0; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "refresh_balance",
            Lazy("Refresh balance"),
            id="bank.refresh_balance",
            tooltip=Lazy("Ask the bank for the balance again"),
        ),
    ]
    service = "bank"
    REFRESH_NOTICE = "#account-notice"

    class Paid(Message):
        """A virtual account was paid from this app (not sent for same-key retries)."""

        def __init__(self, order_va: str, amount: int) -> None:
            super().__init__()
            self.order_va = order_va
            self.amount = amount

    account_notice = getters.query_one("#account-notice", Notice)
    pay_notice = getters.query_one("#pay-notice", Notice)
    va_input = getters.query_one("#va", Input)

    def __init__(
        self,
        client: BankClient,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.client = client
        """Makes the app's calls as the account holder."""
        self.account: dict[str, Any] | None = None
        """The last account answer (number, name, balance)."""
        self.inquiry: dict[str, Any] | None = None
        """What the bank said about the VA in the input."""
        self.amount: int | None = None
        """The amount Pay will send (from `set_va` or the inquiry)."""
        self.payment: dict[str, Any] | None = None
        """The bank's answer to the last payment or retry."""
        self._va = ""
        self._last: _Payment | None = None

    @property
    def balance(self) -> int | None:
        """The balance last shown."""
        value = lookup(self.account, "balance")
        return value if isinstance(value, int) else None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar(str(self.client.persona.get("account_no", self.client.who)))
        with VerticalScroll(classes="face--body"):
            yield Static(classes="bank--account", id="account")
            yield Notice(id="account-notice")
            yield Static(plain(_("Pay a virtual account")), classes="face--section")
            yield Input(
                placeholder=plain(_("Virtual account number")),
                id="va",
                restrict=r"[0-9 ]*",
                max_length=40,
                tooltip=plain(_("The VA number from the checkout page")),
            )
            with HorizontalGroup(classes="face--actions"):
                yield Button(
                    plain(_("Check")),
                    compact=True,
                    id="check",
                    tooltip=plain(_("Ask the bank who this VA pays and how much")),
                )
                yield Button(
                    plain(_("Pay")),
                    variant="primary",
                    compact=True,
                    id="pay",
                    tooltip=plain(_("Pay the VA with a fresh idempotency key")),
                )
            # Right under Pay, not under the answers: at 80x24 below them it sat under three
            # toasts (tests/tui/test_toasts.py), and it is the presenter's next tap.
            with HorizontalGroup(classes="face--actions bank--retry"):
                yield Button(
                    plain(_("Retry, same key")),
                    compact=True,
                    id="retry",
                    disabled=True,
                    tooltip=plain(
                        _("Send the same payment again with the same key: nothing moves twice")
                    ),
                )
            yield Static(classes="bank--inquiry", id="inquiry")
            yield Notice(id="pay-notice")

    def on_mount(self) -> None:
        self.load()

    def start_over(self) -> None:
        """A reset world has its first balance and no payment: forget the VA and the retry."""
        super().start_over()
        self.inquiry, self.payment, self._last = None, None, None
        self._va = ""
        self.va_input.value = ""
        self._set_amount(None)
        self.query_one("#inquiry", Static).update("")
        self.query_one("#retry", Button).disabled = True
        self.load()

    def action_refresh_balance(self) -> None:
        """Key: ask for the balance again."""
        self.load()

    @work(exclusive=True, group="bank-account", exit_on_error=False)
    async def load(self) -> None:
        """Log in (the actor does, once) and show the holder's name and balance."""

        async def body() -> str:
            await self._refresh_account()
            return plain(_("balance {balance}"), balance=rupiah(self.balance))

        await self.act("load", self.account_notice, body)

    def changed_by(self, call: HttpCall) -> frozenset[str]:
        """Money that left or reached the account elsewhere; the VA on screen being paid."""
        parts = set()
        account_no = str(self.client.persona.get("account_no", ""))
        if self.client.moved_money(call, account_no):
            parts.add("account")
        inquired = self.inquiry is not None and self.inquiry.get("status") != "PAID"
        if inquired and self._va and va_paid(call) == self._va:
            parts.add("inquiry")
        return frozenset(parts)

    async def refetch(self, parts: frozenset[str]) -> Content | None:
        """The balance, and what the bank says about the VA on screen, as they are now."""
        if "account" in parts:
            await self._refresh_account()
        if "inquiry" in parts and self._va:
            await self._inquire()
        return None

    async def _refresh_account(self) -> None:
        self.account = await self.client.account()
        self.query_one("#account", Static).update(
            Content.assemble(
                (str(self.account.get("name", "?")), "bold"),
                "\n",
                text(_("Balance [b]{balance}[/b]"), balance=rupiah(self.account.get("balance"))),
            )
        )

    def set_va(self, va_no: str, amount: int) -> None:
        """Prefill the VA and amount from a checkout page (the screen calls this)."""
        self._va = "".join(va_no.split())
        self.va_input.value = self._va
        self._set_amount(amount)
        self.inquiry = None
        self.query_one("#inquiry", Static).update(
            text(_("Amount [b]{amount}[/b] from checkout"), amount=rupiah(amount))
        )
        self.pay_notice.clear()

    def _set_amount(self, amount: int | None) -> None:
        self.amount = amount
        label = (
            plain(_("Pay")) if amount is None else plain(_("Pay {amount}"), amount=rupiah(amount))
        )
        button = self.query_one("#pay", Button)
        button.label = label
        button.refresh(layout=True)  # a compact button sizes to its label

    @on(Input.Changed, "#va")
    def forget_other_va(self, event: Input.Changed) -> None:
        """Typing another VA drops what was known about the previous one."""
        digits = "".join(event.value.split())
        if digits != self._va:
            self._va = digits
            self.inquiry = None
            self._set_amount(None)
            self.query_one("#inquiry", Static).update("")

    @on(Input.Submitted, "#va")
    @on(Button.Pressed, "#check")
    def tap_check(self, event: Input.Submitted | Button.Pressed) -> None:
        """Check (or Enter in the VA field): an inquiry."""
        event.stop()
        self.check()

    @work(exclusive=True, group="bank-pay", exit_on_error=False)
    async def check(self) -> None:
        """Ask the bank who the VA pays and how much."""

        async def body() -> str:
            found = await self._inquire()
            return plain(
                _("VA {va} pays {name} {amount}"),
                va=self._va,
                name=found.get("name"),
                amount=rupiah(found.get("amount")),
            )

        await self.act("inquiry", self.pay_notice, body)

    async def _inquire(self) -> dict[str, Any]:
        if not self._va:
            raise FaceError(plain(_("Enter a virtual account number first.")))
        found = await self.client.inquire(self._va)
        self.inquiry = found
        amount = found.get("amount")
        self._set_amount(amount if isinstance(amount, int) else None)
        self.query_one("#inquiry", Static).update(
            text(
                _("To [b]{name}[/b]\nAmount [b]{amount}[/b] · {status}\nPay before {expires}"),
                name=found.get("name", "?"),
                amount=rupiah(amount),
                status=found.get("status", "?"),
                expires=moment(found.get("expires_at")),
            )
        )
        return found

    @on(Button.Pressed, "#pay")
    def tap_pay(self, event: Button.Pressed) -> None:
        """Pay."""
        event.stop()
        self.pay()

    @work(exclusive=True, group="bank-pay", exit_on_error=False)
    async def pay(self) -> None:
        """Pay the VA with a fresh idempotency key, then show the new balance."""

        async def body() -> str:
            if self.amount is None:
                await self._inquire()
            if self.amount is None:
                raise FaceError(plain(_("Check the virtual account first.")))
            va, amount, key = self._va, self.amount, self.client.new_key()
            paid = await self._send(va, amount, key)
            self._last = _Payment(va, amount, key, str(paid.get("payment_id", "")))
            self.query_one("#retry", Button).disabled = False
            self.pay_notice.show(
                text(
                    _("Paid [b]{amount}[/b] · reference {reference}"),
                    amount=rupiah(paid.get("amount", amount)),
                    reference=paid.get("reference_no", "?"),
                ),
                "ok",
            )
            await self._refresh_account()
            self.post_message(self.Paid(va, amount))
            return plain(
                _("paid {amount} to VA {va}, balance {balance}"),
                amount=rupiah(amount),
                va=va,
                balance=rupiah(self.balance),
            )

        await self.act("pay", self.pay_notice, body)

    async def _send(self, va: str, amount: int, key: str) -> dict[str, Any]:
        # The key is a secret of this phone's request: it is sent, never shown.
        self.payment = await self.client.pay(va, amount, key)
        return self.payment

    @on(Button.Pressed, "#retry")
    def tap_retry(self, event: Button.Pressed) -> None:
        """Retry, same key."""
        event.stop()
        self.retry()

    @work(exclusive=True, group="bank-pay", exit_on_error=False)
    async def retry(self) -> None:
        """Re-send the last payment with the same idempotency key: nothing moves again."""

        async def body() -> str:
            last = self._last
            if last is None:
                raise FaceError(plain(_("Pay first; then retry with the same key.")))
            again = await self._send(last.va_no, last.amount, last.key)
            payment = str(again.get("payment_id", "?"))
            answered = (
                _("Same key: the bank returned payment {payment} again; nothing moved.")
                if payment == last.payment_id
                else _("The bank answered with payment {payment}.")
            )
            self.pay_notice.show(text(answered, payment=payment), "ok")
            await self._refresh_account()
            return plain(
                _("retried payment {payment} with the same key, balance {balance}"),
                payment=payment,
                balance=rupiah(self.balance),
            )

        await self.act("retry", self.pay_notice, body)
