"""The flash sale's buyers, as Locust users: run by `sandbox run flash-sale`, never imported.

Locust monkey-patches the standard library with gevent when it starts, so this file runs only in
Locust's own process (`python -m locust -f <this file> --headless ...`). It reads the sale's plan
from the JSON file named by $SANDBOX_FLASH_SALE (buyers with their Klip session and bank PIN,
products, the institutions' URLs, think times) and writes one JSON line per buyer to the plan's
`results` file: what happened to her and, when she did not pay, why - in the words the
institution used (its error code).

Each Locust user is one buyer, and goes through the sale once, the whole integration, with think
times between her steps, as `sandbox run checkout` does for one person:

1. she watches the video (Klip asks the marketplace for the product card);
2. she taps Buy: Klip creates the order at the marketplace, which opens a VA at the bank;
3. she opens the checkout page (the marketplace's, inside Klip);
4. she pays (`PAYMENTS`, by `--pay`): with Bank Contoh inside the checkout (`debit`: the
   marketplace binds her account with a code the bank texts her phone, then debits it), or the
   VA in her bank app (`va`, a jump);
5. she waits until Klip shows the order paid (bank -> marketplace -> Klip notifications).

Every call carries a `traceparent` whose trace id starts with the sale's prefix, so the sandbox's
own recording of the sale can be told apart from anything else it served meanwhile. A SNAP-style
429 is honoured: she waits `Retry-After` seconds and tries again (at most `MAX_RETRIES` times).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from locust import HttpUser, task
from locust.exception import StopUser

from sandbox.load.targets import TargetRefused, worker_urls

PAID = "AWAITING_SHIPMENT"
"""What Klip calls an order the marketplace has seen paid."""
MAX_RETRIES = 3
MAX_CODES = 2
"""Codes a debit may ask for: one to bind her account, one more above the limit without one."""
CODE = re.compile(r"\b([0-9]{6})\b")
"""A one-time code in the bank's text."""


class Refused(Exception):
    """The buyer's journey ends here; `reason` is what the institution said (its code)."""

    def __init__(self, reason: str, step: str, detail: str = "") -> None:
        super().__init__(f"{step}: {reason}")
        self.reason, self.step, self.detail = reason, step, detail


def _load_plan() -> dict[str, Any]:
    path = os.environ.get("SANDBOX_FLASH_SALE", "")
    if not path:
        raise SystemExit("SANDBOX_FLASH_SALE must name the sale's plan (sandbox run flash-sale)")
    with open(path, encoding="utf-8") as f:
        plan: dict[str, Any] = json.load(f)
    try:  # loopback only, unless this worker opted in to the sandbox's LAN address
        plan["urls"] = worker_urls(plan, os.environ.get("SANDBOX_FLASH_SALE_HOST", ""))
    except TargetRefused as exc:
        raise SystemExit(str(exc)) from None
    return plan


PLAN = _load_plan()
_next_buyer = itertools.count()
_finished = itertools.count(1)
_write = threading.Lock()


def _record(outcome: dict[str, Any]) -> None:
    """Append one buyer's outcome to the results file (a line each, written at once)."""
    with _write, open(PLAN["results"], "a", encoding="utf-8") as f:
        f.write(json.dumps(outcome) + "\n")


