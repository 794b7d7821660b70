"""Cut the world into the slice each institution may see.

An institution gets its own rows, the credentials of partners allowed to call it, and its own
credentials at other institutions - never another institution's data.
"""

from __future__ import annotations

import secrets
from typing import Any

_DATA_KEYS = {"identity": ("persons", "regions", "ikd")}


def seed_for(name: str, world: dict[str, Any]) -> dict[str, Any]:
    """The seed slice for service `name`."""
    if name in _DATA_KEYS:
        data = {key: world[key] for key in _DATA_KEYS[name]}
    else:
        data = dict(world.get(name, {}))
    if name == "bank":
        data = _with_phones(data, world)
    partners: dict[str, dict[str, Any]] = {
        k: v for k, v in world["partners"].items() if k != "admin"
    }
    holds = {callee: creds[name] for callee, creds in partners.items() if name in creds}
    return {
        "seed": world["seed"],
        "data": data,
        "accepts": partners.get(name, {}),
        "holds": holds,
        "admin_key": world["partners"]["admin"].get(name),
    }


def partner_ids(world: dict[str, Any]) -> dict[str, str]:
    """Every credential id a caller can present, mapped to the service that owns it."""
    ids: dict[str, str] = {}
    for callee, callers in world["partners"].items():
        if callee == "admin":
            continue
        for caller, creds in callers.items():
            for field in ("client_id", "client_key", "partner_id", "app_key", "cons_id"):
                if field in creds:
                    ids[str(creds[field])] = caller
    return ids


def _with_phones(bank: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    """The bank's accounts with each holder's phone number: a bank knows its customers'
    phones (it texts them codes), as it knows their NIK."""
    phones = {p["nik"]: p.get("phone") for p in world.get("persons", [])}
    accounts = [
        {**a, "phone": phones.get(a["nik"])} if a.get("nik") in phones else a
        for a in bank.get("accounts", [])
    ]
    return {**bank, "accounts": accounts}


CALLS_BACK = {
    "marketplace": "",
    "bank": "notification_secret",
    "identity": "consent_webhook_path",
}
"""Institutions that call their partners back: the marketplace sends every partner its order
webhooks; the bank notifies the billers it holds a notification secret for; the registry tells
the partners that named a consent webhook what the person answered."""


def may_call(world: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Who may call whom, from the partner credentials: a partner calls the institution that
    holds its credentials, and some institutions call their partners back (`CALLS_BACK`)."""
    edges: dict[str, list[str]] = {}
    for callee, callers in world["partners"].items():
        if callee == "admin":
            continue
        for caller, creds in callers.items():
            edges.setdefault(caller, []).append(callee)
            field = CALLS_BACK.get(callee)
            if field is not None and (not field or field in creds):
                edges.setdefault(callee, []).append(caller)
    return {caller: tuple(dict.fromkeys(callees)) for caller, callees in edges.items()}


class PartnerClash(ValueError):
    """A partner's credentials name someone else (an id another party holds)."""


def with_partners(
    world: dict[str, Any],
    partners: dict[str, dict[str, dict[str, Any]]],
    titles: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The world plus the user's services as registered partners (a new dict; `world` is
    untouched). A partner of the bank also gets its settlement account there, empty.

    Raises PartnerClash when a partner's credentials reuse what identifies another party
    (`credentials.IDENTIFYING`), or settle into an account the bank already has.
    """
    if not partners:
        return world
    _check_clashes(world, partners)
    merged = dict(world)
    merged["partners"] = {callee: dict(callers) for callee, callers in world["partners"].items()}
    for callee, callers in partners.items():
        merged["partners"].setdefault(callee, {}).update(callers)
    bank_partners = partners.get("bank", {})
    if bank_partners:
        bank = dict(world["bank"])
        known = {a["account_no"] for a in bank["accounts"]}
        bank["accounts"] = list(bank["accounts"]) + [
            {
                "account_no": creds["account_no"],
                "nik": None,
                "name": (titles or {}).get(caller, caller).upper(),
                "balance": 0,
                "pin": secrets.token_hex(3),
                "kind": "merchant",
            }
            for caller, creds in bank_partners.items()
            if creds["account_no"] not in known
        ]
        merged["bank"] = bank
    return merged


def _check_clashes(world: dict[str, Any], partners: dict[str, dict[str, dict[str, Any]]]) -> None:
    from sandbox.runtime.credentials import IDENTIFYING

    for callee, callers in partners.items():
        held: dict[tuple[str, str], str] = {}
        builtin = world["partners"].get(callee, {})
        for caller, creds in [*builtin.items(), *callers.items()]:
            for field in IDENTIFYING.get(callee, ()):
                key = (field, str(creds.get(field, "")).strip())
                if not key[1]:
                    continue
                owner = held.setdefault(key, caller)
                if owner != caller:
                    raise PartnerClash(
                        f"the credentials of {caller} at {callee} reuse {field} {key[1]!r}, "
                        f"which is {owner}'s: {callee} would take one for the other; delete "
                        f"[services.{caller}.partners.{callee}] and run `sandbox new "
                        f"credentials {caller} --calls {callee}` for credentials of its own"
                    )
    accounts = {a["account_no"] for a in world["bank"]["accounts"]}
    for caller, creds in partners.get("bank", {}).items():
        if creds["account_no"] in accounts:
            raise PartnerClash(
                f"the credentials of {caller} at bank settle into account "
                f"{creds['account_no']}, which the bank already keeps for someone else; delete "
                f"[services.{caller}.partners.bank] and run `sandbox new credentials {caller} "
                "--calls bank` for an account of its own"
            )
