"""The bank's money, as a hypothesis state machine over its real HTTP API (in-process).

Hypothesis plays a crowd of customers and a biller in random order: accounts are opened (with
KYC at the registry), money is transferred, closed virtual accounts are created, paid, paid
again, paid by several payers at once, deleted and left to expire, and requests are replayed
with the same Idempotency-Key. A model of every balance predicts each answer; after every step:

- the sum of all balances is what the seeded world started with (the bank has no deposit
  endpoint: money is only moved, so there is nothing else that could change it);
- debits equal credits in the ledger, and no balance is negative;
- every balance is what the model says, and no virtual account was paid twice.

Runs: the `ci` hypothesis profile (fixed seed, bounded); `SANDBOX_HYPOTHESIS_PROFILE=long`.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sandbox.services.bank.rules import wib_iso
from sandbox.world import load_world
from tests.conftest import FakeClock, Services
from tests.reliability.conftest import PROFILE
from tests.services.consent_helpers import activate_ikd, log_in

pytestmark = pytest.mark.reliability

WORLD = load_world()
PREFIX = WORLD["partners"]["bank"]["marketplace"]["partner_service_id"]
MERCHANT = WORLD["partners"]["bank"]["marketplace"]["account_no"]
PAYERS = [a for a in WORLD["bank"]["accounts"] if a["kind"] == "personal"][:5]
"""Seeded customers with money and a PIN."""
_HAS_ACCOUNT = {a.get("nik") for a in WORLD["bank"]["accounts"]}
NEWCOMERS = [p for p in WORLD["persons"] if p["nik"] not in _HAS_ACCOUNT][:4]
"""People in the civil registry without an account yet: they can open one."""
PIN = "135790"


def _acknowledging_biller() -> FastAPI:
    """A biller that acknowledges every payment notification (SNAP 2002500)."""
    biller = FastAPI()

    @biller.post("/v1.0/transfer-va/payment")
    async def notified() -> dict[str, str]:
        return {"responseCode": "2002500", "responseMessage": "Successful"}

    return biller


class BankMoney(RuleBasedStateMachine):
    """Customers and a biller acting at random; the model says what must come back."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.services = Services(WORLD, FakeClock())
        # The test plays the biller: its VAs are its own, so it acknowledges their payment
        # notifications. (The real marketplace knows none of them and would refuse them for
        # good; the bank would then rightly reverse each payment: tests/services/
        # test_bank_reversals.py.)
        self.services.wire.mount("marketplace", _acknowledging_biller())
        self.store = self.services.apps["bank"].state.store
        self.app = self.services.client("bank", "buyer")
        self.biller = self.services.client("bank", "marketplace")
        self.biller_auth = self.services.auth("bank", "marketplace")
        self.pins = {a["account_no"]: a["pin"] for a in PAYERS}
        self.balances = {a["account_no"]: int(a["balance"]) for a in PAYERS}
        self.balances[MERCHANT] = self._stored_balance(MERCHANT)
        self.total = self.store.total_balance()
        self.opened: set[str] = set()
        self.sessions: dict[str, str] = {}
        self.vas: dict[str, dict[str, Any]] = {}
        self.done: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = []
        """(account, path, key, body, first result) of every request that moved money."""
        self.keys = itertools.count(1)

    def teardown(self) -> None:
        self.loop.run_until_complete(self._close())
        self.loop.close()

    async def _close(self) -> None:
        pending = asyncio.all_tasks() - {asyncio.current_task()}
        for task in pending:  # webhook deliveries the bank kicked off
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.services.aclose()

    # -- helpers ---------------------------------------------------------------------------

    def _run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def _stored_balance(self, account_no: str) -> int:
        account = self.store.account(account_no)
        assert account is not None
        return int(account["balance"])

    def _accounts(self) -> list[str]:
        return sorted(self.pins)

    async def _session(self, account_no: str) -> dict[str, str]:
        if account_no not in self.sessions:
            response = await self.app.post(
                "/mobile/v1/sessions", json={"account_no": account_no, "pin": self.pins[account_no]}
            )
            assert response.status_code == 201, response.text
            self.sessions[account_no] = response.json()["session_token"]
        return {"Authorization": f"Bearer {self.sessions[account_no]}"}

    async def _apply_and_approve(self, body: dict[str, Any]) -> httpx.Response:
        """She applies (202), approves the bank's request in her IKD app (given IKD here, as
        the registry office would), and opens the application; a refusal as it came."""
        applied = await self.app.post("/mobile/v1/registrations", json=body)
        if applied.status_code != 202:
            return applied
        pin = activate_ikd(self.services, body["nik"])
        approve_all = await log_in(self.services, body["nik"], pin)
        for request in (await approve_all.get("/ikd/v1/consent-requests")).json():
            await approve_all.post(f"/ikd/v1/consent-requests/{request['request_id']}/approve")
        application_id = applied.json()["application_id"]
        return await self.app.get(f"/mobile/v1/registrations/{application_id}")

    async def _money(
        self, account_no: str, path: str, key: str, body: dict[str, Any]
    ) -> httpx.Response:
        headers = {**await self._session(account_no), "Idempotency-Key": key}
        return await self.app.post(path, json=body, headers=headers)

    def _va_problem(self, va: dict[str, Any], payer: str, amount: int) -> str | None:
        """What the bank must answer, in the order its rules check (None: it is paid)."""
        if va["deleted"]:
            return "va_deleted"
        if va["paid"]:
            return "va_already_paid"
        if self.services.clock() >= va["expires_at"]:
            return "va_expired"
        if amount != va["amount"]:
            return "wrong_amount"
        if self.balances[payer] < amount:
            return "insufficient_funds"
        return None

    def _paid(
        self, va_no: str, payer: str, response: httpx.Response, key: str, body: dict[str, Any]
    ) -> None:
        va = self.vas[va_no]
        va["paid"] = True
        self.balances[payer] -= va["amount"]
        self.balances[MERCHANT] += va["amount"]
        assert response.json()["balance_after"] == self.balances[payer]
        self.done.append((payer, "/mobile/v1/va-payments", key, body, response.json()))

    # -- rules -----------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        assert self.total > 0

    @rule(person=st.sampled_from(NEWCOMERS))
    def open_account(self, person: dict[str, Any]) -> None:
        body = {
            "nik": person["nik"],
            "name": person["name"],
            "birth_place": person["birth_place"],
            "birth_date": person["birth_date"],
            "sex": person["sex"],
            "pin": PIN,
            "consent": True,
        }
        response = self._run(self._apply_and_approve(body))
        if person["nik"] in self.opened:
            assert (response.status_code, response.json()["code"]) == (409, "account_exists")
            return
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "OPENED" and response.json()["balance"] == 0
        account_no = response.json()["account_no"]
        self.opened.add(person["nik"])
        self.pins[account_no] = PIN
        self.balances[account_no] = 0

    @rule(data=st.data(), amount=st.integers(1, 3_000_000))
    def transfer(self, data: st.DataObject, amount: int) -> None:
        payer = data.draw(st.sampled_from(self._accounts()), "payer")
        payee = data.draw(st.sampled_from(self._accounts()), "payee")
        key, body = f"t-{next(self.keys)}", {"to_account_no": payee, "amount": amount}
        response = self._run(self._money(payer, "/mobile/v1/transfers", key, body))
        if payer == payee:
            assert (response.status_code, response.json()["code"]) == (400, "same_account")
        elif self.balances[payer] < amount:
            assert (response.status_code, response.json()["code"]) == (422, "insufficient_funds")
        else:
            assert response.status_code == 201, response.text
            self.balances[payer] -= amount
            self.balances[payee] += amount
            assert response.json()["balance_after"] == self.balances[payer]
            self.done.append((payer, "/mobile/v1/transfers", key, body, response.json()))

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data(), changed=st.booleans())
    def replay(self, data: st.DataObject, changed: bool) -> None:
        """A phone resends a request with the same key: the first result, no money moved."""
        account, path, key, body, first = data.draw(st.sampled_from(self.done), "request")
        sent = {**body, "amount": body["amount"] + 1} if changed else body
        response = self._run(self._money(account, path, key, sent))
        if changed:
            assert (response.status_code, response.json()["code"]) == (
                422,
                "idempotency_key_reused",
            )
        else:  # the first answer again, said to be a replay
            assert response.status_code == 201, response.text
            assert response.headers["Idempotent-Replayed"] == "true"
            assert response.json() == first

    @rule(amount=st.integers(1, 3_000_000), minutes=st.integers(1, 180))
    def create_va(self, amount: int, minutes: int) -> None:
        customer_no = f"2{len(self.vas) + 1:08d}"
        expires_at = self.services.clock() + minutes * 60
        body = {
            "partnerServiceId": PREFIX,
            "customerNo": customer_no,
            "virtualAccountNo": PREFIX + customer_no,
            "virtualAccountName": "PEMBELI",
            "trxId": f"ORD-{customer_no}",
            "totalAmount": {"value": f"{amount}.00", "currency": "IDR"},
            "expiredDate": wib_iso(expires_at),
        }
        response = self._run(
            self.biller.post("/v1.0/transfer-va/create-va", json=body, auth=self.biller_auth)
        )
        assert response.status_code == 200, response.text
        self.vas[PREFIX + customer_no] = {
            "amount": amount,
            "expires_at": expires_at,
            "paid": False,
            "deleted": False,
            "body": body,
        }

    @precondition(lambda self: bool(self.vas))
    @rule(data=st.data(), exact=st.booleans())
    def pay_va(self, data: st.DataObject, exact: bool) -> None:
        va_no = data.draw(st.sampled_from(sorted(self.vas)), "va")
        payer = data.draw(st.sampled_from(self._accounts()), "payer")
        va = self.vas[va_no]
        amount = va["amount"] if exact else va["amount"] + 1000
        expected = self._va_problem(va, payer, amount)
        key, body = f"p-{next(self.keys)}", {"virtual_account_no": va_no, "amount": amount}
        response = self._run(self._money(payer, "/mobile/v1/va-payments", key, body))
        if expected is None:
            assert response.status_code == 201, response.text
            self._paid(va_no, payer, response, key, body)
        else:
            assert response.json()["code"] == expected, response.text

    @precondition(lambda self: bool(self.vas))
    @rule(data=st.data(), crowd=st.integers(2, 4))
    def concurrent_payers(self, data: st.DataObject, crowd: int) -> None:
        """Several customers pay the same VA at the same moment: at most one is charged."""
        va_no = data.draw(st.sampled_from(sorted(self.vas)), "va")
        payers = data.draw(
            st.lists(
                st.sampled_from(self._accounts()), min_size=crowd, max_size=crowd, unique=True
            ),
            "payers",
        )
        va = self.vas[va_no]
        body = {"virtual_account_no": va_no, "amount": va["amount"]}
        keys = [f"c-{next(self.keys)}" for _ in payers]
        for payer in payers:
            self._run(self._session(payer))

        async def all_at_once() -> list[httpx.Response]:
            return list(
                await asyncio.gather(
                    *(
                        self._money(p, "/mobile/v1/va-payments", k, body)
                        for p, k in zip(payers, keys, strict=True)
                    )
                )
            )

        responses = self._run(all_at_once())
        winners = [i for i, r in enumerate(responses) if r.status_code == 201]
        assert len(winners) <= 1, [r.text for r in responses]
        for i in winners:
            assert self._va_problem(va, payers[i], va["amount"]) is None
            self._paid(va_no, payers[i], responses[i], keys[i], body)
        for i, response in enumerate(responses):
            if i not in winners:
                assert response.status_code in (400, 404, 409, 410, 422), response.text

    @precondition(lambda self: bool(self.vas))
    @rule(data=st.data())
    def delete_va(self, data: st.DataObject) -> None:
        va_no = data.draw(st.sampled_from(sorted(self.vas)), "va")
        va = self.vas[va_no]
        body = {
            k: va["body"][k]
            for k in ("partnerServiceId", "customerNo", "virtualAccountNo", "trxId")
        }
        response = self._run(
            self.biller.request(
                "DELETE", "/v1.0/transfer-va/delete-va", json=body, auth=self.biller_auth
            )
        )
        code = response.json()["responseCode"]
        if va["paid"]:
            assert code == "4043114", response.text
        elif va["deleted"]:
            assert code == "4043112", response.text
        else:
            assert code == "2003100", response.text
            va["deleted"] = True

    @rule(minutes=st.integers(1, 120))
    def time_passes(self, minutes: int) -> None:
        self.services.clock.advance(minutes * 60)
        self.sessions.clear()  # sessions last 30 minutes; log in again rather than track them

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def money_is_only_moved(self) -> None:
        assert self.store.total_balance() == self.total
        debit, credit = self.store.ledger_totals()
        assert debit == credit

    @invariant()
    def no_negative_balance(self) -> None:
        lowest = self.store.db.execute("SELECT MIN(balance) FROM accounts").fetchone()[0]
        assert lowest >= 0

    @invariant()
    def balances_are_what_the_model_says(self) -> None:
        for account_no, balance in self.balances.items():
            assert self._stored_balance(account_no) == balance, account_no

    @invariant()
    def no_virtual_account_is_paid_twice(self) -> None:
        rows = self.store.db.execute(
            "SELECT note, COUNT(*) FROM movements WHERE kind = 'va_payment' GROUP BY note"
        ).fetchall()
        paid = {note: count for note, count in rows}
        assert all(count == 1 for count in paid.values()), paid
        assert set(paid) == {va_no for va_no, va in self.vas.items() if va["paid"]}


BankMoney.TestCase.settings = settings(settings.get_profile(PROFILE))
test_bank_money_is_never_made_or_lost = BankMoney.TestCase
