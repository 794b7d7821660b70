"""Direct debits of one bound account, all at once: money is never made, lost or taken twice.

Hypothesis draws a batch of debits (some repeating a reference, some above the limit without a
code, some above her balance) and refunds (some of debits not made, some too large), and sends
them all at the same moment (`asyncio.gather`) through the bank's real SNAP API, signed as the
marketplace, in-process. Afterwards:

- the sum of all balances is what the seeded world started with, and debits equal credits;
- her balance is what she had, minus every debit that succeeded, plus every refund;
- no reference was debited twice, no debit refunded above its amount, no balance negative;
- her phone got one debit notice per debit that moved money, and one per refund.

Runs: the `ci` hypothesis profile (fixed seed, bounded); `SANDBOX_HYPOTHESIS_PROFILE=long`.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import partner_ids, seed_for
from sandbox.scenarios.identities import partner_auth
from sandbox.services.bank import create_app
from sandbox.wire import Wire
from sandbox.world import load_world
from tests.conftest import FakeClock
from tests.reliability.conftest import PROFILE

pytestmark = pytest.mark.reliability

WORLD = load_world()
BUYER = WORLD["personas"]["buyer"]["account_no"]
PHONE = "+62 812-0000-0001"
REFS = [f"ORD-{n}" for n in range(4)]

Debit = tuple[str, str, int]
"""("debit", reference, rupiah)."""
Refund = tuple[str, str, int, str]
"""("refund", reference, rupiah, refund number)."""

debits = st.tuples(
    st.just("debit"),
    st.sampled_from(REFS),
    st.sampled_from([1, 50_000, 185_000, 250_000, 250_001, 900_000, 2_400_000, 2_600_000]),
)
refunds = st.tuples(
    st.just("refund"),
    st.sampled_from(REFS),
    st.sampled_from([1, 50_000, 185_000, 250_000, 3_000_000]),
    st.sampled_from(["RF-1", "RF-2", "RF-3"]),
)


def _merchant() -> FastAPI:
    """The marketplace's place, acknowledging every debit notification (SNAP 2005600)."""
    app = FastAPI()

    @app.post("/v1.0/debit/notify")
    async def notified() -> dict[str, str]:
        return {"responseCode": "2005600", "responseMessage": "Successful"}

    return app


class Bank:
    """The bank in-process, and the marketplace's signed calls to it."""

    def __init__(self) -> None:
        self.wire = Wire(clock=FakeClock(), partner_ids=partner_ids(WORLD))
        self.app = create_app(ServiceEnv("bank", self.wire, seed_for("bank", WORLD)))
        self.wire.mount("bank", self.app)
        self.wire.mount("marketplace", _merchant())
        self.store = self.app.state.store
        self.client = self.wire.client("marketplace", "bank")
        self.auth = partner_auth("bank", "marketplace", WORLD, self.wire)

    async def post(
        self, path: str, body: dict[str, Any], token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization-Customer": f"Bearer {token}"} if token else {}
        return await self.client.post(path, json=body, auth=self.auth, headers=headers)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.app.state.sms_to(PHONE)]

    async def bound(self) -> str:
        started = await self.post(
            "/v1.0/registration-account-binding",
            {
                "partnerReferenceNo": "b",
                "phoneNo": PHONE,
                "additionalInfo": {"customerId": "50001"},
            },
        )
        code = re.search(r"\b([0-9]{6})\b", self.texts()[-1])
        assert started.status_code == 202 and code
        done = await self.post(
            "/v1.0/otp-verification",
            {"originalReferenceNo": started.json()["referenceNo"], "otp": code.group(1)},
        )
        token: str = done.json()["linkageToken"]
        return token

    async def act(self, op: tuple[Any, ...], token: str) -> httpx.Response:
        if op[0] == "debit":
            _, ref, amount = op
            body = {
                "partnerReferenceNo": ref,
                "amount": {"value": f"{amount}.00", "currency": "IDR"},
            }
            return await self.post("/v1.0/debit/payment-host-to-host", body, token)
        _, ref, amount, refund_no = op
        return await self.post(
            "/v1.0/debit/refund",
            {
                "originalPartnerReferenceNo": ref,
                "partnerRefundNo": f"{ref}-{refund_no}",
                "refundAmount": {"value": f"{amount}.00", "currency": "IDR"},
            },
        )


async def _run(ops: list[tuple[Any, ...]]) -> None:
    bank = Bank()
    try:
        token = await bank.bound()
        total = bank.store.total_balance()
        before = int(bank.store.account(BUYER)["balance"])
        answers = await asyncio.gather(*(bank.act(op, token) for op in ops))
        assert all(a.status_code < 500 for a in answers), [a.text for a in answers]
        assert bank.store.total_balance() == total, "money was made or lost"
        debits_sum, credits_sum = bank.store.ledger_totals()
        assert debits_sum == credits_sum
        rows = list(bank.store.db.query("SELECT * FROM debits WHERE status = 'SUCCESS'"))
        taken = sum(r["amount"] for r in rows)
        given_back = sum(r["refunded"] for r in rows)
        assert int(bank.store.account(BUYER)["balance"]) == before - taken + given_back
        refs = [r["partner_reference_no"] for r in rows]
        assert len(refs) == len(set(refs)), "a reference was debited twice"
        assert all(0 <= r["refunded"] <= r["amount"] for r in rows)
        refunded = bank.store.db.execute("SELECT COALESCE(SUM(amount), 0) FROM refunds")
        assert refunded.fetchone()[0] == given_back
        lowest = bank.store.db.execute("SELECT MIN(balance) FROM accounts").fetchone()[0]
        assert lowest >= 0
        texts = bank.texts()
        assert sum("didebit" in t for t in texts) == len(rows)
        made = bank.store.db.execute("SELECT COUNT(*) FROM refunds").fetchone()[0]
        assert sum("pengembalian dana" in t for t in texts) == made
        for op, answer in zip(ops, answers, strict=True):
            if op[0] == "debit" and answer.status_code == 200:
                assert answer.json()["partnerReferenceNo"] in refs
    finally:
        pending = asyncio.all_tasks() - {asyncio.current_task()}
        for task in pending:  # notifications the bank kicked off
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await bank.wire.aclose()


@settings(settings.get_profile(PROFILE))
@given(st.lists(st.one_of(debits, refunds), min_size=1, max_size=14))
def test_concurrent_debits_and_refunds_of_one_account_conserve_money(
    ops: list[tuple[Any, ...]],
) -> None:
    asyncio.run(_run(ops))
