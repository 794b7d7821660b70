"""App faces: the buyer's short-video app and her bank app, as two small phone screens.

They teach "no jump app": the buyer never leaves the social app to buy - the marketplace's
checkout page is shown inside it, framed as an in-app web view - and pays in her bank app.
Unlike the other widgets, faces make real calls, as a person would, through an injected
`Actor`; each tap runs in a worker under its own trace, so the screen can tell which tap caused
which recorded calls (`Face.Acted`). Failures are shown where they happened, never raised.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import httpx
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, Vertical, VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Static

from sandbox import language
from sandbox.runtime.registry import by_name
from sandbox.scenarios.identities import Actor
from sandbox.tui.i18n import N_, Lazy, _, ngettext
from sandbox.wire.context import current_span, root_span

log = logging.getLogger(__name__)


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


def _field(data: Any, *path: str) -> Any:
    """data[path...] or None, for answers whose shape we do not trust."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class FaceError(Exception):
    """A call failed; the message is what the face shows in place."""


@dataclass(frozen=True, slots=True)
class _Payment:
    """The last payment sent, kept to re-send it with the same idempotency key."""

    va_no: str
    amount: int
    key: str
    payment_id: str


class Notice(Static):
    """One line under an area: busy, failed or done, or hidden when there is nothing to say."""

    def show(self, content: Content | str, state: str) -> None:
        """Show `content` in `state` (`busy`, `failed` or `ok`)."""
        self.update(content)
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

    class Acted(Message):
        """A tap finished (or failed): which face, what was tapped, what came of it."""

        def __init__(
            self, face: str, action: str, detail: str, trace_id: str = "", ok: bool = True
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

    def __init__(
        self,
        actor: Actor,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.actor = actor
        self.app_name = _title(self.service)
        """The institution's display name, shown in the title bar."""

    def compose_bar(self, subtitle: str) -> ComposeResult:
        """The phone's title bar: app name and who is logged in."""
        yield Static(Content.assemble((self.app_name, "bold"), "  ", subtitle), classes="face--bar")

    async def act(self, action: str, notice: Notice, body: Callable[[], Awaitable[str]]) -> None:
        """Run one tap: busy state, one trace for its calls, error in place, then `Acted`."""
        span = root_span()
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
        self.post_message(Face.Acted(self.service, action, detail, span.trace_id, ok))

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One call as the actor; the JSON object of a 2xx answer, or FaceError saying why."""
        try:
            response = await self.actor.request(service, method, path, json=json, headers=headers)
        except httpx.TimeoutException:
            raise FaceError(plain(_("{service} did not answer in time"), service=service)) from None
        except httpx.HTTPStatusError as exc:  # the actor's own login was refused
            raise FaceError(_message(exc.response, service)) from None
        except httpx.HTTPError:
            raise FaceError(plain(_("{service} unreachable"), service=service)) from None
        if not 200 <= response.status_code < 300:
            raise FaceError(_message(response, service))
        try:
            data = response.json()
        except ValueError:
            raise FaceError(
                plain(_("{service} answered something that is not JSON"), service=service)
            ) from None
        if not isinstance(data, dict):
            raise FaceError(
                plain(_("{service} answered something that is not JSON"), service=service)
            )
        return data


def _message(response: httpx.Response, service: str) -> str:
    """The institution's own `message` for a failed call, else its status."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    if isinstance(message, str) and message:
        return message[:300]
    return plain(_("HTTP {status} from {service}"), status=response.status_code, service=service)


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
        actor: Actor,
        video_id: int = 1,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(actor, name=name, id=id, classes=classes)
        self.video_id = video_id
        """The video on screen (or being loaded)."""
        self.video: dict[str, Any] | None = None
        """The last video answer, with its product cards."""
        self.checkout: dict[str, Any] | None = None
        """The last checkout page shown."""
        self.orders: tuple[dict[str, Any], ...] = ()
        """My orders as the app last listed them, newest first."""
        self._feed: tuple[int, ...] = ()

    def compose(self) -> ComposeResult:
        persona = self.actor.persona or {}
        yield from self.compose_bar(
            plain(_("@{handle}"), handle=persona.get("handle", self.actor.who))
        )
        with VerticalScroll(classes="face--body"):
            yield Static(classes="social--video", id="video")
            yield VerticalGroup(classes="social--cards", id="cards")
            yield Notice(id="video-notice")
            with VerticalGroup(classes="social--webview", id="webview") as webview:
                webview.border_title = plain(
                    _("{market} · in-app web view"), market=_title("marketplace")
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

    @work(exclusive=True, group="social-video", exit_on_error=False)
    async def load(self, video_id: int | None = None) -> None:
        """Fetch and show a video (the current one unless `video_id` is given)."""
        if video_id is not None:
            self.video_id = video_id
        await self.act("load", self.video_notice, self._load)

    async def _load(self) -> str:
        video = await self.call("social", "GET", f"/api/v1/videos/{self.video_id}")
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
                    handle=_field(video, "creator", "handle") or "?",
                ),
                "\n",
                str(_field(video, "creator", "display_name") or ""),
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
            order = await self.call(
                "social",
                "POST",
                f"/api/v1/videos/{self.video_id}/buy",
                json={"product_id": product_id, "quantity": 1},
            )
            page = await self.call(
                "marketplace",
                "GET",
                httpx.URL(str(order.get("checkout_url", ""))).raw_path.decode("ascii", "replace"),
            )
            self._show_checkout(page)
            return plain(
                _("ordered product {product}: order {order}, checkout page shown"),
                product=product_id,
                order=page.get("order_id"),
            )

        await self.act("buy", self.video_notice, body)
        if self.checkout is not None:
            self.refresh_orders()

    def _show_checkout(self, page: dict[str, Any]) -> None:
        self.checkout = page
        items = "\n".join(
            plain(_("{qty}× {name}"), qty=_field(i, "quantity"), name=_field(i, "name"))
            for i in page.get("items") or []
            if isinstance(i, dict)
        )
        va = str(_field(page, "payment", "virtual_account_no") or "")
        amount = _field(page, "payment", "amount")
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
                bank=_field(page, "payment", "bank") or "?",
                va=va.strip() or "?",
                expires=moment(_field(page, "payment", "expires_at")),
            )
        )
        webview = self.query_one("#webview")
        webview.add_class("-shown")
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
            answer = await self.call("social", "GET", "/api/v1/me/orders")
            orders = tuple(o for o in answer.get("orders") or [] if isinstance(o, dict))
            self.orders = orders
            self.query_one("#orders", Static).update(self._orders_text(orders))
            shown = ngettext("showed {count} order", "showed {count} orders", len(orders))
            return plain(shown, count=len(orders))

        await self.act("orders", self.orders_notice, body)

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
                page = await self.call("social", "GET", "/api/v1/feed?limit=50")
                self._feed = tuple(
                    v["video_id"]
                    for v in page.get("videos") or []
                    if isinstance(v, dict) and isinstance(v.get("video_id"), int)
                )
            here = self._feed.index(self.video_id) if self.video_id in self._feed else -1
            there = here + step if here >= 0 else 0
            if not 0 <= there < len(self._feed):
                raise FaceError(plain(_("No more videos in the feed.")))
            self.video_id = self._feed[there]
            return await self._load()

        await self.act("browse", self.video_notice, body)


