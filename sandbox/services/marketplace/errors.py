"""The marketplace's error dialect, built in one place.

Two audiences, two dialects:
- partners and people (open platform, checkout, seller centre) get `{"code", "message"}`;
- the bank, calling our SNAP payment-notification endpoint, expects SNAP's `responseCode`
  (HTTP status + service code 25 + case) and `responseMessage`, and gets `code`/`message` too.
"""

from __future__ import annotations

import math
from typing import Any

from sandbox.dialects.snap import payment as snap_payment
from sandbox.dialects.snap.payment import snap_error as snap
from sandbox.framework.errors import ApiError

"""SNAP service code of the payment notification (DOMAIN.md, bank)."""


def render(status: int, code: str, message: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Error body: SNAP fields first when present, then `code` and `message`, then details."""
    body: dict[str, Any] = {}
    if "responseCode" in extra:
        body["responseCode"] = extra.pop("responseCode")
        body["responseMessage"] = extra.pop("responseMessage", message)
    body.update(code=code, message=message, **extra)
    return body


# --- partner authentication (401/403) -------------------------------------------------------


def unauthorized(code: str, message: str) -> ApiError:
    """401: a credential, signature or header is missing or wrong; the message says which."""
    return ApiError(401, code, message)


def wrong_shop_scope(path_fs_id: int, own_fs_id: int) -> ApiError:
    """403: the partner is known but asked for another partner's `fs_id`."""
    return ApiError(
        403,
        "fs_id_mismatch",
        f"Your app is registered for fs_id {own_fs_id}; it may not use the paths of "
        f"fs_id {path_fs_id}. Use /api/v2/fs/{own_fs_id}/...",
    )


def wrong_partner_role(needed: str, role: str) -> ApiError:
    """403: a known partner calls an endpoint meant for partners of another role."""
    return ApiError(
        403,
        "wrong_partner_role",
        f"This endpoint is for {needed} partners; your app is registered as a {role}.",
        required_role=needed,
        role=role,
    )


# --- catalogue and orders -------------------------------------------------------------------


def bad_request(code: str, message: str, **extra: Any) -> ApiError:
    """400: the request itself is malformed in a way pydantic cannot see."""
    return ApiError(400, code, message, **extra)


def product_not_found(product_id: int) -> ApiError:
    return ApiError(
        404,
        "product_not_found",
        f"Product {product_id} is not in the catalogue; take ids from the catalogue feed.",
        product_id=product_id,
    )


def duplicate_item(product_id: int) -> ApiError:
    return ApiError(
        400,
        "duplicate_item",
        f"Product {product_id} is listed twice; send it once with the total quantity.",
        product_id=product_id,
    )


def mixed_shops(shop_ids: list[int]) -> ApiError:
    return ApiError(
        422,
        "mixed_shops",
        f"The items come from shops {shop_ids}; one order may hold items of one shop "
        "only. Create one order per shop.",
        shop_ids=shop_ids,
    )


def buyer_linked_elsewhere() -> ApiError:
    return ApiError(
        403,
        "buyer_linked_elsewhere",
        "This buyer_link_token was issued to another storefront: a buyer links her account to "
        "each app herself, and only that app may order with its token.",
        field="buyer_link_token",
    )


def unknown_buyer() -> ApiError:
    return ApiError(
        404,
        "unknown_buyer",
        "No marketplace buyer is linked to this buyer_link_token; the person must "
        "link their storefront account to the marketplace first.",
    )


def out_of_stock(product_id: int, stock: int) -> ApiError:
    return ApiError(
        409,
        "out_of_stock",
        f"Product {product_id} has {stock} left, fewer than the quantity asked.",
        product_id=product_id,
        stock=stock,
    )


def idempotency_key_reused(key: str, order_id: str) -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        f"Idempotency-Key {key!r} already created order {order_id} with another buyer or "
        "other items; use a new key for a new order.",
        order_id=order_id,
    )


def order_in_progress(key: str, order_id: str) -> ApiError:
    return ApiError(
        409,
        "order_in_progress",
        f"The first request with Idempotency-Key {key!r} is still creating order {order_id} "
        "(waiting for the bank); retry with the same key in a moment.",
        order_id=order_id,
    )


