"""Request and response bodies, in each audience's dialect.

Partner (open platform) bodies are snake_case like the real open platforms; the payment
notification from the bank is SNAP camelCase, mapped to Python names with aliases. Sizes are
strict so a wrong request fails with a clear 400 instead of reaching the database.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox.dialects.snap.payment import SnapAmount

# --- open platform: token -------------------------------------------------------------------


class TokenOut(BaseModel):
    access_token: str = Field(examples=["Q2xpcC1zaG9wLXRva2VuLWV4YW1wbGU"])
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(examples=[7200], description="Seconds until the token expires.")


# --- open platform: catalogue ---------------------------------------------------------------


class ProductCard(BaseModel):
    """What a storefront may show about a product: never the owner's identity."""

    product_id: int = Field(examples=[100101])
    shop_id: int = Field(examples=[1001])
    shop_name: str = Field(examples=["Toko Batik Budi"])
    name: str = Field(examples=["Kemeja Batik Tulis Sukamaju"])
    price: int = Field(examples=[185000], description="Integer rupiah.")
    stock: int = Field(examples=[25])
    category: str | None = Field(default=None, examples=["Fashion Pria"])


class ProductPage(BaseModel):
    products: list[ProductCard]
    next_cursor: int | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last page."
    )


# --- open platform: orders ------------------------------------------------------------------


class OrderItemIn(BaseModel):
    product_id: int = Field(gt=0, lt=10**12, examples=[100101])
    quantity: int = Field(ge=1, le=99, examples=[1])


class OrderCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "buyer_link_token": "lnk_000000000000000000000000",  # no buyer's
                    "items": [{"product_id": 100101, "quantity": 1}],
                    "channel_ref": "video-1",
                }
            ]
        }
    )

    buyer_link_token: str = Field(
        min_length=1,
        max_length=64,
        description=(
            "The opaque token linking the storefront user to a marketplace buyer account."
        ),
    )
    items: list[OrderItemIn] = Field(min_length=1, max_length=20)
    channel_ref: str | None = Field(
        default=None,
        max_length=64,
        description=("The storefront's own reference (e.g. the video the sale came from)."),
    )


