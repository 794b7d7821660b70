"""Request and response models: SNAP's camelCase on partner endpoints, snake_case in the app.

Python names stay snake_case; `alias=` gives the name on the wire. Sizes are strict (max
lengths, digits only, positive amounts) so a malformed request is refused with a clear 400
before any rule runs.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# -- SNAP (partner) ----------------------------------------------------------------------------


class Snap(BaseModel):
    """SNAP bodies: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Amount(Snap):
    """Money on a SNAP wire: a string with exactly two decimals, and the currency."""

    value: str = Field(max_length=19, pattern=r"^[0-9]{1,16}\.[0-9]{2}$", examples=["185000.00"])
    currency: Literal["IDR"] = Field(examples=["IDR"])


class TokenRequest(Snap):
    """Body of `POST /v1.0/access-token/b2b`."""

    grant_type: Literal["client_credentials"] = Field(
        alias="grantType", examples=["client_credentials"]
    )


class TokenResponse(Snap):
    """A B2B access token, valid for 900 seconds."""

    response_code: str = Field(alias="responseCode", examples=["2007300"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    access_token: str = Field(alias="accessToken")
    token_type: str = Field(alias="tokenType", examples=["Bearer"])
    expires_in: str = Field(alias="expiresIn", examples=["900"])


PARTNER_SERVICE_ID = Field(
    alias="partnerServiceId",
    min_length=8,
    max_length=8,
    examples=["   88001"],
    description="The biller's prefix, left-padded with spaces to 8.",
)
CUSTOMER_NO = Field(alias="customerNo", pattern=r"^[0-9]{1,20}$", examples=["100000123"])
VIRTUAL_ACCOUNT_NO = Field(
    alias="virtualAccountNo", min_length=9, max_length=28, examples=["   88001100000123"]
)


class CreateVaRequest(Snap):
    """Body of `POST /v1.0/transfer-va/create-va`: a closed VA for one order."""

    partner_service_id: str = PARTNER_SERVICE_ID
    customer_no: str = CUSTOMER_NO
    virtual_account_no: str = VIRTUAL_ACCOUNT_NO
    virtual_account_name: str = Field(
        alias="virtualAccountName", min_length=1, max_length=255, examples=["SARI WULANDARI"]
    )
    trx_id: str = Field(alias="trxId", min_length=1, max_length=64, examples=["ORD-100000123"])
    total_amount: Amount = Field(alias="totalAmount")
    expired_date: str = Field(
        alias="expiredDate", max_length=35, examples=["2024-03-02T15:00:00+07:00"]
    )
    additional_info: dict[str, Any] | None = Field(default=None, alias="additionalInfo")


class StatusRequest(Snap):
    """Body of `POST /v1.0/transfer-va/status`."""

    partner_service_id: str = PARTNER_SERVICE_ID
    customer_no: str = CUSTOMER_NO
    virtual_account_no: str = VIRTUAL_ACCOUNT_NO
    inquiry_request_id: str = Field(
        alias="inquiryRequestId", min_length=1, max_length=128, examples=["INQ-0001"]
    )


class DeleteVaRequest(Snap):
    """Body of `DELETE /v1.0/transfer-va/delete-va`."""

    partner_service_id: str = PARTNER_SERVICE_ID
    customer_no: str = CUSTOMER_NO
    virtual_account_no: str = VIRTUAL_ACCOUNT_NO
    trx_id: str = Field(alias="trxId", min_length=1, max_length=64, examples=["ORD-100000123"])


class VirtualAccountData(Snap):
    """A VA as the bank reports it to the biller."""

    partner_service_id: str = Field(alias="partnerServiceId")
    customer_no: str = Field(alias="customerNo")
    virtual_account_no: str = Field(alias="virtualAccountNo")
    virtual_account_name: str = Field(alias="virtualAccountName")
    trx_id: str = Field(alias="trxId")
    total_amount: Amount = Field(alias="totalAmount")
    expired_date: str = Field(alias="expiredDate")
    additional_info: dict[str, Any] | None = Field(default=None, alias="additionalInfo")
    payment_flag_status: str | None = Field(
        default=None,
        alias="paymentFlagStatus",
        description='"00" paid, "01" unpaid, "02" expired or deleted',
    )
    paid_amount: Amount | None = Field(default=None, alias="paidAmount")
    payment_request_id: str | None = Field(default=None, alias="paymentRequestId")
    trx_date_time: str | None = Field(default=None, alias="trxDateTime")


class VaResponse(Snap):
    """A successful create-va, status or delete-va answer."""

    response_code: str = Field(alias="responseCode", examples=["2002700"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    virtual_account_data: VirtualAccountData = Field(alias="virtualAccountData")


# -- SNAP account binding and direct debit (partner) ------------------------------------------

PARTNER_REFERENCE_NO = Field(
    alias="partnerReferenceNo",
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9._-]+$",
    examples=["240301000001"],
)


class BindingInfo(Snap):
    """`additionalInfo` of a binding request."""

    customer_id: str = Field(
        alias="customerId",
        min_length=1,
        max_length=64,
        examples=["50001"],
        description="The partner's own id for this customer (never her NIK).",
    )


class BindingRequest(Snap):
    """Body of `POST /v1.0/registration-account-binding`: bind a customer's account."""

    partner_reference_no: str = PARTNER_REFERENCE_NO
    merchant_id: str | None = Field(default=None, alias="merchantId", max_length=64)
    phone_no: str = Field(
        alias="phoneNo",
        min_length=1,
        max_length=30,
        examples=["+62 812-0000-0001"],
        description="The customer's phone number, as she typed it.",
    )
    additional_info: BindingInfo = Field(alias="additionalInfo")


class CodeSent(Snap):
    """Where the one-time code went and until when it can be typed."""

    masked_phone_no: str = Field(alias="maskedPhoneNo", examples=["+62*******0001"])
    otp_expires_at: str = Field(alias="otpExpiresAt", examples=["2024-03-01T15:05:00+07:00"])


class BindingResponse(Snap):
    """A pending binding: the bank texted her a code (`2020700`)."""

    response_code: str = Field(alias="responseCode", examples=["2020700"])
    response_message: str = Field(alias="responseMessage", examples=["Request In Progress"])
    reference_no: str = Field(alias="referenceNo", examples=["BND000000001"])
    partner_reference_no: str = Field(alias="partnerReferenceNo")
    additional_info: CodeSent = Field(alias="additionalInfo")


class OtpVerificationRequest(Snap):
    """Body of `POST /v1.0/otp-verification`: the code the customer typed at the partner."""

    original_reference_no: str = Field(
        alias="originalReferenceNo",
        min_length=1,
        max_length=64,
        examples=["BND000000001"],
        description="The bank's reference of the binding (or debit) the code confirms.",
    )
    original_partner_reference_no: str | None = Field(
        default=None, alias="originalPartnerReferenceNo", max_length=64
    )
    otp: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class BoundAccount(Snap):
    """What a partner may know of a bound account."""

    masked_account_no: str = Field(alias="maskedAccountNo", examples=["******0001"])
    limit_without_otp: Amount = Field(alias="limitWithoutOtp")
    max_debit: Amount = Field(alias="maxDebit")


class OtpVerificationResponse(Snap):
    """A confirmed code: a binding's token (binding) or a completed debit (debit)."""

    response_code: str = Field(alias="responseCode", examples=["2000400"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    original_reference_no: str = Field(alias="originalReferenceNo")
    original_partner_reference_no: str = Field(alias="originalPartnerReferenceNo")
    linkage_token: str | None = Field(
        default=None,
        alias="linkageToken",
        description="Binding only: send it as `Authorization-Customer: Bearer <token>` to debit.",
    )
    account: BoundAccount | None = None
    amount: Amount | None = Field(default=None, description="Debit only: the amount debited.")
    latest_transaction_status: str | None = Field(
        default=None, alias="latestTransactionStatus", description='Debit only: "00" success.'
    )


class UnbindingRequest(Snap):
    """Body of `POST /v1.0/registration-account-unbinding` (the token is in the header)."""

    partner_reference_no: str = PARTNER_REFERENCE_NO
    merchant_id: str | None = Field(default=None, alias="merchantId", max_length=64)
    additional_info: dict[str, Any] | None = Field(default=None, alias="additionalInfo")


class UnbindingResponse(Snap):
    """The binding has ended (`2000900`)."""

    response_code: str = Field(alias="responseCode", examples=["2000900"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    reference_no: str = Field(alias="referenceNo", examples=["BND000000001"])
    partner_reference_no: str = Field(alias="partnerReferenceNo")


class DebitRequest(Snap):
    """Body of `POST /v1.0/debit/payment-host-to-host`: debit a bound account."""

    partner_reference_no: str = Field(
        alias="partnerReferenceNo",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        examples=["240301000001"],
        description="Your reference (the order): the same one again replays the first answer.",
    )
    merchant_id: str | None = Field(default=None, alias="merchantId", max_length=64)
    amount: Amount
    additional_info: dict[str, Any] | None = Field(default=None, alias="additionalInfo")


class DebitResponse(Snap):
    """A debit: `2005400` done, or `2025400` waiting for the customer's code."""

    response_code: str = Field(alias="responseCode", examples=["2005400"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    reference_no: str = Field(alias="referenceNo", examples=["DD0000000001"])
    partner_reference_no: str = Field(alias="partnerReferenceNo")
    amount: Amount
    latest_transaction_status: str = Field(
        alias="latestTransactionStatus", description='"00" success, "03" pending (code sent).'
    )
    transaction_status_desc: str = Field(alias="transactionStatusDesc", examples=["Success"])
    paid_time: str | None = Field(default=None, alias="paidTime")
    additional_info: CodeSent | None = Field(
        default=None, alias="additionalInfo", description="Pending only: where the code went."
    )


class DebitStatusRequest(Snap):
    """Body of `POST /v1.0/debit/status`: what became of a debit."""

    original_partner_reference_no: str = Field(
        alias="originalPartnerReferenceNo", min_length=1, max_length=64
    )
    original_reference_no: str | None = Field(
        default=None, alias="originalReferenceNo", max_length=64
    )
    service_code: Literal["54"] | None = Field(default=None, alias="serviceCode")


class DebitStatusResponse(Snap):
    """A debit as the bank knows it."""

    response_code: str = Field(alias="responseCode", examples=["2005500"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    original_partner_reference_no: str = Field(alias="originalPartnerReferenceNo")
    original_reference_no: str = Field(alias="originalReferenceNo")
    service_code: str = Field(alias="serviceCode", examples=["54"])
    latest_transaction_status: str = Field(
        alias="latestTransactionStatus",
        description='"00" success, "03" pending, "04" refunded in full, "06" failed.',
    )
    transaction_status_desc: str = Field(alias="transactionStatusDesc")
    amount: Amount
    refunded_amount: Amount = Field(alias="refundedAmount")
    paid_time: str | None = Field(default=None, alias="paidTime")


class RefundRequest(Snap):
    """Body of `POST /v1.0/debit/refund`: give (part of) a debit back."""

    original_partner_reference_no: str = Field(
        alias="originalPartnerReferenceNo", min_length=1, max_length=64
    )
    original_reference_no: str | None = Field(
        default=None, alias="originalReferenceNo", max_length=64
    )
    partner_refund_no: str = Field(
        alias="partnerRefundNo",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Your refund number: the same one again replays the first answer.",
    )
    refund_amount: Amount = Field(alias="refundAmount")
    reason: str | None = Field(default=None, max_length=256)


class RefundResponse(Snap):
    """A refund: the money is back in the customer's account."""

    response_code: str = Field(alias="responseCode", examples=["2005800"])
    response_message: str = Field(alias="responseMessage", examples=["Successful"])
    original_partner_reference_no: str = Field(alias="originalPartnerReferenceNo")
    original_reference_no: str = Field(alias="originalReferenceNo")
    refund_no: str = Field(alias="refundNo", examples=["RF0000000001"])
    partner_refund_no: str = Field(alias="partnerRefundNo")
    refund_amount: Amount = Field(alias="refundAmount")
    refund_time: str = Field(alias="refundTime")


# -- mobile app (people) -----------------------------------------------------------------------

ACCOUNT_NO = Field(pattern=r"^[0-9]{10}$", examples=["9900000099"])  # nobody's: no lockout
PIN = Field(pattern=r"^[0-9]{6}$", examples=["000000"])  # no persona's PIN
AMOUNT = Field(
    strict=True, gt=0, le=1_000_000_000, examples=[185000], description="Integer rupiah."
)


class SessionRequest(BaseModel):
    """Log in to the app with an account number and a 6-digit PIN."""

    account_no: str = ACCOUNT_NO
    pin: str = PIN


class SessionResponse(BaseModel):
    """A session for the app; send it as `Authorization: Bearer ...`."""

    session_token: str
    expires_in: int = Field(examples=[1800])


class AccountView(BaseModel):
    """The logged-in customer's own account."""

    account_no: str = Field(examples=["9900000001"])
    name: str = Field(examples=["SARI WULANDARI"])
    balance: int = Field(examples=[2500000])


class VaInquiryRequest(BaseModel):
    """Which VA the customer typed (spaces are ignored)."""

    virtual_account_no: str = Field(
        min_length=1, max_length=40, pattern=r"^[ 0-9]+$", examples=["88001100000123"]
    )


class VaInquiryResponse(BaseModel):
    """What the customer is about to pay."""

    virtual_account_no: str
    name: str
    amount: int
    status: Literal["UNPAID", "PAID", "EXPIRED", "DELETED", "REVERSED"]
    expires_at: str = Field(examples=["2024-03-02T15:00:00+07:00"])


class VaPaymentRequest(BaseModel):
    """Pay a closed VA: the amount must be exactly the bill."""

    virtual_account_no: str = Field(
        min_length=1, max_length=40, pattern=r"^[ 0-9]+$", examples=["88001100000123"]
    )
    amount: int = AMOUNT


class VaPaymentResponse(BaseModel):
    """A completed VA payment."""

    payment_id: str = Field(examples=["PAY-000001"])
    status: Literal["PAID"] = "PAID"
    amount: int
    balance_after: int
    reference_no: str = Field(examples=["990000000001"])


class TransferRequest(BaseModel):
    """Send money to another account at this bank."""

    to_account_no: str = ACCOUNT_NO
    amount: int = AMOUNT
    note: str | None = Field(default=None, max_length=100, examples=["arisan Maret"])


class TransferResponse(BaseModel):
    """A completed transfer."""

    transfer_id: str = Field(examples=["TRF-000001"])
    status: Literal["COMPLETED"] = "COMPLETED"
    amount: int
    to_account_no: str
    to_name: str
    balance_after: int
    reference_no: str


class BindingView(BaseModel):
    """A merchant her account is (or was) bound to."""

    binding_id: int = Field(examples=[1])
    merchant: str = Field(examples=["PT PASARLOKA DIGITAL NUSANTARA"])
    status: Literal["ACTIVE", "REVOKED"]
    limit_without_code: int = Field(
        examples=[250000], description="Debits up to this many rupiah need no code."
    )
    bound_at: str = Field(examples=["2024-03-01T15:00:00+07:00"])
    revoked_at: str | None = None


_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""Text a person typed: anything printable, no control characters."""


class RegistrationRequest(BaseModel):
    """Open an account: the bank checks these details at the civil registry (KYC)."""

    nik: str = Field(pattern=r"^[0-9]{16}$", examples=["9902014907010001"])
    # No control characters (a NUL byte, a newline): these words reach the registry and are
    # kept with the application until she answers in her IKD app.
    name: str = Field(min_length=1, max_length=100, pattern=_PRINTABLE, examples=["DEWI LESTARI"])
    birth_place: str = Field(
        min_length=1, max_length=60, pattern=_PRINTABLE, examples=["TANJUNG DAMAI"]
    )
    birth_date: date = Field(examples=["2001-07-09"])
    sex: Literal["L", "P"] = Field(examples=["P"])
    address: str | None = Field(
        default=None, max_length=200, pattern=_PRINTABLE, examples=["Jl. Pantai Indah No. 21"]
    )
    pin: str = Field(pattern=r"^[0-9]{6}$", examples=["000000"])  # not the story's PIN
    consent: bool = Field(
        examples=[True], description="The applicant agrees to the registry check; must be true."
    )


class Kyc(BaseModel):
    """The registry's answer: match flags only, never the stored record."""

    verification_id: str
    fields: dict[str, str]


class RegistrationResponse(BaseModel):
    """A newly opened account."""

    account_no: str
    name: str
    balance: int
    kyc: Kyc


class AccountApplication(BaseModel):
    """An account application: waiting for the applicant's consent in her IKD app, then
    OPENED (with the account) or REJECTED (with the code and message saying why)."""

    application_id: str = Field(examples=["KYC-3f9c2a1b4d5e6f708192a3b4"])
    status: Literal["AWAITING_CONSENT", "VERIFYING", "OPENED", "REJECTED"]
    consent_request_id: str = Field(examples=["CRQ-20240301-000001"])
    message: str | None = None
    account_no: str | None = None
    name: str | None = None
    balance: int | None = None
    kyc: Kyc | None = None
    code: str | None = Field(default=None, description="Why REJECTED (kyc_failed, ...).")
    mismatched: list[str] | None = None
