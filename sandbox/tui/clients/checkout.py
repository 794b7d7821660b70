"""Paying inside the marketplace's checkout page, as the buyer (the page is Klip's web view).

Pay with Bank Contoh (direct debit) is two kinds of step at the marketplace, never a call to
the bank: `.../direct-debit` (her phone the first time, nothing once her account is bound) and
`.../direct-debit/otp` (the code the bank texted her). Each step carries a fresh
Idempotency-Key. A refusal comes back as the marketplace's stable code; `refusal_words` says it
in the UI's language, so an Indonesian student does not read the marketplace's English.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from sandbox.tui.clients.client import AppClient, FaceError
from sandbox.tui.i18n import N_, _, ngettext

REFUSALS = {
    "phone_required": N_("Type the phone number registered at Bank Contoh first."),
    "phone_not_registered": N_(
        "No Bank Contoh account is registered to this phone number. Check the number, or pay "
        "by virtual account."
    ),
    "invalid_phone": N_("That is not a phone number: 8 to 15 digits, e.g. +62 812-0000-0001."),
    "otp_blocked": N_(
        "Three wrong codes: Bank Contoh stopped this attempt and nothing was charged. Choose "
        "Pay with Bank Contoh again for a new code."
    ),
    "otp_expired": N_(
        "The code expired and nothing was charged. Choose Pay with Bank Contoh again for a "
        "new code."
    ),
    "otp_not_accepted": N_(
        "Bank Contoh did not accept the code and nothing was charged. Choose Pay with Bank "
        "Contoh again."
    ),
    "insufficient_funds": N_(
        "Bank Contoh did not debit your account: the balance is too low. Nothing was charged; "
        "you may pay another way."
    ),
    "over_debit_maximum": N_(
        "Bank Contoh did not debit your account: this is more than one direct debit may take. "
        "Nothing was charged; you may pay another way."
    ),
    "binding_ended": N_(
        "Your Bank Contoh account is no longer bound to Pasarloka, so nothing was charged. "
        "Choose Pay with Bank Contoh to bind it again."
    ),
    "bank_unavailable": N_(
        "Bank Contoh did not confirm the payment. Try again: the same order is never charged twice."
    ),
    "bank_busy": N_(
        "Bank Contoh is busy right now and did nothing with this step, so nothing was charged. "
        "Try again in a few seconds; a code you typed is still good."
    ),
    "order_not_payable": N_("This order cannot be paid any more (paid or cancelled)."),
    "payment_in_progress": N_(
        "A payment of this order is being made right now; wait a moment and try again."
    ),
    "request_in_progress": N_(
        "A payment of this order is being made right now; wait a moment and try again."
    ),
    "no_code_expected": N_("Nothing is waiting for a code: choose Pay with Bank Contoh first."),
    "checkout_not_found": N_("This checkout page no longer exists."),
}
"""The marketplace's refusals of a payment step, by their stable code, in the buyer's words."""


def refusal_words(error: FaceError) -> str:
    """What the face says about a refused payment step, in the UI's language: the
    marketplace's own message when its code is one we do not know."""
    if error.code == "wrong_otp":
        left = error.extra.get("attempts_left")
        if isinstance(left, int) and not isinstance(left, bool):
            said = ngettext(
                "Wrong code: {count} try left.", "Wrong code: {count} tries left.", left
            )
            return said.format(count=left)
        return _("Wrong code.")
    words = REFUSALS.get(error.code)
    return _(words) if words is not None else str(error)


class CheckoutClient(AppClient):
    """The buyer's payment steps on the marketplace's checkout page (shown inside Klip)."""

    service = "marketplace"

    async def pay_with_bank(self, checkout_url: str, phone: str | None) -> dict[str, Any]:
        """Pay with Bank Contoh: `phone` to bind her account the first time, None once bound.
        The marketplace answers PAID, or OTP_SENT (the bank texted her a code)."""
        body = {"phone": phone} if phone is not None else {}
        return await self._step(checkout_url, "direct-debit", body)

    async def type_code(self, checkout_url: str, code: str) -> dict[str, Any]:
        """The code the bank texted her, typed in the checkout (never in the bank's app)."""
        return await self._step(checkout_url, "direct-debit/otp", {"otp": code})

    async def _step(self, checkout_url: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
        path = httpx.URL(checkout_url).raw_path.decode("ascii", "replace").split("?", 1)[0]
        key = secrets.token_hex(12)  # a new key per step; the same one only to retry it
        try:
            return await self.call(
                "marketplace",
                "POST",
                f"{path.rstrip('/')}/{step}",
                json=body,
                headers={"Idempotency-Key": key},
            )
        except FaceError as exc:
            raise FaceError(refusal_words(exc), exc.code, exc.extra) from None
