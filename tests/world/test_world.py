"""The seeded world: deterministic, big enough, and structurally valid."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_SEED
from sandbox.world import build_world
from sandbox.world.build import fixtures_dir
from sandbox.world.fixtures import PARTS


def test_world_same_seed_same_bytes_and_the_committed_fixtures_are_that_build() -> None:
    """Building hashes every account's PIN (slow on purpose), so the world is built twice here
    (about 2 s each), not four times: the committed fixtures were built by another process at
    another time, so a fresh build equal to them is the same seed giving the same bytes."""
    fresh = build_world(DEFAULT_SEED)
    folder = fixtures_dir() / "world"
    for part in PARTS:
        committed = json.loads((folder / f"{part}.json").read_text(encoding="utf-8"))
        assert committed == fresh[part], f"fixtures/world/{part}.json is stale: regenerate it"
    assert json.dumps(build_world(DEFAULT_SEED + 1)["persons"]) != json.dumps(fresh["persons"])


def test_world_has_the_promised_bulk(world: dict[str, Any]) -> None:
    assert len(world["persons"]) >= 200
    assert len(world["marketplace"]["sellers"]) >= 50
    assert len(world["marketplace"]["products"]) >= 500
    assert len(world["social"]["videos"]) >= 300


def _decode(nik: str) -> tuple[str, date, str]:
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    return nik[:6], date(1900 + year if year > 26 else 2000 + year, month, day % 40 or 40), sex


def test_world_niks_are_structurally_valid_and_unique(world: dict[str, Any]) -> None:
    districts = {r["code"] for r in world["regions"]}
    niks = [p["nik"] for p in world["persons"]]
    assert len(set(niks)) == len(niks)
    for person in world["persons"]:
        nik = person["nik"]
        assert len(nik) == 16 and nik.isdigit()
        assert nik.startswith("99"), "every NIK uses the sandbox's own province"
        district, born, sex = _decode(nik)
        assert district in districts
        assert sex == person["sex"]
        assert born.isoformat()[2:] == person["birth_date"][2:]
        assert int(nik[12:]) >= 1


def test_world_named_personas_never_change(world: dict[str, Any]) -> None:
    buyer = world["personas"]["buyer"]
    assert (buyer["nik"], buyer["name"], buyer["account_no"]) == (
        "9971015403960001",
        "SARI WULANDARI",
        "9900000001",
    )
    assert "account_no" not in world["personas"]["newcomer"]


def test_world_social_slice_holds_no_personal_ids(world: dict[str, Any]) -> None:
    text = json.dumps(world["social"])
    assert not any(p["nik"] in text for p in world["persons"])
    assert not any(a["account_no"] in text for a in world["bank"]["accounts"])


def test_fixtures_folder_is_found() -> None:
    assert (fixtures_dir() / "personas.json").exists()
    assert Path(fixtures_dir()).name in ("fixtures", "_fixtures")
