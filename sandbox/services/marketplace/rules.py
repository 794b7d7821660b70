"""The marketplace's domain rules as plain functions (no HTTP, no SQL), each unit-tested.

Lessons point at these: why an order is refused, what a storefront calls an order status, when
an unpaid order expires, how rupiah travel on a SNAP wire, when a seller passes KYC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sandbox.dialects.common import WIB
from sandbox.services.marketplace import errors

# --- order status codes (DOMAIN.md, marketplace) --------------------------------------------

CREATED = 100
WAITING_PAYMENT = 103
PAID = 220
SELLER_ACCEPTED = 400
WAITING_PICKUP = 450
SHIPPED = 500
DELIVERED = 600
FINISHED = 700
CANCELLED_BY_SELLER = 0
"""Also used when the platform itself cancels: an expired VA, a bank that never answered."""
REJECTED_BY_SELLER = 10
CANCELLED_BY_BUYER = 15

UNPAID_STATUSES = (CREATED, WAITING_PAYMENT)
"""Only these may be cancelled by the buyer or expire: money has not moved yet."""
CANCELLED_STATUSES = (CANCELLED_BY_SELLER, REJECTED_BY_SELLER, CANCELLED_BY_BUYER)

_STOREFRONT_STATUS = {
    CREATED: "UNPAID",
    WAITING_PAYMENT: "UNPAID",
    PAID: "AWAITING_SHIPMENT",
    SELLER_ACCEPTED: "AWAITING_SHIPMENT",
    WAITING_PICKUP: "AWAITING_COLLECTION",
    SHIPPED: "IN_TRANSIT",
    DELIVERED: "DELIVERED",
    FINISHED: "COMPLETED",
    CANCELLED_BY_SELLER: "CANCELLED",
    REJECTED_BY_SELLER: "CANCELLED",
    CANCELLED_BY_BUYER: "CANCELLED",
}

# --- limits ---------------------------------------------------------------------------------

VA_LIFETIME_SECONDS = 24 * 3600
STRANDED_SECONDS = 5 * 60
"""An order still without its virtual account this long after it was stored was abandoned by a
crash between storing it and the bank's answer (which takes seconds at most): it is cancelled
and its stock returned, instead of holding the stock for the VA's whole lifetime."""
"""How long a buyer has to pay an order's virtual account before the order is cancelled."""
TOKEN_LIFETIME_SECONDS = 2 * 3600
"""How long a partner's OAuth access token is valid."""
MAX_QUANTITY = 99
MAX_ITEMS = 20

# --- partners, channels and shipments -------------------------------------------------------

PARTNER_ROLES = ("channel", "courier")
"""A channel (a storefront like the social app) places orders; a courier carries them."""
APP_CHANNEL = "app"
"""The `channel` of orders placed in Pasarloka's own buyer app (fs_id 0, no webhook)."""

SHIPMENT_REQUESTED = "REQUESTED"
"""A shipment's first status: the courier was asked to pick the parcel up."""
SHIPMENT_MOVES: dict[str, frozenset[str]] = {
    "REQUESTED": frozenset({"PICKED_UP", "IN_TRANSIT", "DELIVERED"}),
    "PICKED_UP": frozenset({"PICKED_UP", "IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"}),
    "IN_TRANSIT": frozenset({"IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"}),
    "FAILED_DELIVERY": frozenset({"FAILED_DELIVERY", "IN_TRANSIT"}),
    "DELIVERED": frozenset({"DELIVERED"}),
}
"""Where a shipment may go from each status: forward only (skipping a scan is fine), the same
status again (another hub scanned it), and a failed delivery goes back on the road to retry."""

_SNAP_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,14})\.([0-9]{2})")


def storefront_status(order_status: int) -> str:
    """The label a storefront partner shows for a marketplace order status code."""
    return _STOREFRONT_STATUS[order_status]


def shipment_move_allowed(current: str, new: str) -> bool:
    """May a courier's tracking event move a shipment from `current` to `new`?

    Parcels do not travel backwards: a DELIVERED shipment that gets an IN_TRANSIT scan is a
    courier's bug (or events arriving out of order), and is refused rather than believed.
    """
    return new in SHIPMENT_MOVES.get(current, frozenset())


