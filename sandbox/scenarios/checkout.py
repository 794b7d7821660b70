"""The headline story: buying from a video without ever leaving the video app.

1. The buyer watches a video in the social app; its product cards come from the marketplace.
2. She taps "buy": the social app creates the order at the marketplace through the partner API.
3. She sees the checkout page - served by the marketplace, shown inside the social app - with
   two ways to pay: with Bank Contoh right there, or a virtual account (VA) in her bank's app.

Paying with Bank Contoh (`pay="debit"`, the default): she never leaves and never calls the bank.

4. She chooses Pay with Bank Contoh and types her phone number (the first time).
5. The bank texts her a code (her phone shows the SMS; a phone is not an API call).
6. She types it in the checkout: the bank binds her account, the marketplace debits it.
7. Her phone lost the answer and retries (same idempotency key at the marketplace).
8. The bank notifies the marketplace; the marketplace notifies the social app.
9. Exactly one debit of the amount: the bank's SMS notices and the order agree.

Paying the virtual account (`pay="va"`): she jumps to her bank's app and pays the VA there; her
phone retries that payment; the bank notifies the marketplace, which notifies the social app;
exactly one payment left her account.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx

from sandbox.language import N_, texts
from sandbox.scenarios.base import Gate, Report, Story, StoryFailed, expect, wait_for
from sandbox.scenarios.phone import Phone
from sandbox.wire import Wire

VIDEO_ID = 1
PRODUCT_ID = 100101
PAID = "AWAITING_SHIPMENT"
"""What a storefront calls an order the marketplace has seen paid."""
WAYS = ("debit", "va")
"""How she pays: with Bank Contoh inside the checkout (direct debit), or the virtual account
in her bank's app (a jump)."""
_CODE = re.compile(r"\b([0-9]{6})\b")
_DEBITED = re.compile(r"didebit Rp([0-9.]+) .* untuk ([0-9A-Za-z._-]+) ")
"""A debit notice the bank texts: "... didebit Rp185.000 oleh ... untuk 240301000001 (ref ...".
"""


async def checkout(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    video_id: int = VIDEO_ID,
    product_id: int = PRODUCT_ID,
    gate: Gate | None = None,
    lang: str = "en",
    pay: str = "debit",
    phone: Phone | None = None,
) -> Story:
    """Run the checkout; raises StoryFailed unless the order ends paid, charged once.

    Args:
        pay: "debit" (Pay with Bank Contoh inside the checkout) or "va" (the virtual account,
            paid in her bank's app).
        phone: her phone (the bank texts her a code); needed to pay with Bank Contoh.
    """
    if pay not in WAYS:
        raise ValueError(f"unknown way to pay {pay!r}; choose one of {', '.join(WAYS)}")
    story = Story(wire, world, report, gate=gate, lang=lang, name="checkout", phone=phone)
    return await story.run(lambda s: _checkout(s, video_id, product_id, pay))