def _title(service: str) -> str:
    """An institution's display name (its slug if unknown)."""
    try:
        return by_name(service).title
    except LookupError:
        return service


class BankFace(Face):
    """The bank app: balance, a virtual account to check and pay, and a same-key retry."""

    HELP = Lazy("The buyer's bank app: see the balance, check a virtual account, pay it.")
    DEFAULT_CSS = """
    BankFace {
        .bank--account { background: $boost; padding: 0 1; height: auto; }
        .bank--inquiry { height: auto; margin-top: 1; }
        Input { margin-top: 1; }
        .face--actions { margin-top: 1; }
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
        actor: Actor,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(actor, name=name, id=id, classes=classes)
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
        value = _field(self.account, "balance")
        return value if isinstance(value, int) else None

    def compose(self) -> ComposeResult:
        persona = self.actor.persona or {}
        yield from self.compose_bar(str(persona.get("account_no", self.actor.who)))
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
            yield Static(classes="bank--inquiry", id="inquiry")
            yield Notice(id="pay-notice")
            with HorizontalGroup(classes="face--actions"):
                yield Button(
                    plain(_("Retry, same key")),
                    compact=True,
                    id="retry",
                    disabled=True,
                    tooltip=plain(
                        _("Send the same payment again with the same key: nothing moves twice")
                    ),
                )

    def on_mount(self) -> None:
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

    async def _refresh_account(self) -> None:
        self.account = await self.call("bank", "GET", "/mobile/v1/accounts/me")
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
        found = await self.call(
            "bank", "POST", "/mobile/v1/va-inquiries", json={"virtual_account_no": self._va}
        )
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
            va, amount, key = self._va, self.amount, secrets.token_hex(12)
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
        self.payment = await self.call(
            "bank",
            "POST",
            "/mobile/v1/va-payments",
            json={"virtual_account_no": va, "amount": amount},
            headers={"Idempotency-Key": key},
        )
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
