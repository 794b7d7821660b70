"""PIN hashes of real cost, computed when the world is built, never at start or reset."""

from __future__ import annotations

from typing import Any

from sandbox.framework.storage import open_database
from sandbox.runtime.seeding import seed_for
from sandbox.services.bank import rules
from sandbox.services.bank.store import BankStore


def test_pin_hashes_have_a_real_cost_and_come_with_the_world(world: dict[str, Any]) -> None:
    accounts = world["bank"]["accounts"]
    assert all(a["pin_hash"].startswith("pbkdf2_sha256$") for a in accounts)
    assert min(int(a["pin_hash"].split("$")[1]) for a in accounts) >= 100_000
    number = world["personas"]["buyer"]["account_no"]
    buyer = next(a for a in accounts if a["account_no"] == number)
    assert rules.pin_matches(buyer["pin"], buyer["pin_hash"])
    assert not rules.pin_matches("000000", buyer["pin_hash"])


def test_the_bank_stores_the_worlds_hashes_as_they_are(world: dict[str, Any]) -> None:
    """Nothing is hashed when the bank starts or resets: 170 hashes of real cost would take
    seconds."""
    store = BankStore(open_database(None), seed_for("bank", world))
    stored = dict(store.db.execute("SELECT account_no, pin_hash FROM accounts").fetchall())
    assert stored == {a["account_no"]: a["pin_hash"] for a in world["bank"]["accounts"]}


def test_a_stored_hash_asking_for_absurd_work_is_refused() -> None:
    assert not rules.pin_matches("111111", "pbkdf2_sha256$999999999999$00$00")
    assert not rules.pin_matches("111111", "md5$1$00$00")
