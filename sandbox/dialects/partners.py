"""How a partner authenticates at each institution, from its credentials there.

Every institution speaks its own dialect (SNAP signatures at the bank, signed query strings at
the marketplace, OAuth client credentials at the registry and the records platform, VClaim
headers at the insurer). One function picks the right `httpx.Auth`, so built-in scenarios, the
UI's composer and a user's own service authenticate exactly the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from sandbox.dialects.fhir import RecordsAuth
from sandbox.dialects.open_platform import MarketplaceAuth
from sandbox.dialects.registry import IdentityAuth
from sandbox.dialects.snap import SnapAuth
from sandbox.dialects.vclaim import InsuranceAuth


def partner_auth(callee: str, creds: Mapping[str, Any], clock: Callable[[], float]) -> httpx.Auth:
    """The httpx Auth for a partner holding `creds` at `callee`."""
    if callee == "identity":
        return IdentityAuth(creds["client_id"], creds["client_secret"], clock)
    if callee == "bank":
        return SnapAuth(
            creds["client_key"],
            creds["client_secret"],
            creds["partner_id"],
            creds["channel_id"],
            clock,
        )
    if callee == "marketplace":
        return MarketplaceAuth(creds["app_key"], creds["app_secret"], clock)
    if callee == "records":
        return RecordsAuth(creds["client_id"], creds["client_secret"], clock)
    if callee == "insurance":
        return InsuranceAuth(creds["cons_id"], creds["secret"], creds["user_key"], clock)
    raise LookupError(f"{callee} has no partner dialect")
