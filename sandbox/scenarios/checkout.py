"""The headline story: buying from a video without ever leaving the video app.

1. The buyer watches a video in the social app; its product cards come from the marketplace.
2. She taps "buy": the social app creates the order at the marketplace through the partner API.
3. The marketplace asks the bank for a virtual account (VA) for the exact amount.
4. She sees the checkout page - served by the marketplace, shown inside the social app.
5. She pays the VA in her bank app; her phone retries the payment (same idempotency key).
6. The bank notifies the marketplace; the marketplace notifies the social app.
7. The social app shows the order as paid, and exactly one payment left her account.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.language import N_, texts
from sandbox.scenarios.base import Gate, Report, Story, StoryFailed, expect, wait_for
from sandbox.wire import Wire

VIDEO_ID = 1
PRODUCT_ID = 100101
PAID = "AWAITING_SHIPMENT"
"""What a storefront calls an order the marketplace has seen paid."""


async def checkout(
    wire: Wire,
    world: dict[str, Any],
    report: Report = print,
    video_id: int = VIDEO_ID,
    product_id: int = PRODUCT_ID,
    gate: Gate | None = None,
    lang: str = "en",
) -> Story:
    """Run the checkout; raises StoryFailed unless the order ends paid, charged once."""
    story = Story(wire, world, report, gate=gate, lang=lang, name="checkout")
    return await story.run(lambda s: _checkout(s, video_id, product_id))


async def _checkout(story: Story, video_id: int, product_id: int) -> None:
    _ = texts("stories", story.lang)
    buyer = story.world["personas"]["buyer"]
    social = story.client("buyer", "social")
    bank = story.client("buyer", "bank")
    me = {"Authorization": f"Bearer {buyer['session_token']}"}

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
    story.report(
        _("    pay {amount} to VA {va} at {bank}").format(
            amount=story.rupiah(page["payment"]["amount"]),
            va=va.strip(),
            bank=page["payment"]["bank"],
        )
    )

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
    after = expect(await bank.get("/mobile/v1/accounts/me", headers=auth), 200, N_("balance"))
    moved = before["balance"] - after["balance"]
    story.facts.update(moved=moved)
    if moved != amount:
        raise StoryFailed.said(
            N_("expected {amount} to leave the account once, moved {moved}"),
            amount=story.rupiah(amount),
            moved=story.rupiah(moved),
        )
    story.report(
        _("    balance {before} -> {after} ({moved}, once)").format(
            before=story.rupiah(before["balance"]),
            after=story.rupiah(after["balance"]),
            moved=story.rupiah(moved),
        )
    )
