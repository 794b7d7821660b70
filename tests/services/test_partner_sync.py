"""An institution's partners follow its seed's `accepts` when its database already exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.runtime.credentials import generate
from sandbox.runtime.seeding import seed_for
from sandbox.services.identity.store import IdentityStore
from sandbox.services.insurance.store import InsuranceStore
from sandbox.services.records.store import RecordsStore


def _with(seed: dict[str, Any], name: str, creds: dict[str, Any] | None) -> dict[str, Any]:
    accepts = {k: v for k, v in seed["accepts"].items() if k != name}
    if creds is not None:
        accepts[name] = creds
    return {**seed, "accepts": accepts}


def _row(found: dict[str, Any] | None) -> dict[str, Any]:
    assert found is not None
    return found


def test_identity_agreements_follow_the_seed_and_keep_a_suspension(
    world: dict[str, Any], tmp_path: Path
) -> None:
    seed, path = seed_for("identity", world), tmp_path / "identity.db"
    IdentityStore.open(path, seed).set_agreement_status("bank", "SUSPENDED")
    lab = generate("identity", "lab")
    store = IdentityStore.open(path, _with(seed, "lab", lab))
    assert _row(store.agreement_by_client_id(lab["client_id"]))["partner"] == "lab"
    bank = _row(store.agreement_by_client_id(seed["accepts"]["bank"]["client_id"]))
    assert bank["status"] == "SUSPENDED", "what the registry decided stays"
    again = {**lab, "client_secret": "f" * 32}
    store = IdentityStore.open(path, _with(seed, "lab", again))
    assert _row(store.agreement_by_client_id(lab["client_id"]))["client_secret"] == "f" * 32
    store = IdentityStore.open(path, _with(seed, "lab", None))
    assert store.agreement_by_client_id(lab["client_id"]) is None, "no longer a partner"


def test_records_clients_follow_the_seed_and_lose_their_tokens(
    world: dict[str, Any], tmp_path: Path
) -> None:
    seed, path = seed_for("records", world), tmp_path / "records.db"
    lab = generate("records", "lab")
    store = RecordsStore.open(path, _with(seed, "lab", lab))
    store.reset(_with(seed, "lab", None))  # a world without it...
    store = RecordsStore.open(path, _with(seed, "lab", lab))  # ...then onboarded
    client = store.client(lab["client_id"])
    assert client is not None and client["partner"] == "lab"
    assert client["org_name"] == lab["org_name"]
    store.save_token("tok", lab["client_id"], str(lab["org_id"]), 0.0, 10.0)
    store = RecordsStore.open(path, _with(seed, "lab", None))
    assert store.client(lab["client_id"]) is None and store.token("tok") is None


def test_insurance_facilities_follow_the_seed(world: dict[str, Any], tmp_path: Path) -> None:
    seed, path = seed_for("insurance", world), tmp_path / "insurance.db"
    InsuranceStore.open(path, seed)
    lab = generate("insurance", "lab")
    store = InsuranceStore.open(path, _with(seed, "lab", lab))
    assert _row(store.partner_by_cons_id(str(lab["cons_id"])))["partner"] == "lab"
    hospital = seed["accepts"]["hospital"]
    assert _row(store.partner_by_cons_id(str(hospital["cons_id"])))["partner"] == "hospital"
    store = InsuranceStore.open(path, _with(seed, "lab", None))
    assert store.partner_by_cons_id(str(lab["cons_id"])) is None