class OrderCreated(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    order_status: int = Field(examples=[103])
    status: str = Field(examples=["UNPAID"])
    total_amount: int = Field(examples=[185000])
    expires_at: str = Field(examples=["2024-03-02T15:00:00+07:00"])
    checkout_url: str = Field(examples=["http://127.0.0.1:8602/checkout/3q2-Zx..."])


class OrderLine(BaseModel):
    product_id: int
    name: str
    price: int
    quantity: int


class ShipmentView(BaseModel):
    """Where the parcel is, as the courier last reported it."""

    courier: str = Field(examples=["kurir"], description="The courier partner carrying it.")
    status: Literal["REQUESTED", "PICKED_UP", "IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"]
    tracking_no: str | None = Field(default=None, examples=["KRR0000123456"])
    updated_at: int = Field(examples=[1709290800], description="Unix seconds.")


class OrderView(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    order_status: int = Field(examples=[220])
    status: str = Field(examples=["AWAITING_SHIPMENT"])
    total_amount: int = Field(examples=[185000])
    shop_id: int = Field(examples=[1001])
    items: list[OrderLine]
    cancel_reason: str | None = Field(default=None, examples=[None])
    update_time: int = Field(examples=[1709290800], description="Unix seconds.")
    shipment: ShipmentView | None = Field(
        default=None, description="Null until the order is paid and a courier is asked."
    )


# --- checkout page --------------------------------------------------------------------------


class PaymentInfo(BaseModel):
    """Paying by virtual account: in the bank's own app (a jump)."""

    bank: str = Field(examples=["Bank Contoh"])
    virtual_account_no: str = Field(examples=["   88001240301000001"])
    amount: int = Field(examples=[185000])
    expires_at: str = Field(examples=["2024-03-02T15:00:00+07:00"])
    status: Literal["UNPAID", "PAID", "EXPIRED", "CANCELLED", "CLOSED"] = Field(
        description="CLOSED: the buyer chose to pay by direct debit, so the VA was closed."
    )


class DirectDebitInfo(BaseModel):
    """Paying with Bank Contoh inside this checkout: a bound account, debited by us."""

    bank: str = Field(examples=["Bank Contoh"])
    bound: bool = Field(description="The buyer's account is bound: no phone number needed.")
    masked_account: str | None = Field(default=None, examples=["******0001"])
    limit_without_code: int | None = Field(
        default=None, examples=[250000], description="Up to this, no code is needed."
    )
    state: Literal["NOT_STARTED", "OTP_SENT", "PAYING", "PAID", "FAILED"]
    code_for: Literal["binding", "debit"] | None = Field(
        default=None, description="While OTP_SENT: what the texted code confirms."
    )
    masked_phone: str | None = Field(default=None, examples=["+62*******0001"])
    otp_expires_at: str | None = None


class CheckoutPage(BaseModel):
    order_id: str
    status: str = Field(examples=["UNPAID"])
    order_status: int = Field(examples=[103])
    total_amount: int
    shop_name: str = Field(examples=["Toko Batik Budi"])
    payment: PaymentInfo | None
    direct_debit: DirectDebitInfo | None = Field(
        default=None, description="Pay with Bank Contoh without leaving (null: not offered)."
    )
    paid_with: Literal["virtual_account", "direct_debit"] | None = None
    items: list[OrderLine]
    shipment: ShipmentView | None = None


# --- paying inside the checkout (direct debit) ------------------------------------------------


class DirectDebitStart(BaseModel):
    """Pay with Bank Contoh: her phone the first time; nothing once her account is bound."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"phone": "+62 812-0000-0001"}, {}]}
    )

    phone: str | None = Field(
        default=None,
        max_length=30,
        description="The number registered at Bank Contoh (only to bind her account).",
    )

    @field_validator("phone")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        """People type phone numbers the way they read them: +62 812-0000-0001."""
        if value is None:
            return None
        compact = re.sub(r"[\s.\-()]", "", value)
        if not re.fullmatch(r"\+?[0-9]{8,15}", compact):
            raise ValueError("a phone number of 8 to 15 digits, e.g. +62 812-0000-0001")
        return compact


class DirectDebitCode(BaseModel):
    """The code Bank Contoh texted her, as she typed it in the checkout."""

    model_config = ConfigDict(extra="forbid")

    otp: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class DirectDebitAnswer(BaseModel):
    """Where paying with Bank Contoh stands."""

    order_id: str = Field(examples=["240301000001"])
    status: Literal["OTP_SENT", "PAID"]
    code_for: Literal["binding", "debit"] | None = Field(
        default=None, description="OTP_SENT: what the code confirms (binding or this payment)."
    )
    masked_phone: str | None = Field(default=None, examples=["+62*******0001"])
    otp_expires_at: str | None = Field(default=None, examples=["2024-03-01T15:05:00+07:00"])
    masked_account: str | None = Field(default=None, examples=["******0001"])
    amount: int = Field(examples=[185000])
    order_status: int = Field(examples=[220])
    message: str


class DebitNotification(BaseModel):
    """SNAP direct-debit notification (service 56), sent by the bank when a debit moved money."""

    model_config = ConfigDict(populate_by_name=True)

    original_partner_reference_no: str = Field(
        alias="originalPartnerReferenceNo", min_length=1, max_length=64
    )
    original_reference_no: str = Field(alias="originalReferenceNo", min_length=1, max_length=64)
    merchant_id: str | None = Field(default=None, alias="merchantId", max_length=64)
    amount: SnapAmount
    latest_transaction_status: str = Field(alias="latestTransactionStatus", max_length=2)
    transaction_status_desc: str | None = Field(
        default=None, alias="transactionStatusDesc", max_length=64
    )
    finished_time: str | None = Field(default=None, alias="finishedTime", max_length=32)
    additional_info: dict[str, str] | None = Field(default=None, alias="additionalInfo")


class RefundCreate(BaseModel):
    """A partner asks us to give (part of) a paid order's money back."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refund_id": "rf-1", "amount": 50000, "reason": "one item missing"}]
        },
    )

    refund_id: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Your id for this refund: sending it again is the same refund.",
    )
    amount: int | None = Field(
        default=None, ge=1, le=10**12, description="Integer rupiah; omitted: all still paid."
    )
    reason: str = Field(default="", max_length=200)


