"""The bank's accounts: the named people's and merchants', about three in four other people's,
each with its PIN hash (drawn from the seed, hashed once here because a hash is slow).
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.world.sources import _secret


def _bank(
    named: dict[str, Any],
    rng: random.Random,
    persons: list[dict[str, Any]],
    nik_of: dict[str, str],
    seed: int,
) -> dict[str, Any]:
    accounts = []
    name_of = {p["nik"]: p["name"] for p in persons}
    for a in named["bank_accounts"]:
        nik = nik_of[a["person"]]
        accounts.append(
            {
                "account_no": a["account_no"],
                "nik": nik,
                "name": name_of[nik],
                "balance": a["balance"],
                "pin": a["pin"],
                "kind": "personal",
            }
        )
    number = 100
    for p in persons[len(nik_of) :]:
        if rng.random() < 0.75:
            number += 1
            accounts.append(
                {
                    "account_no": f"99{number:08d}",
                    "nik": p["nik"],
                    "name": p["name"],
                    "balance": rng.randint(5, 20_000) * 1000,
                    "pin": f"{rng.randint(0, 999_999):06d}",
                    "kind": "personal",
                }
            )
    merchants = []
    for m in named["merchants"]:
        accounts.append(
            {
                "account_no": m["account_no"],
                "nik": None,
                "name": m["name"],
                "balance": m["balance"],
                "pin": _secret(seed, "pin", m["key"])[:6],
                "kind": "merchant",
            }
        )
        merchants.append(
            {
                "key": m["key"],
                "name": m["name"],
                "account_no": m["account_no"],
                "partner_service_id": m["partner_service_id"],
            }
        )
    return {
        "bank_code": "990",
        "bank_name": "Bank Contoh",
        "accounts": accounts,
        "merchants": merchants,
    }


def _hash_pins(accounts: list[dict[str, Any]], seed: int) -> None:
    """Give every account the bank's PIN hash, with a salt drawn from the seed (same seed,
    same hashes). Done here, once, because a hash of real cost takes about 40 ms: computed at
    every start or reset, 170 of them would take seconds. Threads, because hashlib releases
    the GIL while it hashes."""
    from concurrent.futures import ThreadPoolExecutor

    from sandbox.services.bank.rules import hash_pin

    def hashed(account: dict[str, Any]) -> str:
        salt = bytes.fromhex(_secret(seed, "pin-salt", account["account_no"]))
        return hash_pin(account["pin"], salt)

    with ThreadPoolExecutor() as pool:
        for account, pin_hash in zip(accounts, pool.map(hashed, accounts), strict=True):
            account["pin_hash"] = pin_hash
