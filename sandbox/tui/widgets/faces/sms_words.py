"""The bank's texts in the UI's language, on the phone face.

Bank Contoh writes its texts in Bahasa Indonesia, as an Indonesian bank does: that is the
bank's own message, kept as sent in its `sms` table and returned by `GET /sms` in every
language, like everything else an institution says. A student whose UI is in English must
still understand what her phone was told (a code, what it confirms, never to give it away),
so the phone face says the texts it recognises in the UI's language and marks them as
translated; a text it does not recognise is shown as the bank wrote it. In Indonesian the
face shows the bank's own words.

The patterns follow the bank's templates (`services/bank/sms.py`); a test feeds every
template through them, so a reworded text is noticed rather than silently left untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sandbox.tui.i18n import _, language

_RP = r"(Rp[0-9.]+)"
_WHEN = r"([0-9/]+ [0-9:]+) WIB"
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(
            r"Bank Contoh: ([0-9]+) adalah kode OTP untuk menghubungkan rekening Anda ke "
            r"(.+?)\. Berlaku ([0-9]+) menit\."
        ),
        lambda m: _(
            "Bank Contoh: {code} is the one-time code to bind your account to {merchant}. "
            "Valid for {minutes} minutes. NEVER give this code to anyone, bank staff included."
        ).format(code=m[1], merchant=m[2], minutes=m[3]),
    ),
    (
        re.compile(
            r"Bank Contoh: ([0-9]+) adalah kode OTP untuk pembayaran " + _RP + r" ke "
            r"(.+?)\. Berlaku ([0-9]+) menit\."
        ),
        lambda m: _(
            "Bank Contoh: {code} is the one-time code to pay {amount} to {merchant}. Valid "
            "for {minutes} minutes. NEVER give this code to anyone, bank staff included."
        ).format(code=m[1], amount=m[2], merchant=m[3], minutes=m[4]),
    ),
    (
        re.compile(
            r"Bank Contoh: Rek (\S+) terhubung ke (.+?) sejak " + _WHEN + r"\. Pembayaran "
            r"sampai " + _RP + r" tanpa kode OTP\."
        ),
        lambda m: _(
            "Bank Contoh: account {account} is bound to {merchant} since {when} WIB. Payments "
            "up to {limit} need no code. Unbind it any time in the Bank Contoh app."
        ).format(account=m[1], merchant=m[2], when=m[3], limit=m[4]),
    ),
    (
        re.compile(
            r"Bank Contoh: Rek (\S+) didebit " + _RP + r" oleh (.+?) untuk (\S+) "
            r"\(ref (\S+)\), " + _WHEN + r"\."
        ),
        lambda m: _(
            "Bank Contoh: {merchant} debited {amount} from account {account} for {order} "
            "(ref {reference}), {when} WIB. Not you? Call 1500-990."
        ).format(account=m[1], amount=m[2], merchant=m[3], order=m[4], reference=m[5], when=m[6]),
    ),
    (
        re.compile(
            r"Bank Contoh: Rek (\S+) menerima pengembalian dana " + _RP + r" dari (.+?) "
            r"\(ref (\S+)\), " + _WHEN + r"\."
        ),
        lambda m: _(
            "Bank Contoh: account {account} received a refund of {amount} from {merchant} "
            "(ref {reference}), {when} WIB."
        ).format(account=m[1], amount=m[2], merchant=m[3], reference=m[4], when=m[5]),
    ),
    (
        re.compile(r"Bank Contoh: Rek (\S+) tidak lagi terhubung ke (.+?) sejak " + _WHEN + r"\. "),
        lambda m: _(
            "Bank Contoh: account {account} is no longer bound to {merchant} since {when} "
            "WIB. {merchant} can no longer debit your account."
        ).format(account=m[1], merchant=m[2], when=m[3]),
    ),
)


def in_ui_language(sender: str, words: str) -> str | None:
    """The bank's text said in the UI's language; None when it is shown as written (the UI
    speaks Indonesian, or the text is not one the face knows)."""
    if sender != "bank" or language() == "id":
        return None
    for pattern, say in _PATTERNS:
        found = pattern.match(words)
        if found is not None:
            return say(found)
    return None
