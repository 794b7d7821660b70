"""The bank's Indonesian texts said in the UI's language on the phone face."""

from __future__ import annotations

import pytest

from sandbox.services.bank import sms
from sandbox.tui import i18n
from sandbox.tui.widgets.faces.sms_words import in_ui_language

AT = 1_709_280_000.0
ACCOUNT = "9900000001"
EVERY_TEMPLATE = {
    "binding": sms.binding_code("123456", "PASARLOKA"),
    "debit code": sms.debit_code("654321", 5_000_000, "PASARLOKA"),
    "bound": sms.bound_notice(ACCOUNT, "PASARLOKA", 250_000, AT),
    "debited": sms.debit_notice(ACCOUNT, 185_000, "PASARLOKA", "240301000001", "DD01", AT),
    "refund": sms.refund_notice(ACCOUNT, 85_000, "PASARLOKA", "RF01", AT),
    "unbound": sms.unbound_notice(ACCOUNT, "PASARLOKA", AT),
}


@pytest.mark.parametrize("kind", sorted(EVERY_TEMPLATE))
def test_every_text_the_bank_sends_is_said_in_english(kind: str) -> None:
    said = in_ui_language("bank", EVERY_TEMPLATE[kind])
    assert said is not None, f"the {kind} text is no longer recognised: {EVERY_TEMPLATE[kind]}"
    assert said.startswith("Bank Contoh: ") and "PASARLOKA" in said
    assert not any(word in said for word in ("adalah", "rekening", "Berlaku", "sejak"))


def test_what_a_code_text_keeps_and_says() -> None:
    said = in_ui_language("bank", EVERY_TEMPLATE["debit code"])
    assert said is not None and "654321" in said and "Rp5.000.000" in said
    assert "NEVER give this code to anyone" in said
    debited = in_ui_language("bank", EVERY_TEMPLATE["debited"]) or ""
    assert "******0001" in debited and "240301000001" in debited and "DD01" in debited


def test_in_indonesian_or_for_an_unknown_text_the_bank_s_words_are_shown() -> None:
    assert in_ui_language("bank", "Bank Contoh: selamat datang!") is None
    assert in_ui_language("hospital", EVERY_TEMPLATE["binding"]) is None
    i18n.set_language("id")
    try:
        assert in_ui_language("bank", EVERY_TEMPLATE["binding"]) is None
    finally:
        i18n.set_language("en")
