"""Build the synthetic world from a seed: the same seed gives the same world, byte for byte.

Hand-written personas (`fixtures/personas.json`) are always present with the same values; Faker's
`id_ID` locale, seeded per instance, fills in the bulk around them. Each part of the world has
its own module (people, bank_accounts, commerce, health, credentials, all drawing on
sources); this one puts them together in the order the seed's random draws expect.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.world.bank_accounts import _bank, _hash_pins
from sandbox.world.commerce import _marketplace, _social
from sandbox.world.credentials import _partners
from sandbox.world.health import _health
from sandbox.world.people import _fake_person, _ikd, _named_person, ikd_pin
from sandbox.world.sources import PERSONS, _read, _regions, fixtures_dir

__all__ = ["build_world", "fixtures_dir", "ikd_pin"]


def build_world(seed: int) -> dict[str, Any]:
    """Every row of every institution's seed data, plus partner credentials and personas."""
    from faker import Faker

    from sandbox.world.nik import NikProvider

    fake = Faker("id_ID")
    fake.seed_instance(seed)
    ids = NikProvider(fake)
    rng = random.Random(seed)
    named = _read("personas.json")
    regions = _regions()
    by_code = {r["code"]: r for r in regions}

    persons = [_named_person(p, by_code) for p in named["persons"]]
    for p in named["persons"]:
        ids.reserve_nik(p["nik"])
        ids.reserve_kk(p["kk"])
    persons += [_fake_person(fake, ids, rng, regions) for _ in range(PERSONS)]
    key_of = {p["key"]: p for p in named["persons"]}
    nik_of = {k: p["nik"] for k, p in key_of.items()}

    bank = _bank(named, rng, persons, nik_of, seed)
    _hash_pins(bank["accounts"], seed)
    marketplace = _marketplace(named, fake, rng, persons, nik_of, seed)
    social = _social(named, fake, rng, persons, marketplace, seed)
    partners = _partners(seed, named)
    health = _health(named, rng, persons, nik_of, seed)
    ikd = _ikd(key_of, seed)
    world = {
        "seed": seed,
        "regions": regions,
        "persons": persons,
        "bank": bank,
        "marketplace": marketplace,
        "social": social,
        "partners": partners,
        "ikd": ikd,
        **health,
    }
    world["personas"] = _personas(world, key_of)
    return world


def _personas(world: dict[str, Any], key_of: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A quick reference that lessons and scenarios use: the named people and their handles."""
    accounts = {a["nik"]: a for a in world["bank"]["accounts"] if a["nik"]}
    users = {u["user_id"]: u for u in world["social"]["users"]}
    shops = {s["owner_nik"]: s for s in world["marketplace"]["sellers"]}
    out: dict[str, Any] = {}
    named_users = {"buyer": 1, "creator": 2}
    for key, person in key_of.items():
        entry: dict[str, Any] = {"nik": person["nik"], "name": person["name"]}
        entry["ikd_pin"] = ikd_pin(world["seed"], person["nik"])
        account = accounts.get(person["nik"])
        if account:
            entry.update(account_no=account["account_no"], pin=account["pin"])
        if key in named_users:
            user = users[named_users[key]]
            entry.update(
                user_id=user["user_id"], handle=user["handle"], session_token=user["session_token"]
            )
        shop = shops.get(person["nik"])
        if shop:
            entry.update(shop_id=shop["shop_id"], shop_name=shop["shop_name"])
        out[key] = entry
    return out
