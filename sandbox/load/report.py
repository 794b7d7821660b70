"""A flash sale's report: figures per edge from the sandbox's own recorded calls, the buyers'
answers counted by reason, and the invariants as they were checked.

Pure functions of plain data (calls as the control API returns them, the buyers' outcome lines,
the checks' findings), so a test can give them a fixed list and read the same report.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SOLD_OUT = "out_of_stock"
"""Klip's code when the marketplace had no stock left for the order."""
THROTTLED = 429


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class EdgeFigures:
    """How one edge (caller->callee) carried the sale."""

    calls: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    """Calls that failed: no answer, or a 5xx (a refusal such as 409 sold out is an answer)."""
    throttled: int
    """Calls answered 429 (too many requests)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "errors": self.errors,
            "throttled": self.throttled,
        }


def edge_figures(calls: Iterable[Mapping[str, Any]]) -> dict[str, EdgeFigures]:
    """Per edge `caller->callee`: latency percentiles, errors and throttled calls."""
    durations: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    throttled: Counter[str] = Counter()
    for call in calls:
        edge = f"{call['caller']}->{call['callee']}"
        durations[edge].append(float(call.get("duration_ms") or 0.0))
        status = call.get("status")
        if status is None or status >= 500:
            errors[edge] += 1
        elif status == THROTTLED:
            throttled[edge] += 1
    return {
        edge: EdgeFigures(
            len(found),
            round(percentile(found, 0.50), 1),
            round(percentile(found, 0.95), 1),
            round(percentile(found, 0.99), 1),
            errors[edge],
            throttled[edge],
        )
        for edge, found in sorted(durations.items())
    }


def sale_window(calls: Iterable[Mapping[str, Any]]) -> float:
    """Seconds from the first recorded call's start to the last one's end (0 if none)."""
    spans = [
        (float(c["started_at"]), float(c["started_at"]) + float(c.get("duration_ms") or 0) / 1000)
        for c in calls
    ]
    if not spans:
        return 0.0
    return max(end for _, end in spans) - min(start for start, _ in spans)


@dataclass
class ProductFigures:
    """One product of the sale: its stock at the start and what became of it."""

    product_id: int
    name: str
    stock: int
    """Stock when the sale started."""
    orders: int = 0
    """Items of orders the marketplace accepted for it during the sale and still holds."""
    cancelled: int = 0
    """Items of the sale's orders cancelled since (their stock went back)."""
    paid: int = 0
    stock_after: int = 0

    @property
    def oversold(self) -> int:
        return max(0, self.orders - self.stock)

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "stock": self.stock,
            "orders": self.orders,
            "cancelled": self.cancelled,
            "paid": self.paid,
            "stock_after": self.stock_after,
            "oversold": self.oversold,
        }


