"""Klip, the short-video app: a video, its product cards, Buy, and the checkout inside the app.

It teaches "no jump app": the buyer never leaves the social app to buy - the marketplace's
checkout page is shown inside it, framed as an in-app web view - and pays in her bank app.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from sandbox.trace.events import HttpCall
from sandbox.tui.clients import FaceError, SocialClient
from sandbox.tui.clients.social import order_change
from sandbox.tui.i18n import N_, Lazy, _, ngettext
from sandbox.tui.widgets.faces.face import (
    Face,
    Notice,
    count,
    lookup,
    moment,
    plain,
    rupiah,
    text,
    title_of,
)

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
        .social--webview { height: auto; margin-top: 1; padding: 0 1;
                           border: round $secondary; border-title-color: $text-secondary;
                           display: none; }
        .social--webview.-shown { display: block; }
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
        """The marketplace's checkout page is on screen: the VA the buyer should pay."""

        def __init__(self, order_id: str, va_no: str, amount: int) -> None:
            super().__init__()
            self.order_id = order_id
            self.va_no = va_no
            """Digits only: the bank's padding spaces dropped, as a person would type it."""
            self.amount = amount

    video_notice = getters.query_one("#video-notice", Notice)
    orders_notice = getters.query_one("#orders-notice", Notice)

    def __init__(
        self,
        client: SocialClient,
        video_id: int = 1,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.client = client
        """Makes the app's calls as the buyer."""
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
        with VerticalScroll(classes="face--body"):
            yield Static(classes="social--video", id="video")
            yield VerticalGroup(classes="social--cards", id="cards")
            yield Notice(id="video-notice")
            with VerticalGroup(classes="social--webview", id="webview") as webview:
                webview.border_title = plain(
                    _("{market} · in-app web view"), market=title_of("marketplace")
                )
                yield Static(id="webview-page")
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

    def start_over(self) -> None:
        """A reset world has no orders and no checkout: show the video and My orders again."""
        super().start_over()
        self.checkout, self._checkout_url, self.orders = None, "", ()
        self.query_one("#webview").remove_class("-shown")
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
        if isinstance(event.button, _BuyButton):
            self.buy(event.button.product_id)

    @work(exclusive=True, group="social-buy", exit_on_error=False)
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
        """Show the checkout page; a `fresh` one (just bought) is scrolled into view and its VA
        handed to the bank app, a page fetched again only changes in place."""
        self.checkout = page
        items = "\n".join(
            plain(_("{qty}× {name}"), qty=lookup(i, "quantity"), name=lookup(i, "name"))
            for i in page.get("items") or []
            if isinstance(i, dict)
        )
        va = str(lookup(page, "payment", "virtual_account_no") or "")
        amount = lookup(page, "payment", "amount")
        self.query_one("#webview-page", Static).update(
            text(
                _("""\
[b]{shop}[/b]
{items}

Order  {order}
Status {status}
Total  [b]{total}[/b]

Pay to {bank} VA
[b reverse] {va} [/]
Pay before {expires}"""),
                shop=page.get("shop_name", ""),
                items=items,
                order=page.get("order_id"),
                status=status_label(page.get("status")),
                total=rupiah(page.get("total_amount")),
                bank=lookup(page, "payment", "bank") or "?",
                va=va.strip() or "?",
                expires=moment(lookup(page, "payment", "expires_at")),
            )
        )
        webview = self.query_one("#webview")
        webview.add_class("-shown")
        if not fresh:
            return
        self.call_after_refresh(webview.scroll_visible, animate=False, top=True)
        if va and isinstance(amount, int):
            self.post_message(
                self.CheckoutShown(str(page.get("order_id", "")), "".join(va.split()), amount)
            )

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
        """A webhook moving an order on screen to another status; an order bought elsewhere."""
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
