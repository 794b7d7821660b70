"""`sandbox run flash-sale`: seeded buyers race for a few limited-stock products, and the
invariants are checked over the institutions' own tables and recorded calls afterwards.

The load itself comes from Locust, in a child process running `locustfile.py` (Locust patches
the standard library with gevent, so it never runs in the sandbox's process). This module plans
the sale from the seeded world and the running sandbox's tables, starts Locust, and reads
everything back through the control API (read-only tables, recorded calls): it changes nothing
in any institution except through the buyers' own calls.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from sandbox.load.report import ProductFigures, SaleReport
from sandbox.load.targets import is_loopback

PAYMENTS = ("debit", "va")
"""How buyers may pay (`--pay`): with Bank Contoh inside the checkout (the marketplace binds
her account with a texted code, then debits it; the default, as `sandbox run checkout`), or
the virtual account in her bank app."""
PAGE = 500
"""The control API's largest page."""
CANCELLED = (0, 10, 15)
"""The marketplace's cancelled statuses: their stock went back (e.g. the bank failed to open
the VA, so the buyer was told 502 and the item was free for the next one)."""
SETTLE_S = 15.0
"""How long the check waits for payments the bank took to reach the marketplace."""
INSTALL_HINT = "pip install 'integration-sandbox[load]'"


class SaleError(Exception):
    """The sale cannot start as asked; the message says why and what to do."""


@dataclass(frozen=True)
class SaleOptions:
    """What `sandbox run flash-sale` was asked for."""

    buyers: int = 50
    duration_s: int = 30
    products: int = 2
    pay: str = "debit"
    bank_limit: float = 0.0
    """SNAP calls per second the bank grants each partner during the sale (0: no limit); set
    as the bank's `rate_limit` fault and put back as it was afterwards."""


@dataclass(frozen=True)
class Target:
    """The running sandbox: its control API and the institutions' URLs."""

    control_url: str
    urls: dict[str, str]
    token: str | None = None
    """The control API's token: the sale changes nothing else, but a bank limit is a change."""


# -- the plan ----------------------------------------------------------------------------------


def linked_buyers(world: dict[str, Any]) -> list[dict[str, Any]]:
    """Klip users who are also a bank customer, with what each needs to buy and pay.

    The world links them as the institutions do, by no shared id: a Klip user's opaque link
    token names a marketplace buyer, whose phone is a registered person's, whose NIK holds an
    account at Bank Contoh. About four in five Klip users have one.
    """
    buyer_of = {b["link_token"]: b for b in world["marketplace"]["buyers"]}
    person_of = {p["phone"]: p for p in world["persons"]}
    account_of = {
        a["nik"]: a for a in world["bank"]["accounts"] if a["nik"] and a["kind"] == "personal"
    }
    found = []
    for user in sorted(world["social"]["users"], key=lambda u: u["user_id"]):
        buyer = buyer_of.get(user["link_token"])
        person = person_of.get(buyer["phone"]) if buyer else None
        account = account_of.get(person["nik"]) if person else None
        if buyer and person and account:
            found.append(
                {
                    "user_id": user["user_id"],
                    "buyer_id": buyer["buyer_id"],
                    "name": buyer["name"],
                    "session_token": user["session_token"],
                    "account_no": account["account_no"],
                    "pin": account["pin"],
                    "phone": person["phone"],
                }
            )
    return found


def check_options(options: SaleOptions, world: dict[str, Any]) -> list[dict[str, Any]]:
    """The buyers the world can field; SaleError if the sale cannot be staged as asked."""
    if options.pay not in PAYMENTS:
        raise SaleError(f"--pay {options.pay}: buyers pay by {' or '.join(PAYMENTS)}")
    everyone = linked_buyers(world)
    if options.buyers > len(everyone):
        raise SaleError(
            f"--buyers {options.buyers}: the seeded world has {len(everyone)} Klip "
            "users with an account at Bank Contoh; ask for at most that many"
        )
    return everyone


