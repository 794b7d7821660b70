"""The sale's invariants, read from the institutions' tables (a fixed set of rows)."""

from __future__ import annotations

from typing import Any, cast

from sandbox.load.report import SaleReport
from sandbox.load.sale import Control, Snapshot, check_sale

VA_1, VA_2, VA_3 = "   88001000000000001", "   88001000000000002", "   88001000000000003"


class FakeControl:
    """The control API's read-only tables, as rows."""

    def __init__(self, tables: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
        self.tables = tables

    def rows(self, service: str, table: str) -> list[dict[str, Any]]:
        return self.tables[(service, table)]

    def calls_of(self, prefix: str, since: int) -> list[dict[str, Any]]:
        return []


def _order(order_id: str, status: int, va: str, buyer: int = 50001) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "order_status": status,
        "va_no": va,
        "buyer_id": buyer,
        "total_amount": 1000,
    }


def _tables(**changes: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    tables = {
        ("marketplace", "products"): [{"product_id": 7, "name": "Batik", "stock": 0}],
        ("marketplace", "orders"): [
            _order("o1", 220, VA_1),
            _order("o2", 103, VA_2),
            _order("o3", 0, VA_3),
            _order("old", 220, "x"),
        ],
        ("marketplace", "order_items"): [
            {"order_id": o, "product_id": 7, "quantity": 1} for o in ("o1", "o2", "o3", "old")
        ],
        ("marketplace", "payments"): [{"order_id": "o1"}, {"order_id": "old"}],
        ("bank", "vas"): [{"virtual_account_no": VA_1, "status": "PAID"}],
        ("bank", "accounts"): [{"balance": 5000}],
        ("bank", "debits"): [
            {"reference_no": "D1", "partner": "marketplace", "partner_reference_no": "o1"},
            {"reference_no": "D2", "partner": "marketplace", "partner_reference_no": "o2"},
        ],
        ("bank", "movements"): [
            {"id": 1, "kind": "va_payment", "note": "x", "amount": 1000},
            {"id": 2, "kind": "va_payment", "note": VA_1, "amount": 1000},
        ],
    }
    tables.update({tuple(k.split("__")): v for k, v in changes.items()})  # type: ignore[misc]
    return tables


BEFORE = Snapshot(
    stock={7: {"product_id": 7, "name": "Batik", "stock": 2}},
    balances=5000,
    orders={"old"},
    movements=1,
    calls=0,
)
PLAN = {
    "buyers": [{"buyer_id": 50001}] * 3,
    "products": [{"product_id": 7}],
    "trace_prefix": "abcd",
}
OUTCOMES = [
    {"outcome": "paid"},
    {"outcome": "refused", "reason": "insufficient_funds"},
    {"outcome": "refused", "reason": "marketplace_unavailable"},
]


def _check(tables: dict[tuple[str, str], list[dict[str, Any]]]) -> SaleReport:
    return check_sale(cast(Control, FakeControl(tables)), BEFORE, PLAN, OUTCOMES)


def test_a_cancelled_order_gave_its_stock_back() -> None:
    report = _check(_tables())
    [product] = report.products
    assert (product.orders, product.cancelled, product.paid, product.stock_after) == (2, 1, 1, 0)
    assert report.ok, report.to_dict()["problems"]


def test_more_orders_than_stock_is_oversold() -> None:
    tables = _tables(
        marketplace__orders=[
            _order("o1", 220, VA_1),
            _order("o2", 103, VA_2),
            _order("o3", 103, VA_3),
        ]
    )
    report = _check(tables)
    assert (report.oversold, report.ok) == (1, False)


def test_a_payment_taken_twice_or_for_an_unpaid_order_is_not_conserved() -> None:
    twice = [
        {"id": 2, "kind": "va_payment", "note": VA_1, "amount": 1000},
        {"id": 3, "kind": "va_payment", "note": VA_1, "amount": 1000},
    ]
    report = _check(_tables(bank__movements=twice))
    assert not report.money_conserved
    unpaid = [
        {"id": 2, "kind": "va_payment", "note": VA_1, "amount": 1000},
        {"id": 3, "kind": "va_payment", "note": VA_2, "amount": 1000},
    ]
    report = _check(_tables(bank__movements=unpaid))
    assert any("o2" in p for p in report.money["problems"])
    lost = _check(_tables(bank__accounts=[{"balance": 4000}]))
    assert not lost.money_conserved


def test_a_direct_debit_counts_for_its_order_once() -> None:
    by_debit = [{"id": 2, "kind": "direct_debit", "note": "D1", "amount": 1000}]
    report = _check(_tables(bank__movements=by_debit))
    assert report.money_conserved, report.money["problems"]
    assert report.money["payments"] == 1
    twice = [*by_debit, {"id": 3, "kind": "direct_debit", "note": "D1", "amount": 1000}]
    assert not _check(_tables(bank__movements=twice)).money_conserved
    unpaid = [*by_debit, {"id": 3, "kind": "direct_debit", "note": "D2", "amount": 1000}]
    report = _check(_tables(bank__movements=unpaid))
    assert any("o2" in p for p in report.money["problems"])
