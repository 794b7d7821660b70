"""`sandbox run flash-sale`: its refusals, and a small sale over a real sandbox with Locust."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sandbox.cli import main


def test_too_many_buyers_says_how_many_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "flash-sale", "--data-dir", str(tmp_path), "--buyers", "1000"])
    assert code == 2
    assert "the seeded world has 124 Klip users with an account" in capsys.readouterr().err
    assert not (tmp_path / "flash-sale").exists()  # refused before anything started


def test_unknown_payment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):  # argparse refuses it before anything starts
        main(["run", "flash-sale", "--data-dir", str(tmp_path), "--pay", "cash"])
    assert not (tmp_path / "flash-sale").exists()


def test_sale_options_belong_to_the_sale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "checkout", "--data-dir", str(tmp_path), "--buyers", "3"]) == 2
    assert "only for `sandbox run flash-sale`" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="Locust is the [load] extra")
@pytest.mark.parametrize(("pay", "limit"), [("debit", []), ("va", []), ("debit", ["3"])])
def test_small_flash_sale_keeps_stock_and_money(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pay: str, limit: list[str]
) -> None:
    code = main(
        [
            "run",
            "flash-sale",
            "--data-dir",
            str(tmp_path),
            "--buyers",
            "12",
            "--products",
            "2",
            "--duration",
            "30" if limit else "15",  # a throttled buyer waits; the sale ends when all are told
            "--pay",
            pay,
            *(["--bank-limit", *limit] if limit else []),
            "--json",
        ]
    )
    sale = json.loads(capsys.readouterr().out)
    assert code == 0, sale
    assert sale["buyers"] == 12
    assert sale["oversold"] == 0 and sale["money_conserved"] is True
    stock = sum(p["stock"] for p in sale["products"])
    assert sale["paid"] <= sale["orders"] <= stock < 12  # more buyers than items
    for product in sale["products"]:
        assert product["orders"] <= product["stock"]
        assert product["stock_after"] == product["stock"] - product["orders"]
    refused = sale["refused"]
    assert refused["untold"] == 0, refused
    assert sum(refused["by_reason"].values()) == refused["total"] == 12 - sale["paid"]
    assert sale["sold_out"] == refused["by_reason"].get("out_of_stock", 0) > 0
    crowd = {"buyer->social", "social->marketplace", "marketplace->bank", "buyer->marketplace"}
    assert crowd <= set(sale["edges"])
    # Paying inside Klip never sends her to the bank; the VA is paid in her bank app.
    assert ("buyer->bank" in sale["edges"]) is (pay == "va")
    throttled = {edge: e["throttled"] for edge, e in sale["edges"].items() if e["throttled"]}
    assert sale["throttled"] == throttled
    if not limit:
        assert all(e["errors"] == 0 for e in sale["edges"].values())
        assert sale["bank_limit_per_s"] == 0 and not throttled
        return
    # Throttled: only the bank did it; a buyer the bank stayed too busy for was told so.
    assert sale["bank_limit_per_s"] == 3.0
    assert set(throttled) <= {"marketplace->bank"}
    # bank_busy: the bank throttled a payment step to the end (never a refused code).
    assert set(refused["by_reason"]) <= {"out_of_stock", "bank_unavailable", "bank_busy"}, refused