def choose_products(
    stock: dict[int, dict[str, Any]], videos: list[dict[str, Any]], count: int, buyers: int
) -> list[dict[str, Any]]:
    """`count` products shown in a video and still in stock, with little stock: about a third
    of a buyer each, so most of the crowd meets "sold out" (the seed has no API to set stock,
    so the sale picks products whose stock is already low)."""
    video_of: dict[int, int] = {}
    for video in sorted(videos, key=lambda v: v["video_id"]):
        for product_id in video["product_ids"]:
            video_of.setdefault(product_id, video["video_id"])
    target = max(1, buyers // (3 * count))
    candidates = sorted(
        (p for p in stock.values() if p["stock"] > 0 and p["product_id"] in video_of),
        key=lambda p: (abs(p["stock"] - target), p["product_id"]),
    )
    if len(candidates) < count:
        raise SaleError(
            f"only {len(candidates)} products in a video still have stock; "
            "ask for fewer (--products) or `sandbox reset`"
        )
    return [{**p, "video_id": video_of[p["product_id"]]} for p in candidates[:count]]


def plan_sale(
    world: dict[str, Any],
    stock: dict[int, dict[str, Any]],
    target: Target,
    options: SaleOptions,
    results: Path,
) -> dict[str, Any]:
    """The plan Locust reads: buyers (each with a product), URLs, think times."""
    everyone = check_options(options, world)
    for url in [target.control_url, *target.urls.values()]:
        if not is_loopback(url):
            raise SaleError(f"{url} is not on this machine: a flash sale stays on loopback")
    products = choose_products(stock, world["social"]["videos"], options.products, options.buyers)
    buyers = [
        {
            **b,
            "product_id": products[i % len(products)]["product_id"],
            "video_id": products[i % len(products)]["video_id"],
        }
        for i, b in enumerate(everyone[: options.buyers])
    ]
    random.Random(options.buyers).shuffle(buyers)  # products' crowds arrive mixed
    high = min(2.0, max(0.3, options.duration_s / 20))
    return {
        "urls": {k: target.urls[k] for k in ("social", "marketplace", "bank")},
        "control_url": target.control_url,
        "buyers": buyers,
        "products": products,
        "pay": options.pay,
        "trace_prefix": secrets.token_hex(4),
        "think_s": [0.1, high],
        "notify_within_s": min(15, options.duration_s),
        "timeout_s": 15,
        "results": str(results),
    }


# -- reading the sandbox -----------------------------------------------------------------------


class Control:
    """Read-only looks through the control API: tables and recorded calls."""

    def __init__(self, url: str, token: str | None = None) -> None:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=url, timeout=30, headers=auth)

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params)
        if response.status_code != 200:
            raise SaleError(
                f"the control API answered {path} with {response.status_code}: "
                f"{response.text[:200]}"
            )
        return response.json()

    def rows(self, service: str, table: str) -> list[dict[str, Any]]:
        """Every row of an institution's table, as dicts."""
        rows: list[dict[str, Any]] = []
        while True:
            page = self._get(f"/services/{service}/tables/{table}", offset=len(rows), limit=PAGE)
            rows += [dict(zip(page["columns"], r, strict=True)) for r in page["rows"]]
            if not page["rows"] or len(rows) >= page["total"]:
                return rows

    def fault(self, service: str) -> dict[str, Any]:
        """The fault injected into `service` now (all zero when healthy)."""
        found: dict[str, Any] = self._get("/faults").get(service, {})
        return found

    def set_fault(self, service: str, fault: dict[str, Any]) -> None:
        """Inject `fault` into `service` (the only change the sale makes itself)."""
        response = self.http.put(f"/faults/{service}", json=fault)
        if response.status_code != 200:
            raise SaleError(
                f"the control API refused the fault on {service} ({response.status_code}): "
                f"{response.text[:200]}"
            )

    def call_count(self) -> int:
        return int(self._get("/calls/count")["total"])

    def calls_of(self, prefix: str, since: int) -> list[dict[str, Any]]:
        """Recorded calls from about `since` on whose trace id starts with `prefix`."""
        offset, found = max(0, since - 5 * PAGE), []  # margin: retention may drop old calls
        while True:
            page = self._get("/calls", offset=offset, limit=PAGE)["calls"]
            found += [c for c in page if c["trace_id"].startswith(prefix)]
            offset += len(page)
            if len(page) < PAGE:
                return found


@dataclass
class Snapshot:
    """What the check compares against: the world as the sale found it."""

    stock: dict[int, dict[str, Any]]
    balances: int
    orders: set[str]
    movements: int
    calls: int


def snapshot(control: Control) -> Snapshot:
    """Stock, the bank's total balances and the rows already there before the sale."""
    return Snapshot(
        stock={p["product_id"]: p for p in control.rows("marketplace", "products")},
        balances=sum(a["balance"] for a in control.rows("bank", "accounts")),
        orders={o["order_id"] for o in control.rows("marketplace", "orders")},
        movements=max((m["id"] for m in control.rows("bank", "movements")), default=0),
        calls=control.call_count(),
    )


