"""The bank knows each customer's phone: seeded from the world, kept by a migration."""

from __future__ import annotations

from typing import Any

from sandbox.framework.storage import open_database
from sandbox.runtime.seeding import seed_for
from sandbox.services.bank.store import BankStore


def test_every_seeded_person_has_her_phone_at_the_bank(world: dict[str, Any]) -> None:
    store = BankStore(open_database(None), seed_for("bank", world))
    buyer = world["personas"]["buyer"]
    found = store.personal_account_by_phone("+6281200000001")
    assert found is not None and found["account_no"] == buyer["account_no"]
    rows = list(store.db.query("SELECT phone FROM accounts WHERE kind = 'personal'"))
    assert all(r["phone"] for r in rows)
    assert len({r["phone"] for r in rows}) == len(rows), "one account per phone"


def test_merchant_accounts_have_no_phone_and_are_never_found_by_one(
    world: dict[str, Any],
) -> None:
    store = BankStore(open_database(None), seed_for("bank", world))
    merchants = list(store.db.query("SELECT phone FROM accounts WHERE kind = 'merchant'"))
    assert merchants and all(r["phone"] is None for r in merchants)
    assert store.personal_account_by_phone("+62000000") is None


def test_a_database_from_before_phones_gets_them_from_the_seed(
    world: dict[str, Any], tmp_path: Any
) -> None:
    path = tmp_path / "bank.db"
    store = BankStore(open_database(path), seed_for("bank", world))
    store.db.execute("UPDATE accounts SET phone = NULL")  # as the migration left an old file
    store.db.conn.close()
    again = BankStore(open_database(path), seed_for("bank", world))
    assert again.personal_account_by_phone("+6281200000001") is not None