async def _checkout(story: Story, video_id: int, product_id: int, pay: str) -> None:
    _ = texts("stories", story.lang)
    buyer = story.world["personas"]["buyer"]
    social = story.client("buyer", "social")
    me = {"Authorization": f"Bearer {buyer['session_token']}"}
    if pay == "debit" and story.phone is None:
        raise StoryFailed.said(
            N_(
                "paying with Bank Contoh needs her phone (the bank texts her a code); run the "
                "story with a phone, or pay the virtual account (--pay va)"
            )
        )

    await story.step(
        _("{name} watches video {video} in the social app").format(
            name=buyer["name"].title(), video=video_id
        )
    )
    video = expect(await social.get(f"/api/v1/videos/{video_id}", headers=me), 200, N_("video"))
    card = next((p for p in video.get("products", []) if p["product_id"] == product_id), None)
    if card is None:
        raise StoryFailed.said(
            N_("video {video} shows no card for product {product}"),
            video=video_id,
            product=product_id,
        )
    story.report(
        _("    product card: {product} - {price} (from the marketplace)").format(
            product=card["name"], price=story.rupiah(card["price"])
        )
    )

    await story.step(_("She taps Buy: the social app creates the order at the marketplace"))
    order = expect(
        await social.post(
            f"/api/v1/videos/{video_id}/buy",
            headers=me,
            json={"product_id": product_id, "quantity": 1},
        ),
        201,
        N_("buy"),
    )
    order_id, amount = order["order_id"], order["total_amount"]
    story.facts.update(order_id=order_id, amount=amount)
    story.report(
        _("    order {order}: {amount}, status {status}").format(
            order=order_id, amount=story.rupiah(amount), status=order["status"]
        )
    )

    await story.step(_("The checkout page (served by the marketplace, inside the social app)"))
    checkout_path = "/" + order["checkout_url"].split("://", 1)[-1].split("/", 1)[1]
    page = expect(
        await story.client("buyer", "marketplace").get(checkout_path), 200, N_("checkout page")
    )
    va = page["payment"]["virtual_account_no"]
    story.facts.update(pay=pay)
    if pay == "va":
        story.report(
            _("    pay {amount} to VA {va} at {bank}").format(
                amount=story.rupiah(page["payment"]["amount"]),
                va=va.strip(),
                bank=page["payment"]["bank"],
            )
        )
        balance = await _pay_va(story, buyer, va, amount)
    else:
        story.report(
            _(
                "    two ways to pay {amount}: with {bank} right here, or VA {va} in her bank app"
            ).format(amount=story.rupiah(amount), bank=page["payment"]["bank"], va=va.strip())
        )
        await _pay_with_bank(story, buyer, checkout_path, page)

    await story.step(
        _("The bank notifies the marketplace; the marketplace notifies the social app")
    )

    async def shown_paid() -> bool:
        response = await social.get(f"/api/v1/me/orders/{order_id}", headers=me)
        return response.status_code == 200 and response.json().get("status") == PAID

    if not await wait_for(shown_paid):
        raise StoryFailed.said(
            N_("the social app never showed order {order} as paid"), order=order_id
        )
    story.report(
        _("    the social app shows order {order}: {status}").format(order=order_id, status=PAID)
    )

    await story.step(_("Check: the money moved exactly once"))
    if pay == "va":
        await _moved_once_from_balance(story, amount, *balance)
    else:
        await _moved_once_from_notices(story, buyer, order_id, amount)


# --- paying the virtual account in her bank's app (a jump) ----------------------------------


async def _pay_va(
    story: Story, buyer: dict[str, Any], va: str, amount: int
) -> tuple[dict[str, str], int]:
    """Pay in her bank's app; returns her session's headers and her balance before."""
    _ = texts("stories", story.lang)
    bank = story.client("buyer", "bank")
    await story.step(_("She opens her bank app and pays the virtual account"))
    login = expect(
        await bank.post(
            "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
        ),
        201,
        N_("bank login"),
    )
    auth = {"Authorization": f"Bearer {login['session_token']}"}
    before = expect(await bank.get("/mobile/v1/accounts/me", headers=auth), 200, N_("balance"))
    key = {**auth, "Idempotency-Key": secrets.token_hex(12)}
    payment = {"virtual_account_no": va, "amount": amount}
    paid = expect(
        await bank.post("/mobile/v1/va-payments", json=payment, headers=key), 201, N_("payment")
    )
    story.report(_("    paid, reference {reference}").format(reference=paid["reference_no"]))

    await story.step(_("Her phone lost the answer and retries (same idempotency key)"))
    again = await bank.post("/mobile/v1/va-payments", json=payment, headers=key)
    if again.status_code not in (200, 201) or again.json().get("payment_id") != paid["payment_id"]:
        raise StoryFailed.said(
            N_("the retried payment was not recognised: HTTP {status}"), status=again.status_code
        )
    story.report(_("    the bank answered with the first payment; nothing charged again"))
    return auth, int(before["balance"])


async def _moved_once_from_balance(
    story: Story, amount: int, auth: dict[str, str], before: int
) -> None:
    _ = texts("stories", story.lang)
    bank = story.client("buyer", "bank")
    after = expect(await bank.get("/mobile/v1/accounts/me", headers=auth), 200, N_("balance"))
    moved = before - after["balance"]
    story.facts.update(moved=moved)
    if moved != amount:
        raise StoryFailed.said(
            N_("expected {amount} to leave the account once, moved {moved}"),
            amount=story.rupiah(amount),
            moved=story.rupiah(moved),
        )
    story.report(
        _("    balance {before} -> {after} ({moved}, once)").format(
            before=story.rupiah(before),
            after=story.rupiah(after["balance"]),
            moved=story.rupiah(moved),
        )
    )


# --- paying with Bank Contoh inside the checkout (no jump) ----------------------------------