def _reason(response: Any) -> str:
    """The institution's own code for a refusal (`code`, else SNAP's `responseCode`)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if isinstance(body, dict):
        for key in ("code", "responseCode"):
            if body.get(key):
                return str(body[key])
    return f"http_{response.status_code}" if response.status_code else "no_answer"


class Buyer(HttpUser):
    """One seeded person in the sale: her Klip session, her bank account, one product."""

    host = PLAN["urls"]["social"]

    def on_start(self) -> None:
        index = next(_next_buyer)
        if index >= len(PLAN["buyers"]):
            raise StopUser()  # more users than buyers: nobody is two people
        self.index = index
        self.buyer: dict[str, Any] = PLAN["buyers"][index]
        self.trace_id = f"{PLAN['trace_prefix']}{index:08x}{secrets.token_hex(8)}"
        self.rng = random.Random(f"{PLAN['trace_prefix']}-{index}")
        self.throttled = 0

    def think(self) -> None:
        """A person's pause between two taps (patched to a gevent sleep by Locust)."""
        low, high = PLAN["think_s"]
        time.sleep(self.rng.uniform(low, high))

    def call(self, method: str, service: str, path: str, name: str, **kwargs: Any) -> Any:
        """One request as the buyer, in her trace; a 429 waits `Retry-After` and is retried."""
        headers = {
            "traceparent": f"00-{self.trace_id}-{secrets.token_hex(8)}-01",
            "X-Sandbox-Caller": "buyer",
            **kwargs.pop("headers", {}),
        }
        url = PLAN["urls"][service] + path
        for attempt in range(MAX_RETRIES + 1):
            with self.client.request(
                method,
                url,
                name=f"{service} {name}",
                headers=headers,
                catch_response=True,
                timeout=PLAN["timeout_s"],
                **kwargs,
            ) as response:
                if response.status_code == 429 and attempt < MAX_RETRIES:
                    self.throttled += 1
                    response.success()  # honoured, not failed: she waits and tries again
                    time.sleep(_retry_after(response.headers.get("Retry-After")))
                    continue
                if response.status_code < 500 and response.status_code != 0:
                    response.success()  # a refusal is an answer; the report counts it
                return response
        raise AssertionError("unreachable")

    def expect(self, response: Any, status: int, step: str) -> dict[str, Any]:
        if response.status_code != status:
            raise Refused(_reason(response), step, response.text[:200])
        data: dict[str, Any] = response.json()
        return data

    @task
    def sale(self) -> None:
        outcome: dict[str, Any] = {
            "buyer": self.buyer["user_id"],
            "trace_id": self.trace_id,
            "product_id": self.buyer["product_id"],
        }
        try:
            outcome.update(self.journey())
            outcome["outcome"] = "paid"
        except Refused as refused:
            outcome.update(
                outcome="refused", reason=refused.reason, step=refused.step, detail=refused.detail
            )
        except Exception as exc:  # any failure is still her answer
            outcome.update(outcome="refused", reason="client_error", step="?", detail=repr(exc))
        outcome["throttled"] = self.throttled
        _record(outcome)
        if next(_finished) >= len(PLAN["buyers"]):
            self.environment.runner.quit()  # every buyer has her answer: the sale is over
        raise StopUser()

    def journey(self) -> dict[str, Any]:
        buyer = self.buyer
        me = {"Authorization": f"Bearer {buyer['session_token']}"}
        video, product = buyer["video_id"], buyer["product_id"]
        self.think()
        page = self.expect(
            self.call("GET", "social", f"/api/v1/videos/{video}", "video", headers=me), 200, "video"
        )
        if not any(p.get("product_id") == product for p in page.get("products", [])):
            raise Refused("product_not_shown", "video")
        self.think()
        order = self.expect(
            self.call(
                "POST",
                "social",
                f"/api/v1/videos/{video}/buy",
                "buy",
                headers=me,
                json={"product_id": product, "quantity": 1},
            ),
            201,
            "buy",
        )
        found = {"order_id": order["order_id"], "amount": order["total_amount"]}
        self.think()
        path = "/" + order["checkout_url"].split("://", 1)[-1].split("/", 1)[1]
        self.checkout_path = path
        checkout = self.expect(
            self.call("GET", "marketplace", path, "checkout page"), 200, "checkout page"
        )
        self.think()
        PAYMENTS[PLAN["pay"]](self, checkout["payment"], order["total_amount"])
        self.wait_until_paid(order["order_id"], me)
        return found

    def texts(self) -> list[str]:
        """Her phone's texts, oldest first (the control API reads what the bank sent her)."""
        response = self.client.get(
            PLAN["control_url"] + "/sms",
            params={"phone": self.buyer["phone"]},
            name="her phone (not an API call)",
            timeout=PLAN["timeout_s"],
        )
        if response.status_code != 200:
            raise Refused("phone_unreadable", "code", response.text[:200])
        return [str(m.get("text", "")) for m in response.json()]

    def new_code(self, seen: int) -> tuple[str, int]:
        """The code in the first text after the `seen` she had; waits a few seconds for it."""
        deadline = time.monotonic() + PLAN["notify_within_s"]
        while time.monotonic() < deadline:
            found = self.texts()
            for text in reversed(found[seen:]):  # the newest code is the one asked for
                match = CODE.search(text)
                if match:
                    return match.group(1), len(found)
            time.sleep(0.2)
        raise Refused("no_code", "code", "no code reached her phone")

    def wait_until_paid(self, order_id: str, me: dict[str, str]) -> None:
        """Klip shows the order paid once both notifications have arrived."""
        deadline = time.monotonic() + PLAN["notify_within_s"]
        while time.monotonic() < deadline:
            response = self.call(
                "GET", "social", f"/api/v1/me/orders/{order_id}", "my order", headers=me
            )
            if response.status_code == 200 and response.json().get("status") == PAID:
                return
            time.sleep(0.25)
        raise Refused(
            "not_notified",
            "notification",
            f"Klip did not show order {order_id} paid within {PLAN['notify_within_s']} s",
        )