class RefundMade(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    refund_id: str
    amount: int = Field(examples=[50000])
    refunded_total: int = Field(examples=[50000], description="All refunded of this order.")
    bank_refund_no: str = Field(examples=["RF0000000001"])


# --- open platform: courier tracking --------------------------------------------------------


class TrackingEvent(BaseModel):
    """One scan of the parcel, sent by the courier carrying it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event_id": "evt-0001",
                    "status": "PICKED_UP",
                    "tracking_no": "KRR0000123456",
                    "note": "Picked up at Toko Batik Budi",
                }
            ]
        },
    )

    event_id: str = Field(
        min_length=1,
        max_length=64,
        description="Your id for this event; sending it again changes nothing (a retry).",
    )
    status: Literal["PICKED_UP", "IN_TRANSIT", "DELIVERED", "FAILED_DELIVERY"]
    tracking_no: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=200)


class TrackingAccepted(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    duplicate: bool = Field(description="True if this event_id was already received.")
    shipment: ShipmentView


# --- the marketplace's own buyer app ----------------------------------------------------------


class AppBuyer(BaseModel):
    """Who receives the parcel; typed in by the buyer, never shown back by the API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Rina Kartika"])
    phone: str = Field(
        max_length=30,
        examples=["+62 812-0000-0099"],
        description="8 to 15 digits, optionally after +; spaces, dashes and dots are ignored.",
    )
    address: str = Field(
        min_length=1, max_length=200, examples=["Jl. Kenanga No. 3, Kota Bandar Contoh"]
    )

    @field_validator("phone")
    @classmethod
    def _digits(cls, value: str) -> str:
        """People type phone numbers the way they read them: +62 812-0000-0001."""
        compact = re.sub(r"[\s.\-()]", "", value)
        if not re.fullmatch(r"\+?[0-9]{8,15}", compact):
            raise ValueError("a phone number of 8 to 15 digits, e.g. +62 812-0000-0099")
        return compact


class AppOrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "product_id": 100101,
                    "quantity": 1,
                    "buyer": {
                        "name": "Rina Kartika",
                        "phone": "+6281200000099",
                        "address": "Jl. Kenanga No. 3, Kota Bandar Contoh",
                    },
                }
            ]
        },
    )

    product_id: int = Field(ge=1, lt=10**12, examples=[100101])
    quantity: int = Field(ge=1, le=99, examples=[1])
    buyer: AppBuyer


class AppOrderCreated(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    status: str = Field(examples=["UNPAID"])
    order_status: int = Field(examples=[103])
    total_amount: int = Field(examples=[185000])
    bank: str = Field(examples=["Bank Contoh"])
    va_number: str = Field(examples=["   88001240301000001"])
    expires_at: str = Field(examples=["2024-03-02T15:00:00+07:00"])


class AppOrderView(BaseModel):
    order_id: str = Field(examples=["240301000001"])
    status: str = Field(examples=["AWAITING_SHIPMENT"])
    order_status: int = Field(examples=[220])
    total_amount: int = Field(examples=[185000])
    bank: str = Field(examples=["Bank Contoh"])
    va_number: str | None = Field(
        examples=["   88001240301000001"], description="Null if the bank never opened one."
    )
    expires_at: str = Field(examples=["2024-03-02T15:00:00+07:00"])
    items: list[OrderLine]
    shipment: ShipmentView | None = None


# --- seller centre --------------------------------------------------------------------------


_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""Text a person typed: anything printable, no control characters."""


class SellerRegistration(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nik": "9902014907010001",
                    "name": "DEWI LESTARI",
                    "birth_place": "TANJUNG DAMAI",
                    "birth_date": "2001-07-09",
                    "sex": "P",
                    "shop_name": "Dewi Craft",
                    "consent": True,
                }
            ]
        }
    )

    nik: str = Field(pattern=r"^[0-9]{16}$", description="16-digit NIK, as on the KTP.")
    # No control characters (a NUL byte, a newline): these words reach the registry and her
    # IKD app, and are kept with the application until she answers.
    name: str = Field(min_length=1, max_length=100, pattern=_PRINTABLE)
    birth_place: str = Field(min_length=1, max_length=60, pattern=_PRINTABLE)
    birth_date: date = Field(description="YYYY-MM-DD")
    sex: Literal["L", "P"]
    shop_name: str = Field(min_length=3, max_length=60, pattern=_PRINTABLE)
    city: str | None = Field(default=None, max_length=60, pattern=_PRINTABLE)
    consent: bool = Field(description="The owner agrees to be verified at the civil registry.")


class SellerApplication(BaseModel):
    """A seller application: waiting for the owner's consent in her IKD app, then VERIFIED
    (with the shop) or REJECTED (with the code and message saying why)."""

    application_id: str = Field(
        examples=["SAP-3f9c2a1b4d5e6f708192a3b4"],
        description="Read the application again with this id (it is the only key to it).",
    )
    status: Literal["AWAITING_CONSENT", "VERIFYING", "VERIFIED", "REJECTED"]
    consent_request_id: str = Field(examples=["CRQ-20240301-000001"])
    message: str | None = None
    shop_id: int | None = Field(default=None, examples=[2051])
    shop_name: str | None = None
    verification_id: str | None = None
    consent_id: str | None = None
    code: str | None = Field(default=None, description="Why REJECTED (kyc_failed, ...).")
    fields: list[str] | None = Field(default=None, description="kyc_failed: what did not match.")


# --- SNAP payment notification (bank -> marketplace) ----------------------------------------
