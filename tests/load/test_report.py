"""The flash sale's figures from a fixed list of recorded calls, and its plan from the world."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.load.report import ProductFigures, SaleReport, edge_figures, percentile, sale_window
from sandbox.load.sale import SaleError, SaleOptions, check_options, choose_products, linked_buyers


def _call(
    caller: str, callee: str, ms: float, status: int | None = 200, at: float = 0.0
) -> dict[str, Any]:
    return {
        "caller": caller,
        "callee": callee,
        "duration_ms": ms,
        "status": status,
        "started_at": at,
        "trace_id": "ab" * 16,
    }


CALLS = [
    *[_call("buyer", "social", float(ms), at=(ms - 1) / 10) for ms in range(1, 101)],  # 1..100 ms
    _call("social", "marketplace", 8.0, 201, at=1.0),
    _call("social", "marketplace", 12.0, 409, at=2.0),  # sold out: an answer, not an error
    _call("marketplace", "bank", 30.0, 429, at=3.0),
    _call("marketplace", "bank", 40.0, 503, at=4.0),
    _call("bank", "marketplace", 5.0, None, at=19.995),  # never answered; ends at 20.0 s
]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([], 0.95) == 0.0
    assert percentile([7.0], 0.99) == 7.0


def test_edge_figures_count_errors_and_throttling_per_edge() -> None:
    edges = {edge: f.to_dict() for edge, f in edge_figures(CALLS).items()}
    assert list(edges) == [
        "bank->marketplace",
        "buyer->social",
        "marketplace->bank",
        "social->marketplace",
    ]
    assert edges["buyer->social"] == {
        "calls": 100,
        "p50_ms": 50.0,
        "p95_ms": 95.0,
        "p99_ms": 99.0,
        "errors": 0,
        "throttled": 0,
    }
    assert edges["social->marketplace"]["errors"] == 0
    assert (edges["marketplace->bank"]["errors"], edges["marketplace->bank"]["throttled"]) == (1, 1)
    assert edges["bank->marketplace"]["errors"] == 1


def _report(**changes: Any) -> SaleReport:
    fields: dict[str, Any] = {
        "buyers": 5,
        "outcomes": [
            {"outcome": "paid"},
            {"outcome": "paid"},
            {"outcome": "refused", "reason": "out_of_stock"},
            {"outcome": "refused", "reason": "out_of_stock"},
            {"outcome": "refused", "reason": "4030214"},
        ],
        "products": [ProductFigures(1, "Batik", stock=2, orders=2, paid=2, stock_after=0)],
        "calls": CALLS,
        "paid_orders": 2,
        "money": {"balances_before": 100, "balances_after": 100, "problems": []},
    }
    return SaleReport(**{**fields, **changes})


def test_report_counts_buyers_by_what_they_were_told() -> None:
    data = _report().to_dict()
    assert {
        k: data[k] for k in ("buyers", "orders", "paid", "sold_out", "oversold", "money_conserved")
    } == {
        "buyers": 5,
        "orders": 2,
        "paid": 2,
        "sold_out": 2,
        "oversold": 0,
        "money_conserved": True,
    }
    assert data["refused"] == {
        "total": 3,
        "by_reason": {"4030214": 1, "out_of_stock": 2},
        "untold": 0,
    }
    assert data["throttled"] == {"marketplace->bank": 1}
    assert sale_window(CALLS) == pytest.approx(20.0)
    assert data["checkouts_per_s"] == 0.1  # 2 paid in 20 s
    assert set(data["edges"]["buyer->social"]) == {
        "calls",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "errors",
        "throttled",
    }
    assert _report().ok


def test_report_fails_on_oversell_lost_money_or_an_untold_buyer() -> None:
    oversold = _report(products=[ProductFigures(1, "Batik", stock=2, orders=3, stock_after=0)])
    assert (oversold.to_dict()["oversold"], oversold.ok) == (1, False)
    lost = _report(money={"balances_before": 100, "balances_after": 90, "problems": []})
    assert (lost.money_conserved, lost.ok) == (False, False)
    twice = _report(
        money={"balances_before": 100, "balances_after": 100, "problems": ["order 1 paid twice"]}
    )
    assert not twice.money_conserved
    untold = _report(buyers=6)  # one buyer never got an answer
    assert (untold.untold, untold.ok) == (1, False)
    assert any("never answered" in line for line in untold.lines())


def test_linked_buyers_are_klip_users_with_a_bank_account(world: dict[str, Any]) -> None:
    buyers = linked_buyers(world)
    accounts = {a["account_no"]: a for a in world["bank"]["accounts"]}
    assert 0 < len(buyers) < len(world["social"]["users"])
    assert len({b["user_id"] for b in buyers}) == len(buyers)
    sari = buyers[0]
    assert (sari["user_id"], sari["account_no"]) == (1, world["personas"]["buyer"]["account_no"])
    assert all(accounts[b["account_no"]]["pin"] == b["pin"] for b in buyers)


def test_options_the_world_cannot_stage_are_refused(world: dict[str, Any]) -> None:
    most = len(linked_buyers(world))
    assert len(check_options(SaleOptions(buyers=most), world)) == most
    with pytest.raises(SaleError, match=f"has {most} Klip users"):
        check_options(SaleOptions(buyers=most + 1), world)
    with pytest.raises(SaleError, match="debit or va"):
        check_options(SaleOptions(pay="cash"), world)
    assert check_options(SaleOptions(pay="va"), world) == check_options(SaleOptions(), world)


def test_products_chosen_are_in_a_video_with_little_stock() -> None:
    stock = {
        pid: {"product_id": pid, "name": str(pid), "stock": s}
        for pid, s in [(1, 0), (2, 50), (3, 4), (4, 3), (5, 2)]
    }
    videos = [{"video_id": 9, "product_ids": [1, 2, 3]}, {"video_id": 8, "product_ids": [4]}]
    chosen = choose_products(stock, videos, count=2, buyers=18)  # about 3 each
    assert [(p["product_id"], p["video_id"]) for p in chosen] == [(4, 8), (3, 9)]
    with pytest.raises(SaleError, match="only 3 products"):
        choose_products(stock, videos, count=4, buyers=18)