def pay_va(buyer: Buyer, payment: dict[str, Any], amount: int) -> None:
    """The VA in her bank app: log in with her PIN, pay the exact amount, once."""
    login = buyer.expect(
        buyer.call(
            "POST",
            "bank",
            "/mobile/v1/sessions",
            "login",
            json={"account_no": buyer.buyer["account_no"], "pin": buyer.buyer["pin"]},
        ),
        201,
        "bank login",
    )
    buyer.think()
    key = {
        "Authorization": f"Bearer {login['session_token']}",
        "Idempotency-Key": secrets.token_hex(12),
    }
    buyer.expect(
        buyer.call(
            "POST",
            "bank",
            "/mobile/v1/va-payments",
            "pay VA",
            headers=key,
            json={"virtual_account_no": payment["virtual_account_no"], "amount": amount},
        ),
        201,
        "payment",
    )


def pay_debit(buyer: Buyer, payment: dict[str, Any], amount: int) -> None:
    """Pay with Bank Contoh inside the checkout: she types her phone number, the bank texts her
    a code, she types it; the marketplace binds her account and debits it. She never calls the
    bank. Reading her phone is not a call between institutions (the control API's `/sms`)."""
    del payment, amount  # the marketplace knows both from the checkout
    path = buyer.checkout_path
    seen = len(buyer.texts())
    step, body = "direct-debit", {"phone": buyer.buyer["phone"]}
    for _ in range(MAX_CODES + 1):
        response = buyer.call(
            "POST",
            "marketplace",
            f"{path}/{step}",
            f"pay: {step}",
            json=body,
            headers={"Idempotency-Key": secrets.token_hex(12)},
        )
        if response.status_code == 200:
            return
        answer = buyer.expect(response, 202, "payment")
        if answer.get("status") != "OTP_SENT":
            raise Refused("unexpected_answer", "payment", response.text[:200])
        code, seen = buyer.new_code(seen)
        step, body = "direct-debit/otp", {"otp": code}
    raise Refused("too_many_codes", "payment", f"still asked for a code after {MAX_CODES}")


PAYMENTS: dict[str, Callable[[Buyer, dict[str, Any], int], None]] = {
    "debit": pay_debit,
    "va": pay_va,
}
"""How a buyer pays, by `--pay`."""


def _retry_after(value: str | None) -> float:
    """Seconds to wait from a `Retry-After` header (a number; 1 s when absent or a date)."""
    try:
        return min(30.0, max(0.0, float(value or 1)))
    except ValueError:
        return 1.0
