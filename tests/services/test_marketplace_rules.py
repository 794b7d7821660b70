"""The marketplace's domain rules, without HTTP or a database."""

from __future__ import annotations

import pytest

from sandbox.framework.errors import ApiError
from sandbox.services.marketplace import rules
from tests.conftest import WORLD_START

PRODUCTS = {
    1: {"product_id": 1, "shop_id": 10, "price": 15000},
    2: {"product_id": 2, "shop_id": 10, "price": 2500},
    3: {"product_id": 3, "shop_id": 11, "price": 99000},
}


@pytest.mark.parametrize(
    ("code", "label"),
    [
        (100, "UNPAID"),
        (103, "UNPAID"),
        (220, "AWAITING_SHIPMENT"),
        (400, "AWAITING_SHIPMENT"),
        (450, "AWAITING_COLLECTION"),
        (500, "IN_TRANSIT"),
        (600, "DELIVERED"),
        (700, "COMPLETED"),
        (0, "CANCELLED"),
        (10, "CANCELLED"),
        (15, "CANCELLED"),
    ],
)
def test_storefront_status_mapping(code: int, label: str) -> None:
    assert rules.storefront_status(code) == label


def test_order_total_is_integer_rupiah() -> None:
    items = [{"product_id": 1, "quantity": 3}, {"product_id": 2, "quantity": 1}]
    assert rules.order_total(items, {1: 15000, 2: 2500}) == 47500


def test_items_of_one_shop_pass() -> None:
    items = [{"product_id": 1, "quantity": 1}, {"product_id": 2, "quantity": 2}]
    assert rules.check_order_items(items, PRODUCTS) == 10


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([{"product_id": 1, "quantity": 1}, {"product_id": 3, "quantity": 1}], "mixed_shops"),
        ([{"product_id": 1, "quantity": 1}, {"product_id": 1, "quantity": 1}], "duplicate_item"),
        ([{"product_id": 9, "quantity": 1}], "product_not_found"),
    ],
)
def test_bad_item_lists_are_refused(items: list[dict[str, int]], code: str) -> None:
    with pytest.raises(ApiError) as caught:
        rules.check_order_items(items, PRODUCTS)
    assert caught.value.code == code


def test_order_ids_are_wib_day_plus_sequence() -> None:
    assert rules.order_id_for(WORLD_START, 1) == "240301000001"
    # 17:00 UTC is already the next day in Jakarta (UTC+7).
    assert rules.order_id_for(WORLD_START + 9 * 3600, 42) == "240302000042"


def test_va_expires_at_its_deadline() -> None:
    assert not rules.va_expired(1000.0, 999.0)
    assert rules.va_expired(1000.0, 1000.0)
    assert not rules.va_expired(None, 1e12)


def test_snap_amounts_round_trip() -> None:
    assert rules.snap_amount(150000) == {"value": "150000.00", "currency": "IDR"}
    assert rules.rupiah_from_snap("150000.00") == 150000
    assert rules.rupiah_from_snap("0.00") == 0


@pytest.mark.parametrize("value", ["150000", "150000.5", "150000.50", "-1.00", "1e5.00", "01.00"])
def test_odd_snap_amounts_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="whole-rupiah"):
        rules.rupiah_from_snap(value)


def test_iso_wib_has_the_jakarta_offset() -> None:
    assert rules.iso_wib(WORLD_START) == "2024-03-01T15:00:00+07:00"


def test_kyc_passes_only_when_every_field_matches() -> None:
    ok = {"found": True, "fields": {"nama_lgkp": "SESUAI", "tgl_lhr": "SESUAI"}}
    assert rules.kyc_mismatches(ok) == []
    bad = {"found": True, "fields": {"tgl_lhr": "TIDAK SESUAI", "nama_lgkp": "SESUAI"}}
    assert rules.kyc_mismatches(bad) == ["tgl_lhr"]
    assert rules.kyc_mismatches({"found": False, "fields": {}}) == ["nik"]


def test_registry_formats() -> None:
    assert rules.registry_birth_date("2001-07-09") == "09-07-2001"
    assert (rules.registry_sex("L"), rules.registry_sex("P")) == ("LAKI-LAKI", "PEREMPUAN")


@pytest.mark.parametrize(
    ("status", "reason", "state"),
    [
        (103, None, "UNPAID"),
        (220, None, "PAID"),
        (0, "PAYMENT_EXPIRED", "EXPIRED"),
        (15, "CANCELLED_BY_BUYER", "CANCELLED"),
    ],
)
def test_payment_state_on_the_checkout_page(status: int, reason: str | None, state: str) -> None:
    assert rules.payment_state(status, reason) == state