def order_not_found(order_id: str) -> ApiError:
    return ApiError(
        404,
        "order_not_found",
        f"No order {order_id} was placed through your app.",
        order_id=order_id,
    )


def order_not_cancellable(order_id: str, status: str) -> ApiError:
    why = (
        "it is already paid; paid orders are refunded, not cancelled"
        if status != "CANCELLED"
        else "it is already cancelled"
    )
    return ApiError(
        409,
        "order_not_cancellable",
        f"Order {order_id} cannot be cancelled: {why}.",
        order_id=order_id,
        current_status=status,
    )


def bank_failed(code: str, detail: str, order_id: str, cancelled: bool = True) -> ApiError:
    """502: the bank did not give the order a virtual account. The order was cancelled, or,
    when the bank could not even confirm that no VA exists, it is cancelled once it can."""
    fate = (
        "was cancelled and its stock returned"
        if cancelled
        else "will be cancelled and its stock returned as soon as the bank confirms that no "
        "virtual account exists for it"
    )
    return ApiError(
        502,
        code,
        f"The bank could not create a virtual account ({detail}); order {order_id} "
        f"{fate}. Try again in a moment.",
        order_id=order_id,
    )


def order_being_set_up(order_id: str) -> ApiError:
    """409: the order is still waiting for its virtual account; it cannot be cancelled yet."""
    return ApiError(
        409,
        "order_in_progress",
        f"Order {order_id} is still waiting for its virtual account from the bank; cancel it "
        "in a moment.",
        order_id=order_id,
    )


def order_being_paid(order_id: str) -> ApiError:
    """409: the buyer has paid at the bank; the payment notification is on its way."""
    return ApiError(
        409,
        "order_being_paid",
        f"The bank has already received the payment for order {order_id}; the order will show "
        "as paid in a moment. A paid order is refunded, not cancelled.",
        order_id=order_id,
    )


def va_not_closed(order_id: str, detail: str) -> ApiError:
    """503: the bank did not confirm the VA is closed, so the order may still be paid."""
    return ApiError(
        503,
        "bank_unavailable",
        f"The bank did not confirm that the virtual account of order {order_id} is closed "
        f"({detail}), so the order stays open: it could still be paid. Try again in a moment.",
        order_id=order_id,
    )


def checkout_not_found() -> ApiError:
    return ApiError(
        404,
        "checkout_not_found",
        "No checkout page has this token; open the link the storefront showed you.",
    )


# --- shipments ------------------------------------------------------------------------------


def shipment_not_found(order_id: str) -> ApiError:
    """404, not 403, for another courier's shipment: a courier cannot probe order ids."""
    return ApiError(
        404,
        "shipment_not_found",
        f"No shipment of order {order_id} is assigned to your app.",
        order_id=order_id,
    )


def invalid_shipment_transition(order_id: str, current: str, new: str) -> ApiError:
    moved: dict[str, Any] = {"from": current, "to": new}  # `from` is a Python keyword
    return ApiError(
        409,
        "invalid_shipment_transition",
        f"The shipment of order {order_id} is {current}; it cannot go from {current} to "
        f"{new}. Statuses only move forward: send tracking events in the order they happened.",
        order_id=order_id,
        **moved,
    )


# --- seller centre --------------------------------------------------------------------------


def consent_required() -> ApiError:
    return ApiError(
        400,
        "consent_required",
        "Set consent to true: the owner must agree to the identity check at the "
        "civil registry before the shop can be verified.",
    )


def seller_exists(shop_id: int) -> ApiError:
    return ApiError(
        409,
        "seller_exists",
        f"This NIK already owns shop {shop_id}; one shop per verified owner.",
        shop_id=shop_id,
    )


def kyc_failed(fields: list[str], verification_id: str | None) -> ApiError:
    return ApiError(
        422,
        "kyc_failed",
        f"The civil registry did not confirm: {', '.join(fields)}. Check the data "
        "exactly as written on the KTP.",
        fields=fields,
        verification_id=verification_id,
    )


