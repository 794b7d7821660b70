"""`POST /v1.0/otp-verification` (SNAP service 04): the code the customer typed, sent back.

One endpoint confirms both things a code is sent for: a binding (the answer carries the
partner's token for her account) and a debit above the limit without a code (the money moves
then). The partner names the bank's reference of either; the bank knows which it is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from sandbox.services.bank import binding, codes, debit, errors
from sandbox.services.bank.auth import Caller
from sandbox.services.bank.context import Bank, BankContext
from sandbox.services.bank.routes import claim, snap_caller
from sandbox.services.bank.schemas import OtpVerificationRequest, OtpVerificationResponse

router = APIRouter(tags=["SNAP account binding and direct debit (partners)"])
PATH = "/v1.0/otp-verification"

OtpCaller = Annotated[Caller, Depends(snap_caller("04"))]


@router.post(
    PATH,
    response_model=OtpVerificationResponse,
    response_model_exclude_none=True,
    summary="Confirm a binding or a debit with the customer's code (SNAP service 04)",
)
async def verify(body: OtpVerificationRequest, caller: OtpCaller, bank: Bank) -> dict[str, Any]:
    """200 `2000400`; a wrong code says how many tries are left, the third ends the attempt."""
    service, now = "04", bank.clock()
    answer: dict[str, Any] | None = None
    with bank.store.atomic():
        claim(bank, caller, service, PATH, now)
        otp = codes.pending(bank, service, body.original_reference_no, caller.partner.name)
        refused = codes.refusal(bank, service, otp, body.otp, now)
        if refused is not None:
            if refused.code in ("otp_blocked", "otp_expired"):
                _fail(bank, otp, refused.code)
        elif otp["purpose"] == "binding":
            bank.store.otp_used(otp["reference_no"])
            answer = binding.confirm(bank, otp, now)
        else:
            bank.store.otp_used(otp["reference_no"])
            answer, refused = debit.confirm(bank, otp, now)
    if refused is not None:
        raise refused  # after the commit: a wrong code is counted, a failed debit stays failed
    assert answer is not None
    bank.outbox.kick()  # a confirmed debit notifies the merchant
    return {**errors.success(service), **answer}


def _fail(bank: BankContext, otp: dict[str, Any], reason: str) -> None:
    """The attempt the code was for has ended."""
    if otp["purpose"] == "binding":
        binding.fail(bank, otp)
    else:
        debit.fail(bank, otp, reason)
