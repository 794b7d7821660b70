"""Partner credentials for the user's own services, in each institution's own dialect.

A new service is a new partner: the marketplace wants an app key and secret, the bank SNAP
client keys and a settlement account, the registry an agreement with a purpose and allowed
fields, and so on. Credentials are generated fresh (random, never from the package's fixtures)
and kept in the user's `sandbox.toml`, so the built-in institutions accept the service only
once it is registered there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

VERIFY_FIELDS = ["nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin"]
"""What a new partner may ask the registry to match: the basics, not the address."""


def _marketplace(caller: str, taken: set[str]) -> dict[str, Any]:
    fs_id = _unused(taken, lambda: str(secrets.randbelow(900) + 7100))
    return {
        "app_key": f"{caller}-{secrets.token_hex(3)}",
        "app_secret": secrets.token_hex(16),
        "fs_id": int(fs_id),
        "webhook_path": "/webhooks/marketplace",
        "role": "channel",
    }


def _bank(caller: str, taken: set[str]) -> dict[str, Any]:
    partner_id = _unused(taken, lambda: str(secrets.randbelow(9000) + 60000))
    account = _unused(taken, lambda: f"99000{secrets.randbelow(9000) + 91000}")
    return {
        "client_key": f"{caller.upper()}-SNAP",
        "client_secret": secrets.token_hex(16),
        "partner_id": partner_id,
        "channel_id": f"95{secrets.randbelow(900) + 100}",
        "partner_service_id": f"{partner_id:>8}",
        "account_no": account,
        "notification_secret": secrets.token_hex(16),
    }


def _identity(caller: str, taken: set[str]) -> dict[str, Any]:
    return {
        "client_id": f"{caller.upper()}-KYC",
        "client_secret": secrets.token_hex(16),
        "purpose": "PARTNER_VERIFICATION",
        "allowed_fields": list(VERIFY_FIELDS),
        "quota": 10_000,
        "valid_until": "2027-12-31",
        "status": "ACTIVE",
    }


def _records(caller: str, taken: set[str]) -> dict[str, Any]:
    org = _unused(taken, lambda: str(secrets.randbelow(9_000_000) + 10_000_100))
    return {
        "client_id": f"{caller}-{secrets.token_hex(4)}",
        "client_secret": secrets.token_hex(16),
        "org_id": org,
        "org_name": caller.replace("-", " ").title(),
    }


def _insurance(caller: str, taken: set[str]) -> dict[str, Any]:
    cons = _unused(taken, lambda: str(secrets.randbelow(9000) + 40000))
    return {
        "cons_id": cons,
        "secret": secrets.token_hex(12),
        "user_key": secrets.token_hex(12),
        "ppk_code": f"0301R{secrets.randbelow(900) + 100:03d}",
    }


DIALECTS: dict[str, tuple[tuple[str, ...], Callable[[str, set[str]], dict[str, Any]]]] = {
    "marketplace": (("app_key", "app_secret", "fs_id", "webhook_path"), _marketplace),
    "bank": (
        (
            "client_key",
            "client_secret",
            "partner_id",
            "channel_id",
            "partner_service_id",
            "account_no",
            "notification_secret",
        ),
        _bank,
    ),
    "identity": (
        (
            "client_id",
            "client_secret",
            "purpose",
            "allowed_fields",
            "quota",
            "valid_until",
            "status",
        ),
        _identity,
    ),
    "records": (("client_id", "client_secret", "org_id", "org_name"), _records),
    "insurance": (("cons_id", "secret", "user_key", "ppk_code"), _insurance),
}
"""Institutions that accept partners: the fields a credential needs, and how to make one."""


IDENTIFYING: dict[str, tuple[str, ...]] = {
    "marketplace": ("app_key", "fs_id"),
    "bank": ("client_key", "partner_id", "partner_service_id", "account_no"),
    "identity": ("client_id",),
    "records": ("client_id", "org_id"),
    "insurance": ("cons_id", "ppk_code"),
}
"""The fields that say who a partner is at each institution: two partners sharing one would
be taken one for the other (an org's records, a biller's VAs, a settlement account)."""


def missing_fields(callee: str, creds: dict[str, Any]) -> list[str]:
    """Required fields absent from `creds` at `callee`."""
    return [f for f in DIALECTS[callee][0] if f not in creds]


def generate(callee: str, caller: str, taken: Iterable[str] = ()) -> dict[str, Any]:
    """Fresh credentials for `caller` at `callee`, avoiding ids in `taken`."""
    if callee not in DIALECTS:
        raise LookupError(
            f"{callee} takes no partners; partners are accepted by: {', '.join(sorted(DIALECTS))}"
        )
    return DIALECTS[callee][1](caller, set(taken))


def _unused(taken: set[str], make: Callable[[], str]) -> str:
    while True:
        value = make()
        if value not in taken:
            taken.add(value)
            return value


def to_toml(caller: str, callee: str, creds: dict[str, Any], section: str = "services") -> str:
    """A `[SECTION.CALLER.partners.CALLEE]` table to append to a sandbox.toml."""
    lines = [f"[{section}.{caller}.partners.{callee}]"]
    lines += [f"{key} = {_value(value)}" for key, value in creds.items()]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    import json

    return json.dumps(str(value))