def payment_state(order_status: int, cancel_reason: str | None) -> str:
    """What the checkout page says about the VA: UNPAID, PAID, EXPIRED or CANCELLED."""
    if order_status in UNPAID_STATUSES:
        return "UNPAID"
    if order_status in CANCELLED_STATUSES:
        return "EXPIRED" if cancel_reason == "PAYMENT_EXPIRED" else "CANCELLED"
    return "PAID"


def order_total(items: Iterable[Mapping[str, Any]], prices: Mapping[int, int]) -> int:
    """Sum of price x quantity, in integer rupiah (money is never a float)."""
    return sum(prices[item["product_id"]] * item["quantity"] for item in items)


def check_order_items(
    items: Sequence[Mapping[str, Any]], products: Mapping[int, Mapping[str, Any]]
) -> int:
    """Check an order's lines against the catalogue; returns the one shop they come from.

    Raises ApiError: a product listed twice, a product that does not exist, or products of
    more than one shop (one order = one seller = one VA = one shipment).
    """
    seen: set[int] = set()
    for item in items:
        if item["product_id"] in seen:
            raise errors.duplicate_item(item["product_id"])
        seen.add(item["product_id"])
        if item["product_id"] not in products:
            raise errors.product_not_found(item["product_id"])
    shops: list[int] = sorted({products[pid]["shop_id"] for pid in seen})
    if len(shops) > 1:
        raise errors.mixed_shops(shops)
    return int(shops[0])


def order_id_for(now: float, sequence: int) -> str:
    """Order ids like 240301000001: the day (WIB) the sequence started, then the sequence.

    Only digits, because the bank's VA `customerNo` is the order id and must be numeric.
    """
    return datetime.fromtimestamp(now, WIB).strftime("%y%m%d") + f"{sequence:06d}"


def va_expired(expires_at: float | None, now: float) -> bool:
    """A closed VA can be paid until its expiry moment, not after."""
    return expires_at is not None and now >= expires_at


def iso_wib(epoch: float) -> str:
    """Local Indonesian time with offset (2024-03-01T15:00:00+07:00), as SNAP and buyers see it."""
    return datetime.fromtimestamp(epoch, WIB).isoformat(timespec="seconds")


def snap_amount(rupiah: int) -> dict[str, str]:
    """Integer rupiah as a SNAP money object: {"value": "150000.00", "currency": "IDR"}."""
    return {"value": f"{rupiah}.00", "currency": "IDR"}


def rupiah_from_snap(value: str) -> int:
    """ "150000.00" -> 150000. Raises ValueError for anything else, including sen ("1.50").

    Rupiah have no coins below 1; an amount with sen would be a bug at the bank, so it is
    refused rather than rounded.
    """
    match = _SNAP_AMOUNT.fullmatch(value)
    if not match or match.group(2) != "00":
        raise ValueError(f"{value!r} is not a whole-rupiah amount like '150000.00'")
    return int(match.group(1))


def epoch_from_iso(value: str) -> float | None:
    """Unix seconds from an ISO-8601 time with an offset (as the bank writes), else None."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def rupiah_or_zero(value: str) -> int:
    """ "250000.00" -> 250000; anything unreadable -> 0 (a limit we cannot read is none)."""
    try:
        return rupiah_from_snap(value)
    except ValueError:
        return 0


def kyc_mismatches(result: Mapping[str, Any]) -> list[str]:
    """The registry's verification result -> fields that did not match (empty means passed).

    The registry never tells us the stored values, only SESUAI / TIDAK SESUAI per field we sent.
    An unknown NIK comes back `found: false`, which fails even if no field is listed.
    """
    fields: Mapping[str, str] = result.get("fields") or {}
    bad = sorted(name for name, flag in fields.items() if flag != "SESUAI")
    if not result.get("found", False) and not bad:
        bad = ["nik"]
    return bad


def registry_birth_date(iso_date: str) -> str:
    """YYYY-MM-DD -> dd-mm-yyyy, the date format the civil registry expects."""
    year, month, day = iso_date.split("-")
    return f"{day}-{month}-{year}"


def registry_sex(sex: str) -> str:
    """L/P (as on the KTP) -> the registry's LAKI-LAKI/PEREMPUAN."""
    return "LAKI-LAKI" if sex == "L" else "PEREMPUAN"