async def _pay_with_bank(
    story: Story, buyer: dict[str, Any], checkout_path: str, page: dict[str, Any]
) -> None:
    _ = texts("stories", story.lang)
    marketplace = story.client("buyer", "marketplace")
    number = _phone_number(story, buyer)
    bound = bool((page.get("direct_debit") or {}).get("bound"))
    if bound:
        await story.step(_("She chooses Pay with Bank Contoh (her account is bound already)"))
        step, body = "direct-debit", {}
    else:
        await story.step(_("She chooses Pay with Bank Contoh and types her phone number"))
        step, body = "direct-debit", {"phone": number}
    key = secrets.token_hex(12)
    seen = len(await _texts(story, number))
    answer = await _checkout_step(marketplace, checkout_path, step, body, key)
    first = expect(
        answer,
        answer.status_code if answer.status_code in (200, 202) else 200,
        N_("pay with Bank Contoh"),
    )
    while first["status"] == "OTP_SENT":
        await story.step(_("The bank texts her a code; her phone shows the SMS"))
        code, seen = await _new_code(story, number, seen)
        await story.step(
            _("She types the code in the checkout; the marketplace debits her account")
        )
        step, body, key = "direct-debit/otp", {"otp": code}, secrets.token_hex(12)
        answer = await _checkout_step(marketplace, checkout_path, step, body, key)
        first = expect(
            answer, answer.status_code if answer.status_code in (200, 202) else 200, N_("the code")
        )
    story.report(
        _("    paid {amount} from her {bank} account {account}").format(
            amount=story.rupiah(first["amount"]),
            bank=page["payment"]["bank"],
            account=first.get("masked_account") or "",
        )
    )

    await story.step(
        _("Her phone lost the answer and retries (same idempotency key at the marketplace)")
    )
    again = await _checkout_step(marketplace, checkout_path, step, body, key)
    if again.status_code != answer.status_code or again.json() != first:
        raise StoryFailed.said(
            N_("the retried step was not recognised: HTTP {status}"), status=again.status_code
        )
    story.report(_("    the marketplace answered with the first result; nothing charged again"))


def _accepted(answer: httpx.Response, what: str) -> dict[str, Any]:
    """The checkout's answer: paid (200) or a code sent (202); anything else fails the story."""
    return expect(answer, 202 if answer.status_code == 202 else 200, what)


async def _checkout_step(
    marketplace: httpx.AsyncClient, path: str, step: str, body: dict[str, Any], key: str
) -> httpx.Response:
    return await marketplace.post(f"{path}/{step}", json=body, headers={"Idempotency-Key": key})


def _phone_number(story: Story, buyer: dict[str, Any]) -> str:
    """The number she types: the one on her civil record (the bank has the same)."""
    person = next(p for p in story.world["persons"] if p["nik"] == buyer["nik"])
    return str(person["phone"])


async def _texts(story: Story, number: str) -> list[str]:
    assert story.phone is not None
    return [m.text for m in await story.phone.messages(number)]


async def _new_code(story: Story, number: str, seen: int) -> tuple[str, int]:
    """The code in the newest text to her phone after the `seen` she had; shows it."""
    _ = texts("stories", story.lang)
    found: list[str] = []

    async def arrived() -> bool:
        found[:] = await _texts(story, number)
        return len(found) > seen and _CODE.search(found[-1]) is not None

    if not await wait_for(arrived, within=5.0):
        raise StoryFailed.said(N_("no code reached her phone ({phone})"), phone=number)
    story.report(_("    her phone: {sms}").format(sms=found[-1]))
    match = _CODE.search(found[-1])
    assert match is not None
    return match.group(1), len(found)


async def _moved_once_from_notices(
    story: Story, buyer: dict[str, Any], order_id: str, amount: int
) -> None:
    """Her bank texts a notice for every debit: exactly one, of the amount, for this order."""
    _ = texts("stories", story.lang)
    notices = [
        (int(m.group(1).replace(".", "")), text)
        for text in await _texts(story, _phone_number(story, buyer))
        if (m := _DEBITED.search(text)) is not None and m.group(2) == order_id
    ]
    moved = sum(debited for debited, _text in notices)
    story.facts.update(moved=moved)
    if len(notices) != 1 or moved != amount:
        raise StoryFailed.said(
            N_(
                "expected one debit of {amount} for order {order}; her bank texted {count} "
                "debit notice(s) of {moved} in all"
            ),
            amount=story.rupiah(amount),
            order=order_id,
            count=len(notices),
            moved=story.rupiah(moved),
        )
    story.report(
        _("    one debit notice from her bank: {moved} for order {order}, once").format(
            moved=story.rupiah(moved), order=order_id
        )
    )