def consent_refused(code: str, message: str) -> ApiError:
    return ApiError(
        403,
        code[:64],
        f"The civil registry refused the owner's consent ({message[:200]}); "
        "register again to ask her again. No shop was opened.",
    )


def application_not_found(application_id: str) -> ApiError:
    return ApiError(
        404,
        "application_not_found",
        f"No seller application {application_id[:40]!r}: use the application_id the "
        "registration answered.",
    )


def registry_unavailable(detail: str) -> ApiError:
    return ApiError(
        502,
        "registry_unavailable",
        f"The civil registry could not verify the owner ({detail}); try again later.",
    )


# --- SNAP payment notification (from the bank) ----------------------------------------------


def snap_va_not_found(trx_id: str) -> ApiError:
    return snap(
        404,
        "12",
        "Invalid Bill/Virtual Account [Not Found]",
        "va_not_found",
        f"No unpaid order {trx_id} with this virtual account number.",
    )


def snap_invalid_amount(paid: int, total: int) -> ApiError:
    return snap(
        404,
        "13",
        "Invalid Amount",
        "invalid_amount",
        f"paidAmount {paid} differs from the bill of {total}; a closed VA takes the "
        "exact amount only.",
    )


def snap_paid_bill(trx_id: str) -> ApiError:
    return snap(
        404,
        "14",
        "Paid Bill",
        "bill_already_paid",
        f"Order {trx_id} was already paid by another payment.",
    )


def snap_expired_bill(trx_id: str) -> ApiError:
    return snap(
        404,
        "19",
        "Invalid Bill/Virtual Account [Expired]",
        "bill_expired",
        f"Order {trx_id} is cancelled (expired or cancelled by the buyer); it can no "
        "longer be paid.",
    )


# --- paying inside the checkout (direct debit) ------------------------------------------------


def missing_idempotency_key() -> ApiError:
    return ApiError(
        400,
        "missing_idempotency_key",
        "Send an Idempotency-Key header with each payment step (a random string, up to 64 "
        "characters); send the same key again only to retry the same step.",
    )


def checkout_key_reused(key: str) -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        f"Idempotency-Key {key!r} was already used for a different request on this checkout; "
        "use a new key for a new step.",
    )


def request_in_progress(key: str) -> ApiError:
    return ApiError(
        409,
        "request_in_progress",
        f"The first request with Idempotency-Key {key!r} is still running (waiting for the "
        "bank); retry with the same key in a moment.",
    )


def order_not_payable(order_id: str, status: str) -> ApiError:
    """409: the order is paid already, cancelled, or still waiting for its VA."""
    why = {
        "CANCELLED": "it was cancelled",
        "UNPAID": "it is still being set up (waiting for the bank); try again in a moment",
    }.get(status, "it is already paid")
    return ApiError(
        409,
        "order_not_payable",
        f"Order {order_id} cannot be paid: {why}. Nothing was charged.",
        order_id=order_id,
        current_status=status,
    )


def payment_in_progress(order_id: str) -> ApiError:
    return ApiError(
        409,
        "payment_in_progress",
        f"A payment of order {order_id} is being made right now (another tab?); wait for it "
        "and reload the checkout page. Nothing will be charged twice.",
        order_id=order_id,
    )


def phone_required() -> ApiError:
    return ApiError(
        400,
        "phone_required",
        'Your Bank Contoh account is not bound to Pasarloka yet: send {"phone": "..."}, the '
        "number registered at your bank; the bank will text you a code.",
    )


def bank_refused_phone(code: str, status: int, message: str) -> ApiError:
    """The bank did not bind (a number it does not know, or not a phone number)."""
    return ApiError(status, code, f"Bank Contoh: {message}")


def no_code_expected(order_id: str) -> ApiError:
    return ApiError(
        409,
        "no_code_expected",
        f"Nothing on order {order_id} is waiting for a code: choose Pay with Bank Contoh "
        "first (POST .../direct-debit).",
        order_id=order_id,
    )


def code_refused(code: str, message: str, **extra: Any) -> ApiError:
    """422: the bank refused the code she typed (wrong, three times wrong, too late)."""
    return ApiError(422, code, message, **extra)