# -- running and checking ----------------------------------------------------------------------


def locust_command(locustfile: Path, plan: dict[str, Any], options: SaleOptions) -> list[str]:
    """Locust, headless: every buyer arrives within about a second (a sale opens at noon)."""
    buyers = len(plan["buyers"])
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(buyers),
        "-r",
        str(buyers),
        "-t",
        f"{options.duration_s}s",
        "--stop-timeout",
        str(plan["notify_within_s"] + 15),
        "--host",
        plan["urls"]["social"],
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]


def run_locust(plan: dict[str, Any], options: SaleOptions, workdir: Path) -> None:
    """Run the buyers in a Locust child process; its output goes to `workdir/locust.log`."""
    if importlib.util.find_spec("locust") is None:
        raise SaleError(
            f"the flash sale's load comes from Locust, which is not installed: {INSTALL_HINT}"
        )
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    plan_path.chmod(0o600)  # it holds the buyers' PINs and sessions (seeded, but still)
    env = {**os.environ, "SANDBOX_FLASH_SALE": str(plan_path)}
    with (
        resources.as_file(resources.files("sandbox.load") / "locustfile.py") as locustfile,
        open(workdir / "locust.log", "w", encoding="utf-8") as log,
    ):
        done = subprocess.run(
            locust_command(locustfile, plan, options),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            check=False,
            timeout=options.duration_s + plan["notify_within_s"] + 120,
        )
    if done.returncode != 0:
        raise SaleError(
            f"Locust stopped with exit code {done.returncode}; see {workdir / 'locust.log'}"
        )


def read_outcomes(path: Path) -> list[dict[str, Any]]:
    """The buyers' answers, one JSON line each (none if Locust wrote nothing)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def check_sale(
    control: Control, before: Snapshot, plan: dict[str, Any], outcomes: list[dict[str, Any]]
) -> SaleReport:
    """The invariants over the institutions' own tables, and the figures of the sale."""
    buyer_ids = {b["buyer_id"] for b in plan["buyers"]}
    chosen = {p["product_id"] for p in plan["products"]}
    orders, items, payments = _settled(control, before, buyer_ids, chosen)
    stock_after = {p["product_id"]: p for p in control.rows("marketplace", "products")}
    products = {
        pid: ProductFigures(
            pid,
            before.stock[pid]["name"],
            before.stock[pid]["stock"],
            stock_after=stock_after[pid]["stock"],
        )
        for pid in chosen
    }
    paid = {oid for oid in orders if oid in payments}
    for item in items:
        figures = products[item["product_id"]]
        if orders[item["order_id"]]["order_status"] in CANCELLED:
            figures.cancelled += item["quantity"]
            continue
        figures.orders += item["quantity"]
        figures.paid += item["quantity"] if item["order_id"] in paid else 0
    problems = [
        f"product {p.product_id}: {p.orders} accepted for a stock of {p.stock}"
        for p in products.values()
        if p.oversold
    ]
    problems += [
        f"product {p.product_id}: stock {p.stock_after} below zero"
        for p in products.values()
        if p.stock_after < 0
    ]
    problems += [
        f"product {p.product_id}: stock {p.stock} - {p.orders} orders held is not the "
        f"{p.stock_after} left (unless someone else bought it meanwhile)"
        for p in products.values()
        if p.stock - p.orders != p.stock_after
    ]
    said_paid = sum(1 for o in outcomes if o.get("outcome") == "paid")
    if said_paid > len(paid):
        problems.append(
            f"{said_paid} buyers saw their order paid in Klip, the marketplace "
            f"holds {len(paid)} paid"
        )
    calls = control.calls_of(plan["trace_prefix"], before.calls)
    return SaleReport(
        buyers=len(plan["buyers"]),
        outcomes=outcomes,
        products=[products[pid] for pid in sorted(chosen)],
        calls=calls,
        paid_orders=len(paid),
        money=_money(control, before, orders, paid),
        problems=problems,
    )


