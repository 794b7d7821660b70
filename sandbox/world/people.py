"""The population register's people: the named personas and Faker's bulk around them, and
the named people's accounts in IKD, the registry's digital ID app.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.world.sources import _WORLD_EPOCH, _secret

if TYPE_CHECKING:  # Faker takes a tenth of a second to import: only building needs it
    from faker import Faker

    from sandbox.world.nik import NikProvider


def _named_person(p: dict[str, Any], by_code: dict[str, dict[str, str]]) -> dict[str, Any]:
    region = by_code[p["district"]]
    return {
        "nik": p["nik"],
        "kk": p["kk"],
        "name": p["name"],
        "birth_place": p["birth_place"],
        "birth_date": p["birth_date"],
        "sex": p["sex"],
        "street": p["street"],
        "rt": p["rt"],
        "rw": p["rw"],
        "village": p["village"],
        "district": region["district"],
        "regency": region["regency"],
        "province": region["province"],
        "postcode": region["postcode"],
        "phone": p["phone"],
        "occupation": p["occupation"],
        "marital": p["marital"],
    }


def _fake_person(
    fake: Faker, ids: NikProvider, rng: random.Random, regions: list[dict[str, str]]
) -> dict[str, Any]:
    sex = rng.choice("LP")
    region = rng.choice(regions)
    birth = _WORLD_EPOCH - timedelta(days=rng.randint(18 * 365, 70 * 365))
    issued = _WORLD_EPOCH - timedelta(days=rng.randint(30, 20 * 365))
    name = fake.name_male() if sex == "L" else fake.name_female()
    return {
        "nik": ids.nik(region["code"], birth, sex),
        "kk": ids.kk(region["code"], issued),
        "name": name.upper(),
        "birth_place": region["regency"].split(" ", 1)[1].upper(),
        "birth_date": birth.isoformat(),
        "sex": sex,
        "street": fake.street_address(),
        "rt": f"{rng.randint(1, 15):03d}",
        "rw": f"{rng.randint(1, 12):03d}",
        "village": fake.street_name().split(" ", 1)[-1],
        "district": region["district"],
        "regency": region["regency"],
        "province": region["province"],
        "postcode": region["postcode"],
        "phone": fake.phone_number(),
        "occupation": rng.choice(
            [
                "KARYAWAN SWASTA",
                "WIRASWASTA",
                "PEGAWAI NEGERI SIPIL",
                "PETANI/PEKEBUN",
                "PELAJAR/MAHASISWA",
                "MENGURUS RUMAH TANGGA",
                "GURU",
                "NELAYAN/PERIKANAN",
            ]
        ),
        "marital": rng.choice(["BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"]),
    }


def ikd_pin(seed: int, nik: str) -> str:
    """The 6-digit PIN a named person chose for her digital ID app (IKD); from the seed."""
    return f"{int(_secret(seed, 'ikd-pin', nik), 16) % 1_000_000:06d}"


def _ikd(key_of: dict[str, dict[str, Any]], seed: int) -> dict[str, Any]:
    """The named people who activated IKD, the registry's digital ID app, with a PIN hash each.

    Activating IKD is voluntary (a person does it at the civil registry office), so only the
    story's named people have it; the PIN itself is kept only in the personas' quick reference
    that stories read, and hashed with the registry's own scheme (salt from the seed).
    """
    from sandbox.services.identity.people import hash_pin

    accounts = []
    for person in key_of.values():
        salt = bytes.fromhex(_secret(seed, "ikd-salt", person["nik"]))
        accounts.append(
            {"nik": person["nik"], "pin_hash": hash_pin(ikd_pin(seed, person["nik"]), salt)}
        )
    return {"accounts": accounts}
