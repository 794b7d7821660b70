"""Klip, the short-video app: a video, its product cards, Buy, and the checkout inside the app.

It teaches "no jump app": the buyer never leaves the social app to buy - the marketplace's
checkout page is shown inside it, framed as an in-app web view (`checkout.CheckoutView`) - and
pays there with Bank Contoh (the marketplace debits her bound account; the bank's code reaches
her phone as an SMS, `texts.PhoneTexts`), or takes the virtual account to her bank app.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable
from typing import Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from sandbox.trace.events import HttpCall
from sandbox.tui.clients import CheckoutClient, FaceError, PhoneClient, SocialClient
from sandbox.tui.clients.social import order_change
from sandbox.tui.i18n import Lazy, _, ngettext
from sandbox.tui.widgets.faces.checkout import CheckoutView, status_label
from sandbox.tui.widgets.faces.face import (
    TAPS_KEPT,
    Face,
    Notice,
    count,
    lookup,
    plain,
    rupiah,
    text,
    title_of,
)
from sandbox.tui.widgets.faces.texts import PhoneTexts
from sandbox.wire.context import current_span

__all__ = ["SocialFace", "status_label"]
log = logging.getLogger(__name__)
_ATTEMPT_ENDED = frozenset({"otp_blocked", "otp_expired", "otp_not_accepted", "order_not_payable"})
"""Refusals after which she chooses how to pay again."""
_TEXTED_BY = ("/v1.0/registration-account", "/v1.0/debit/", "/v1.0/otp-verification")
"""Bank paths whose success texts her phone (a code, a notice of a binding or a debit)."""


def _texts_her(call: HttpCall) -> bool:
    """True when the bank took a call that texts the account holder (any partner's)."""
    return (
        call.callee == "bank"
        and call.method == "POST"
        and call.status is not None
        and 200 <= call.status < 300
        and call.path.split("?", 1)[0].startswith(_TEXTED_BY)
    )


class _BuyButton(Button):
    """The Buy button of one product card."""

    def __init__(self, product_id: int) -> None:
        super().__init__(
            plain(_("Buy")),
            variant="success",
            compact=True,
            tooltip=plain(
                _("Order this product; the marketplace's checkout page opens in the app")
            ),
            classes="social--buy",
        )
        self.product_id = product_id


def _product_card(card: dict[str, Any]) -> VerticalGroup:
    """One product card as the marketplace served it, with its Buy button."""
    product_id = card.get("product_id")
    row = HorizontalGroup(
        Static(
            text(
                _("[b]{price}[/b] · stock {stock}"),
                price=rupiah(card.get("price")),
                stock=card.get("stock"),
            ),
            classes="social--price",
        ),
        *([_BuyButton(product_id)] if isinstance(product_id, int) else []),
        classes="social--price-row",
    )
    return VerticalGroup(
        Static(str(card.get("name", "?"))[:120], classes="social--name"),
        Static(str(card.get("shop_name", ""))[:80], classes="social--shop"),
        row,
        classes="social--card",
    )


class SocialFace(Face):
    """The short-video app: a video, its product cards, Buy, the checkout inside, my orders."""

    HELP = Lazy("The buyer's short-video app: watch, tap Buy, pay without leaving the app.")
    DEFAULT_CSS = """
    SocialFace {
        .face--bar { background: $accent; }
        .social--video { background: $boost; padding: 0 1; height: auto; }
        .social--card { height: auto; margin-top: 1; padding: 0 1; background: $boost; }
        .social--shop { color: $text-muted; }
        .social--price-row { height: 1; }
        .social--price { width: 1fr; }
        .social--orders-head { height: 1; margin-top: 1; }
        .social--orders-head Static { width: 1fr; text-style: bold; color: $text-primary; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "next_video",
            Lazy("Next video"),
            id="social.next_video",
            tooltip=Lazy("Show the next video in the feed"),
        ),
        Binding(
            "p",
            "previous_video",
            Lazy("Previous video"),
            id="social.previous_video",
            show=False,  # the footer keeps room for the screen's keys at 80 columns; n shows
            tooltip=Lazy("Show the previous video in the feed"),
        ),
        Binding(
            "o",
            "refresh_orders",
            Lazy("My orders"),
            id="social.refresh_orders",
            tooltip=Lazy("Ask the app for my orders' latest status"),
        ),
    ]
    service = "social"
    REFRESH_NOTICE = "#orders-notice"
    MAX_ORDERS = 3
    """Orders listed; the rest are counted."""

    class CheckoutShown(Message):
        """She chose to pay by virtual account: the VA to pay in her bank app (the jump)."""

        def __init__(self, order_id: str, va_no: str, amount: int) -> None:
            super().__init__()
            self.order_id = order_id
            self.va_no = va_no
            """Digits only: the bank's padding spaces dropped, as a person would type it."""
            self.amount = amount

    video_notice = getters.query_one("#video-notice", Notice)
    webview = getters.query_one("#webview", CheckoutView)
    orders_notice = getters.query_one("#orders-notice", Notice)

    def __init__(
        self,
        client: SocialClient,
        checkout: CheckoutClient,
        phone: PhoneClient,
        video_id: int = 1,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.client = client
        """Makes the app's calls as the buyer."""
        self.paying = checkout
        """Makes the checkout page's payment steps as the buyer (at the marketplace)."""
        self.phone = phone
        """Her phone's texts (the bank's codes and notices)."""
        self.payment: dict[str, Any] | None = None
        """The marketplace's answer to the last Pay with Bank Contoh step."""
        self._payment_taps: deque[str] = deque(maxlen=TAPS_KEPT)
        self.video_id = video_id
        """The video on screen (or being loaded)."""
        self.video: dict[str, Any] | None = None
        """The last video answer, with its product cards."""
        self.checkout: dict[str, Any] | None = None
        """The last checkout page shown."""
        self._checkout_url = ""
        self.orders: tuple[dict[str, Any], ...] = ()
        """My orders as the app last listed them, newest first."""
        self._feed: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        handle = self.client.persona.get("handle", self.client.who)
        yield from self.compose_bar(plain(_("@{handle}"), handle=handle))
        yield PhoneTexts(id="texts")
        with VerticalScroll(classes="face--body"):
            yield Static(classes="social--video", id="video")
            yield VerticalGroup(classes="social--cards", id="cards")
            yield Notice(id="video-notice")
            webview = CheckoutView(id="webview")
            webview.border_title = plain(
                _("{market} · in-app web view"), market=title_of("marketplace")
            )
            yield webview
            with HorizontalGroup(classes="social--orders-head"):
                yield Static(plain(_("My orders")))
                yield Button(
                    plain(_("Refresh")),
                    compact=True,
                    id="refresh-orders",
                    tooltip=plain(_("Ask the app for my orders' latest status")),
                )
            yield Static(plain(_("No orders yet.")), id="orders")
            yield Notice(id="orders-notice")

    def on_mount(self) -> None:
        self.load()
        self.refresh_orders()
        self.read_texts()

    def start_over(self) -> None:
        """A reset world has no orders and no checkout: show the video and My orders again."""
        super().start_over()
        self.checkout, self._checkout_url, self.orders = None, "", ()
        self.payment = None
        self.webview.forget()
        self.query_one(PhoneTexts).forget()
        self.query_one("#orders", Static).update(self._orders_text(()))
        self.load()
        self.refresh_orders()

    @work(exclusive=True, group="social-video", exit_on_error=False)
    async def load(self, video_id: int | None = None) -> None:
        """Fetch and show a video (the current one unless `video_id` is given)."""
        if video_id is not None:
            self.video_id = video_id
        await self.act("load", self.video_notice, self._load)

    async def _load(self) -> str:
        video = await self.client.video(self.video_id)
        self.video = video
        await self._show_video(video)
        cards = video.get("products")
        count = len(cards) if isinstance(cards, list) else 0
        return plain(
            ngettext(
                "showed video {id} with {count} product card",
                "showed video {id} with {count} product cards",
                count,
            ),
            id=self.video_id,
            count=count,
        )

    async def _show_video(self, video: dict[str, Any]) -> None:
        caption = str(video.get("caption", ""))[:200]
        self.query_one("#video", Static).update(
            Content.assemble(
                text(
                    _("[b]▶ Video {id}[/b] · @{handle}"),
                    id=video.get("video_id", self.video_id),
                    handle=lookup(video, "creator", "handle") or "?",
                ),
                "\n",
                str(lookup(video, "creator", "display_name") or ""),
                "\n",
                text(_("[i]“{caption}”[/i]"), caption=caption),
                "\n",
                text(
                    _("{views} views · ♥ {likes} likes"),
                    views=count(video.get("views")),
                    likes=count(video.get("likes")),
                ),
            )
        )
        holder = self.query_one("#cards", VerticalGroup)
        await holder.remove_children()
        cards = [c for c in video.get("products") or [] if isinstance(c, dict)]
        unavailable = video.get("products_unavailable")
        if cards:
            await holder.mount_all(_product_card(card) for card in cards)
        else:
            await holder.mount(
                Static(str(unavailable or plain(_("No products tagged in this video."))))
            )

    @on(Button.Pressed, ".social--buy")
    def tap_buy(self, event: Button.Pressed) -> None:
        """A product card's Buy button."""
        event.stop()
        if isinstance(event.button, _BuyButton) and not self.buying_now():
            self.buy(event.button.product_id)

    def buying_now(self) -> bool:
        """True while a buy is on its way: a second tap (a double tap) is ignored rather than
        cancel the first half-way, whose order may already exist at the marketplace."""
        return any(w.group == "social-buy" and not w.is_finished for w in self.workers)

    @work(group="social-buy", exit_on_error=False)
    async def buy(self, product_id: int) -> None:
        """Order one of `product_id` from the current video, then show the checkout page."""

        async def body() -> str:
            order = await self.client.buy(self.video_id, product_id)
            self._checkout_url = str(order.get("checkout_url", ""))
            page = await self.client.checkout(self._checkout_url)
            self._show_checkout(page)
            return plain(
                _("ordered product {product}: order {order}, checkout page shown"),
                product=product_id,
                order=page.get("order_id"),
            )

        await self.act("buy", self.video_notice, body)
        if self.checkout is not None:
            self.refresh_orders()

    def _show_checkout(self, page: dict[str, Any], *, fresh: bool = True) -> None:
        """Show the checkout page; a `fresh` one (just bought) starts over and is scrolled
        into view, a page fetched again only changes in place."""
        self.checkout = page
        if fresh:
            self.payment = None
            self.webview.forget()
        self.webview.show_page(page)
        if fresh:  # the ways to pay in view: on a small screen the page's top may scroll off
            self.call_after_refresh(self.webview.show_ways)

    # -- paying on the checkout page ---------------------------------------------------------

    @on(CheckoutView.WayChosen)
    def choose_way(self, message: CheckoutView.WayChosen) -> None:
        """Pay by virtual account hands the VA to the bank app (the jump); Pay with Bank
        Contoh debits her bound account, or first asks for her phone to bind it."""
        message.stop()
        page = self.checkout or {}
        if self.paying_now():
            return
        if message.way == "va":
            va, amount = self.webview.show_va(), lookup(page, "payment", "amount")
            if va and isinstance(amount, int):
                self.post_message(self.CheckoutShown(str(page.get("order_id", "")), va, amount))
        elif lookup(page, "direct_debit", "bound"):
            self.pay_with_bank(None)
        else:
            self.webview.ask_phone(self.phone.number)

    @on(CheckoutView.PhoneTyped)
    def send_phone(self, message: CheckoutView.PhoneTyped) -> None:
        message.stop()
        if not self.paying_now():
            self.pay_with_bank(message.phone)

    @on(CheckoutView.CodeTyped)
    def send_code(self, message: CheckoutView.CodeTyped) -> None:
        message.stop()
        if not self.paying_now():
            self.type_code(message.code)

    def paying_now(self) -> bool:
        """True while a payment step is on its way: a second tap waits for its answer rather
        than cancel it (a step cancelled half-way may have reached the bank)."""
        return any(w.group == "social-pay" and not w.is_finished for w in self.workers)

    @work(group="social-pay", exit_on_error=False)
    async def pay_with_bank(self, phone: str | None) -> None:
        """Pay with Bank Contoh: the marketplace debits her bound account (or binds it with
        `phone` first: the bank texts her a code)."""

        async def body() -> str:
            answer = await self._payment_step(self.paying.pay_with_bank(self._checkout_url, phone))
            return await self._paid_or_asked(answer)

        await self.act("pay with bank", self.webview.notice, body)

    @work(group="social-pay", exit_on_error=False)
    async def type_code(self, code: str) -> None:
        """The code her bank texted her, typed in the checkout (never in the bank's app)."""

        async def body() -> str:
            if len(code) != 6:
                raise FaceError(plain(_("Type the 6-digit code from the SMS.")))
            answer = await self._payment_step(self.paying.type_code(self._checkout_url, code))
            return await self._paid_or_asked(answer)

        await self.act("code", self.webview.notice, body)

    async def _payment_step(self, step: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        """Send one step; a refusal that ends the attempt takes the page back to its start."""
        span = current_span.get()
        if span is not None:  # the tap's trace: the webhooks it sets off land after it
            self._payment_taps.append(span.trace_id)
        try:
            self.payment = await step
        except FaceError as exc:
            if exc.code in ("phone_required", "binding_ended"):
                self.webview.ask_phone(self.phone.number)
            elif exc.code == "wrong_otp":
                self.webview.clear_code()
            elif exc.code in _ATTEMPT_ENDED:
                self.webview.back_to_ways()
                await self._refresh_page()
            raise
        return self.payment

    async def _paid_or_asked(self, answer: dict[str, Any]) -> str:
        """Paid: the page fetched again says so. A code sent: the page asks for it, and her
        phone shows the text."""
        await self.read_texts_now()
        if answer.get("status") == "OTP_SENT":
            self.webview.ask_code(answer)
            return plain(
                _("Bank Contoh texted a code to {phone}"), phone=answer.get("masked_phone")
            )
        await self._refresh_page()
        return plain(
            _("paid {amount} with Bank Contoh {account}, inside Klip"),
            amount=rupiah(answer.get("amount")),
            account=answer.get("masked_account") or "",
        )

    async def _refresh_page(self) -> None:
        if self._checkout_url:
            self._show_checkout(await self.client.checkout(self._checkout_url), fresh=False)

    # -- her phone's texts -------------------------------------------------------------------

    @work(exclusive=True, group="social-texts", exit_on_error=False)
    async def read_texts(self) -> None:
        """Read her phone's texts (not a call between institutions: nothing is recorded)."""
        try:
            await self.read_texts_now()
        except Exception:  # a phone that cannot be read shows nothing new; the app goes on
            log.warning("could not read the texts to %s", self.phone.number, exc_info=True)

    async def read_texts_now(self) -> None:
        """Read her texts now and show the newest if it is new."""
        self.query_one(PhoneTexts).take(await self.phone.messages())

    @on(Button.Pressed, "#refresh-orders")
    def tap_refresh_orders(self, event: Button.Pressed) -> None:
        """The Refresh button of My orders."""
        event.stop()
        self.refresh_orders()

    def action_refresh_orders(self) -> None:
        """Key: refresh My orders."""
        self.refresh_orders()

    @work(exclusive=True, group="social-orders", exit_on_error=False)
    async def refresh_orders(self) -> None:
        """List my orders with their latest status (as the marketplace's webhooks left it)."""

        async def body() -> str:
            orders = await self._fetch_orders()
            shown = ngettext("showed {count} order", "showed {count} orders", len(orders))
            return plain(shown, count=len(orders))

        await self.act("orders", self.orders_notice, body)

    async def _fetch_orders(self) -> tuple[dict[str, Any], ...]:
        self.orders = await self.client.orders()
        self.query_one("#orders", Static).update(self._orders_text(self.orders))
        return self.orders

    def changed_by(self, call: HttpCall) -> frozenset[str]:
        """A webhook moving an order on screen to another status; an order bought elsewhere;
        the bank texting her (a code, a notice)."""
        if _texts_her(call):
            return frozenset({"texts"})
        change = order_change(call)
        if change is not None:
            shown = self._status_of(change.order_id)
            if shown is None or shown == change.status:
                return frozenset()  # not her order on screen, or nothing new to show
            on_page = self.checkout is not None and str(self.checkout.get("order_id")) == (
                change.order_id
            )
            return frozenset({"orders", "webhook", *(["checkout"] if on_page else [])})
        if self.client.bought(call):
            return frozenset({"orders"})
        return frozenset()

    def outlives_tap(self, call: HttpCall) -> bool:
        """The marketplace's webhook that an order was paid reaches Klip after the payment
        tap that caused it ended: the tap showed the checkout page paid, not My orders."""
        return call.trace_id in self._payment_taps and order_change(call) is not None

    def _status_of(self, order_id: str) -> str | None:
        """The status the face shows for an order (My orders, else the checkout page)."""
        for order in self.orders:
            if str(order.get("order_id")) == order_id:
                return str(order.get("status"))
        if self.checkout is not None and str(self.checkout.get("order_id")) == order_id:
            return str(self.checkout.get("status"))
        return None

    async def refetch(self, parts: frozenset[str]) -> Content | None:
        """My orders (and the checkout page on screen) again, after a change elsewhere."""
        if "texts" in parts:
            await self.read_texts_now()
        if "checkout" in parts and self._checkout_url:
            self._show_checkout(await self.client.checkout(self._checkout_url), fresh=False)
        if "orders" in parts:
            await self._fetch_orders()
        if "webhook" not in parts:
            return None
        return text(_("↻ Updated by {market}'s webhook"), market=title_of("marketplace"))

    def _orders_text(self, orders: tuple[dict[str, Any], ...]) -> Content:
        if not orders:
            return text(_("No orders yet."))
        lines = [
            text(
                _("#{order}\n  {status}"),
                order=o.get("order_id"),
                status=status_label(o.get("status")),
            )
            for o in orders[: self.MAX_ORDERS]
        ]
        if len(orders) > self.MAX_ORDERS:
            lines.append(text(_("+{count} more"), count=len(orders) - self.MAX_ORDERS))
        return Content("\n").join(lines)

    def action_next_video(self) -> None:
        """Key: the next video in the feed."""
        self.browse(+1)

    def action_previous_video(self) -> None:
        """Key: the previous video in the feed."""
        self.browse(-1)

    @work(exclusive=True, group="social-video", exit_on_error=False)
    async def browse(self, step: int) -> None:
        """Move `step` videos along the feed (fetched once) and show that video."""

        async def body() -> str:
            if not self._feed:
                self._feed = await self.client.feed()
            here = self._feed.index(self.video_id) if self.video_id in self._feed else -1
            there = here + step if here >= 0 else 0
            if not 0 <= there < len(self._feed):
                raise FaceError(plain(_("No more videos in the feed.")))
            self.video_id = self._feed[there]
            return await self._load()

        await self.act("browse", self.video_notice, body)