def _settled(
    control: Control, before: Snapshot, buyer_ids: set[int], chosen: set[int]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], set[str]]:
    """The sale's orders, their items and which are paid, once every payment the bank took
    for them has reached the marketplace (or `SETTLE_S` passed: a webhook backlog)."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        items = [
            i
            for i in control.rows("marketplace", "order_items")
            if i["order_id"] not in before.orders and i["product_id"] in chosen
        ]
        ids = {i["order_id"] for i in items}
        orders = {
            o["order_id"]: o
            for o in control.rows("marketplace", "orders")
            if o["order_id"] in ids and o["buyer_id"] in buyer_ids
        }
        items = [i for i in items if i["order_id"] in orders]
        payments = {p["order_id"] for p in control.rows("marketplace", "payments")}
        vas = {o["va_no"].strip() for o in orders.values() if o["va_no"]}
        taken = {
            v["virtual_account_no"].strip()
            for v in control.rows("bank", "vas")
            if v["status"] == "PAID" and v["virtual_account_no"].strip() in vas
        }
        waiting = [
            o
            for o in orders.values()
            if (o["va_no"] or "").strip() in taken and o["order_id"] not in payments
        ]
        if not waiting or time.monotonic() > deadline:
            return orders, items, payments
        time.sleep(0.5)


def _money(
    control: Control, before: Snapshot, orders: dict[str, dict[str, Any]], paid: set[str]
) -> dict[str, Any]:
    """The bank's total before and after, and each paid order matched to exactly one payment
    of its amount (and no payment for an order the marketplace does not hold paid)."""
    balances = sum(a["balance"] for a in control.rows("bank", "accounts"))
    moved = _moved_for(control, before, orders)
    problems = []
    for order in orders.values():
        taken = moved.get(order["order_id"], [])
        if order["order_id"] in paid and taken != [order["total_amount"]]:
            problems.append(
                f"order {order['order_id']} is paid at the marketplace; the bank "
                f"moved {taken} for it, not once {order['total_amount']}"
            )
        elif order["order_id"] not in paid and taken:
            problems.append(
                f"order {order['order_id']}: the bank moved {taken} for it but the "
                "marketplace does not hold it paid"
            )
    return {
        "balances_before": before.balances,
        "balances_after": balances,
        "payments": sum(len(v) for v in moved.values()),
        "problems": problems,
    }


def _moved_for(
    control: Control, before: Snapshot, orders: dict[str, dict[str, Any]]
) -> dict[str, list[int]]:
    """What the bank moved during the sale, by the order it paid: a VA payment names the VA
    (its note), a direct debit names the bank's debit, whose partner reference is the order."""
    order_of_va = {(o["va_no"] or "").strip(): oid for oid, o in orders.items() if o["va_no"]}
    order_of_debit = {
        d["reference_no"]: d["partner_reference_no"]
        for d in control.rows("bank", "debits")
        if d["partner"] == "marketplace"
    }
    moved: dict[str, list[int]] = defaultdict(list)
    for m in control.rows("bank", "movements"):
        note = (m["note"] or "").strip()
        if m["id"] <= before.movements:
            continue
        if m["kind"] == "va_payment" and note in order_of_va:
            moved[order_of_va[note]].append(m["amount"])
        elif m["kind"] == "direct_debit" and order_of_debit.get(note) in orders:
            moved[order_of_debit[note]].append(m["amount"])
    return moved


def flash_sale(
    target: Target,
    world: dict[str, Any],
    options: SaleOptions,
    workdir: Path,
    say: Callable[[str], None] = print,
) -> SaleReport:
    """Plan, run and check one flash sale against the running sandbox at `target`."""
    workdir.mkdir(parents=True, exist_ok=True)
    control = Control(target.control_url, target.token)
    try:
        before = snapshot(control)
        results = workdir / "outcomes.jsonl"
        results.unlink(missing_ok=True)
        plan = plan_sale(world, before.stock, target, options, results)
        names = ", ".join(f"{p['product_id']} (stock {p['stock']})" for p in plan["products"])
        limit = f"; the bank throttles above {options.bank_limit:g} calls/s" * bool(
            options.bank_limit
        )
        say(
            f"Flash sale: {options.buyers} buyers race for {names}; up to "
            f"{options.duration_s} s, paying by {options.pay}{limit}. Load from Locust "
            f"(log: {workdir / 'locust.log'})."
        )
        with _bank_limit(control, options.bank_limit):
            run_locust(plan, options, workdir)
        say("Checking the invariants over the institutions' tables and recorded calls...")
        report = check_sale(control, before, plan, read_outcomes(results))
        report.bank_limit = options.bank_limit
        return report
    finally:
        control.close()


@contextlib.contextmanager
def _bank_limit(control: Control, limit: float) -> Iterator[None]:
    """The bank throttles each partner above `limit` calls/s meanwhile; then as it was."""
    if not limit:
        yield
        return
    before = control.fault("bank")
    control.set_fault("bank", {**before, "rate_limit": limit})
    try:
        yield
    finally:
        control.set_fault("bank", {**before, "rate_limit": before.get("rate_limit", 0.0)})