@dataclass
class SaleReport:
    """Everything the command prints, and its JSON."""

    buyers: int
    outcomes: list[dict[str, Any]]
    """One per buyer who got an answer: `outcome` paid or refused, and the `reason`."""
    products: list[ProductFigures]
    calls: list[dict[str, Any]]
    """The sandbox's recorded calls of the sale (its trace ids only)."""
    paid_orders: int
    """Orders of the sale the marketplace holds as paid."""
    money: dict[str, Any] = field(default_factory=dict)
    """What the money check found: `balances_before`, `balances_after`, `problems`."""
    problems: list[str] = field(default_factory=list)
    """Every invariant that failed, in words."""
    bank_limit: float = 0.0
    """The SNAP calls per second the bank granted each partner during the sale (0: none)."""

    @property
    def refused(self) -> Counter[str]:
        return Counter(
            o.get("reason") or "unknown" for o in self.outcomes if o.get("outcome") != "paid"
        )

    @property
    def untold(self) -> int:
        """Buyers who got no answer at all: no outcome line, or one with no reason."""
        told = sum(1 for o in self.outcomes if o.get("outcome") == "paid" or o.get("reason"))
        return self.buyers - told

    @property
    def oversold(self) -> int:
        return sum(p.oversold for p in self.products)

    @property
    def money_conserved(self) -> bool:
        return not self.money.get("problems") and self.money.get(
            "balances_before"
        ) == self.money.get("balances_after")

    @property
    def ok(self) -> bool:
        return (
            self.oversold == 0 and self.money_conserved and self.untold == 0 and not self.problems
        )

    def checkouts_per_s(self) -> float:
        window = sale_window(self.calls)
        return round(self.paid_orders / window, 2) if window > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        edges = edge_figures(self.calls)
        refused = self.refused
        return {
            "buyers": self.buyers,
            "orders": sum(p.orders for p in self.products),
            "paid": self.paid_orders,
            "sold_out": refused.get(SOLD_OUT, 0),
            "refused": {
                "total": sum(refused.values()),
                "by_reason": dict(sorted(refused.items())),
                "untold": self.untold,
            },
            "oversold": self.oversold,
            "money_conserved": self.money_conserved,
            "checkouts_per_s": self.checkouts_per_s(),
            "edges": {edge: f.to_dict() for edge, f in edges.items()},
            "bank_limit_per_s": self.bank_limit,
            "throttled": {edge: f.throttled for edge, f in edges.items() if f.throttled},
            "buyers_throttled": sum(1 for o in self.outcomes if o.get("throttled")),
            "products": [p.to_dict() for p in self.products],
            "duration_s": round(sale_window(self.calls), 2),
            "problems": self.problems + list(self.money.get("problems", [])),
        }

    def _throttle_lines(self, data: dict[str, Any]) -> list[str]:
        """What was throttled: the bank's limit, and the calls answered 429 per edge."""
        if not self.bank_limit and not data["throttled"]:
            return []
        limit = (
            f"the bank granted each partner {self.bank_limit:g} SNAP calls per second"
            if self.bank_limit
            else "no limit was set"
        )
        out = ["", f"Throttled ({limit}; a 429 is waited out and the same request sent again):"]
        out += [f"  {edge:28} {count:>6} answered 429" for edge, count in data["throttled"].items()]
        if not data["throttled"]:
            out.append("  (nothing: the crowd stayed under the limit)")
        return out

    def lines(self) -> list[str]:
        """The report as text, for a person."""
        data = self.to_dict()
        out = [
            f"Buyers {data['buyers']}, orders accepted {data['orders']}, paid "
            f"{data['paid']}, sold out {data['sold_out']}, in {data['duration_s']} s: "
            f"{data['checkouts_per_s']} checkouts per second.",
            "",
            "Products:",
        ]
        out += [
            f"  {p.product_id} {p.name[:36]:36}  stock {p.stock:>3} -> {p.stock_after:>3}"
            f"  orders {p.orders:>3}  paid {p.paid:>3}"
            + (f"  cancelled {p.cancelled}" if p.cancelled else "")
            for p in self.products
        ]
        out += ["", "Refused buyers, by what they were told:"]
        out += [
            f"  {reason:28} {count:>4}" for reason, count in data["refused"]["by_reason"].items()
        ] or ["  (none)"]
        if data["refused"]["untold"]:
            out.append(f"  {'(never answered)':28} {data['refused']['untold']:>4}")
        out += [
            "",
            f"  {'edge':28} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
            f" {'errors':>6} {'429':>5}",
        ]
        out += [
            f"  {edge:28} {f['calls']:>6} {f['p50_ms']:>8} {f['p95_ms']:>8} "
            f"{f['p99_ms']:>8} {f['errors']:>6} {f['throttled']:>5}"
            for edge, f in data["edges"].items()
        ]
        out += self._throttle_lines(data)
        before, after = self.money.get("balances_before"), self.money.get("balances_after")
        out += [
            "",
            "Invariants:",
            f"  stock never oversold      {'yes' if self.oversold == 0 else 'NO'}"
            f" (oversold {self.oversold})",
            f"  money conserved           {'yes' if self.money_conserved else 'NO'}"
            f" (bank total {before} -> {after}; each paid order paid once)",
            f"  every buyer told why      {'yes' if self.untold == 0 else 'NO'}",
        ]
        out += [f"  PROBLEM: {p}" for p in data["problems"]]
        return out
