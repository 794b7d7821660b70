"""The benchmark table: ratios, aims and verdicts (pure functions, no processes)."""

from __future__ import annotations

import json

from benchmarks.figures import Aim, Figure, render
from benchmarks.throughput import Signer


def test_figure_ratio_and_aim_of_ratio() -> None:
    figure = Figure("s", "requests/s", 300.0, "/s", 400.0, "plain", Aim(">=", 0.8, of_ratio=True))

    assert figure.ratio == 0.75
    assert figure.met is False
    assert figure.as_dict()["aim"] == "ratio >= 0.8"


def test_figure_without_value_or_aim_has_no_verdict() -> None:
    assert Figure("s", "n", None, aim=Aim("<", 1)).met is None
    assert Figure("s", "n", 3.0).met is None
    assert Figure("s", "n", 3.0, baseline=0.0).ratio is None


def test_render_groups_rows_by_section_with_verdicts() -> None:
    table = render([
        Figure("cold start", "up", 0.4, "s", aim=Aim("<", 0.5)),
        Figure("cold start", "ui", 1.5, "s", 0.4, "up", Aim("<", 1.0)),
        Figure("memory", "idle", 70.0, "MB"),
    ])  # fmt: skip
    lines = table.splitlines()

    assert lines[0].split() == ["figure", "value", "baseline", "ratio", "aim", "met?"]
    assert lines[2] == "cold start" and lines[5] == "memory"
    assert lines[3].rstrip().endswith("yes")
    assert lines[4].rstrip().endswith("MISSED") and "(up)" in lines[4] and "3.75" in lines[4]


def test_signer_spreads_writes_over_stock_and_stops_when_none_is_left() -> None:
    signer = Signer(7001, "key", "secret", "token", stock={1: 2, 2: 1}, buyers=["a", "b"])

    writes = signer.prepare("write", 10)

    assert len(writes) == 3
    assert [w.body.count('"product_id":1') for w in writes] == [1, 0, 1]
    assert all(w.path.startswith("/api/v2/fs/7001/orders?") and "sign=" in w.path for w in writes)
    assert len({w.path for w in writes}) == 3  # a fresh nonce each


def test_signer_gets_back_the_stock_of_orders_never_sent() -> None:
    signer = Signer(7001, "key", "secret", "token", stock={1: 1, 2: 1}, buyers=["a"])
    writes = signer.prepare("write", 2)
    assert signer.prepare("write", 1) == []

    signer.give_back(writes[1:])

    again = signer.prepare("write", 5)
    assert len(again) == 1
    assert json.loads(again[0].body)["items"] == json.loads(writes[1].body)["items"]