def binding_ended(order_id: str, message: str) -> ApiError:
    return ApiError(
        409,
        "binding_ended",
        f"Your Bank Contoh account is no longer bound to Pasarloka ({message}). Nothing was "
        'charged; send {"phone": "..."} to bind it again.',
        order_id=order_id,
    )


def debit_refused(code: str, message: str) -> ApiError:
    """422: the bank will not debit this (balance, maximum)."""
    return ApiError(422, code, f"Bank Contoh did not debit your account: {message}")


def debit_unsure(order_id: str, detail: str) -> ApiError:
    return ApiError(
        503,
        "bank_unavailable",
        f"The bank did not confirm the payment of order {order_id} ({detail}). Try again: "
        "the bank recognises the same order and never charges it twice.",
        order_id=order_id,
    )


def bank_busy(order_id: str, retry_after_s: float) -> ApiError:
    """503 with Retry-After: the bank throttled us (SNAP 429xx00) even after we waited, so it
    did nothing with this step; the same step, sent again later, will be looked at."""
    seconds = max(1, math.ceil(retry_after_s))
    return ApiError(
        503,
        "bank_busy",
        f"Bank Contoh is busy and did not handle this step of order {order_id}, so nothing was "
        f"charged. Send the same step again in {seconds} s.",
        headers={"Retry-After": str(seconds)},
        order_id=order_id,
        retry_after=seconds,
    )


def not_paid_by_debit(order_id: str) -> ApiError:
    return ApiError(
        409,
        "not_paid_by_direct_debit",
        f"Order {order_id} was not paid by direct debit, so there is no debit to give back "
        "(an order paid by virtual account is refunded by transfer, which the sandbox does "
        "not model).",
        order_id=order_id,
    )


def refund_exceeds_paid(order_id: str, left: int) -> ApiError:
    return ApiError(
        422,
        "refund_exceeds_paid",
        f"Only Rp{left:,} of order {order_id} is left to refund; nothing was refunded.",
        order_id=order_id,
        refundable=left,
    )


def refund_id_reused(refund_id: str) -> ApiError:
    return ApiError(
        422,
        "refund_id_reused",
        f"refund_id {refund_id!r} was already used for another order or amount; use a new id "
        "for a new refund.",
    )


def refund_failed(detail: str, status: int = 502) -> ApiError:
    return ApiError(
        status,
        "bank_refund_failed",
        f"The bank did not make the refund ({detail}); nothing was refunded. Retry with the "
        "same refund_id: the bank recognises it.",
    )


# --- SNAP direct-debit notification (from the bank, service 56) -------------------------------


def _snap56(
    status: int, case: str, response_message: str, code: str, message: str, **extra: Any
) -> ApiError:
    return snap(status, case, response_message, code, message, service="56", **extra)


def snap56_unauthorized(code: str, message: str) -> ApiError:
    """4015600: the notification's partner id, timestamp or signature is wrong."""
    return _snap56(401, "00", "Unauthorized. " + message, code, message)


def snap56_bad_field(field: str, missing: bool = False) -> ApiError:
    """4005602 (a mandatory field is missing) or 4005601 (a field has the wrong format)."""
    return snap_payment.bad_field(field, missing, service="56")


def snap56_not_found(order_id: str) -> ApiError:
    """4045601: we never asked the bank to debit this order."""
    return _snap56(
        404,
        "01",
        "Transaction Not Found",
        "debit_not_found",
        f"We asked no debit for order {order_id!r}.",
    )


def snap56_invalid_amount(paid: int, total: int) -> ApiError:
    """4045613: the debit's amount is not the order's."""
    return _snap56(
        404,
        "13",
        "Invalid Amount",
        "invalid_amount",
        f"The debit of {paid} differs from the order's total of {total}.",
    )


def snap56_not_payable(order_id: str) -> ApiError:
    """4045604: the order can no longer be paid (it cannot happen: see debits.holds)."""
    return _snap56(
        404,
        "04",
        "Transaction Cancelled",
        "order_not_payable",
        f"Order {order_id} is no longer waiting for payment.",
    )
