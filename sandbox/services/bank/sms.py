"""What the bank texts to a customer's phone: one-time codes and notices of money moved.

A phone is outside the integration. The telephone network carries an SMS, not an API call
between institutions, so a text is not a recorded call: the bank keeps each one it sent in its
`sms` table, and the sandbox shows a person's phone through its control API (`GET /sms`).
The texts are in Bahasa Indonesia, as an Indonesian bank writes them. A code's text names what
it confirms (so she can tell a code for "bind to PASARLOKA" from one for "pay Rp5.000.000") and
tells her never to give it to anyone: a code is the customer's own consent, and whoever asks
for it on the phone is a fraudster, not the bank.
"""

from __future__ import annotations

from datetime import datetime

from sandbox.dialects.common import WIB
from sandbox.services.bank import rules
from sandbox.services.bank.store import BankStore

BANK = "Bank Contoh"
WARNING = "JANGAN berikan kode ini kepada siapa pun, termasuk petugas bank."
"""Never give this code to anyone, bank staff included."""


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, WIB).strftime("%d/%m/%y %H:%M")


def binding_code(code: str, merchant: str) -> str:
    """The code that binds her account to a merchant."""
    return (
        f"{BANK}: {code} adalah kode OTP untuk menghubungkan rekening Anda ke {merchant}. "
        f"Berlaku {rules.CODE_SECONDS // 60} menit. {WARNING}"
    )


def debit_code(code: str, amount: int, merchant: str) -> str:
    """The code that lets a merchant debit more than the limit without one."""
    return (
        f"{BANK}: {code} adalah kode OTP untuk pembayaran {rules.rupiah_id(amount)} ke "
        f"{merchant}. Berlaku {rules.CODE_SECONDS // 60} menit. {WARNING}"
    )


def bound_notice(account_no: str, merchant: str, limit: int, at: float) -> str:
    """Her account is now bound: the merchant may debit it."""
    return (
        f"{BANK}: Rek {rules.mask_account(account_no)} terhubung ke {merchant} sejak "
        f"{_when(at)} WIB. Pembayaran sampai {rules.rupiah_id(limit)} tanpa kode OTP. "
        "Putuskan kapan saja di aplikasi Bank Contoh."
    )


def debit_notice(
    account_no: str, amount: int, merchant: str, order: str, reference: str, at: float
) -> str:
    """Money left her account by direct debit."""
    return (
        f"{BANK}: Rek {rules.mask_account(account_no)} didebit {rules.rupiah_id(amount)} "
        f"oleh {merchant} untuk {order} (ref {reference}), {_when(at)} WIB. "
        "Bukan transaksi Anda? Hubungi 1500-990."
    )


def refund_notice(account_no: str, amount: int, merchant: str, reference: str, at: float) -> str:
    """A merchant gave money back."""
    return (
        f"{BANK}: Rek {rules.mask_account(account_no)} menerima pengembalian dana "
        f"{rules.rupiah_id(amount)} dari {merchant} (ref {reference}), {_when(at)} WIB."
    )


def unbound_notice(account_no: str, merchant: str, at: float) -> str:
    """Her account is no longer bound to a merchant."""
    return (
        f"{BANK}: Rek {rules.mask_account(account_no)} tidak lagi terhubung ke {merchant} "
        f"sejak {_when(at)} WIB. {merchant} tidak dapat lagi mendebit rekening Anda."
    )


def send(store: BankStore, phone: str | None, text: str, now: float) -> None:
    """Text `phone` (an account without a phone gets nothing: a branch would call her)."""
    if phone:
        store.send_sms(phone, text, now)
