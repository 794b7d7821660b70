"""Call each institution as a partner, with credentials from a `sandbox.toml`, like a script."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from sandbox.dialects.partners import partner_auth
from sandbox.runtime.config_file import load_config

UNKNOWN_NIK = "9999990101909999"
PROBES: dict[str, tuple[str, str, Any, int]] = {
    # callee: (method, path, JSON body, the status a partner it accepts gets)
    "marketplace": ("GET", "/api/v2/fs/{fs_id}/products?page_size=3", None, 200),
    "bank": (
        "POST",
        "/v1.0/transfer-va/status",
        {
            "partnerServiceId": "{partner_service_id}",
            "customerNo": "1",
            "virtualAccountNo": "{partner_service_id}1",
            "inquiryRequestId": "probe-1",
        },
        404,
    ),
    "identity": ("DELETE", "/v1/consents/CNS-PROBE", None, 404),
    "records": (
        "GET",
        "/fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|" + UNKNOWN_NIK,
        None,
        403,
    ),
    "insurance": ("GET", f"/vclaim-rest/Peserta/nik/{UNKNOWN_NIK}/tglSEP/2026-01-01", None, 403),
}
"""One harmless partner call per institution (a clean 404 where nothing matches; records and
insurance answer 403 "no consent quoted" only after accepting the credentials - a wrong one
gets 401)."""


def held(config: Path, caller: str) -> dict[str, dict[str, Any]]:
    """The credentials `caller` holds per callee in `config`."""
    partners = load_config(config, plugins=False, check_apps=False).partners
    return {callee: callers[caller] for callee, callers in partners.items() if caller in callers}


def probe(urls: dict[str, str], callee: str, creds: dict[str, Any]) -> int:
    """The status `callee` answers a partner holding `creds` (200/404 accepted, 401 not)."""
    method, path, body, _ = PROBES[callee]
    path = path.format(**creds)
    if isinstance(body, dict):
        body = {k: v.format(**creds) for k, v in body.items()}

    async def go() -> int:
        auth = partner_auth(callee, creds, time.time)
        async with httpx.AsyncClient(base_url=urls[callee], auth=auth, timeout=10) as client:
            response = await client.request(method, path, json=body)
        return response.status_code

    return asyncio.run(go())


def accepted(urls: dict[str, str], creds: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Per callee, whether it accepted the credentials (answered what a partner gets)."""
    return {callee: probe(urls, callee, c) == PROBES[callee][3] for callee, c in creds.items()}


def spoiled(callee: str, creds: dict[str, Any]) -> dict[str, Any]:
    """The same credentials with a wrong secret."""
    secret = {"marketplace": "app_secret", "insurance": "secret"}.get(callee, "client_secret")
    return {**creds, secret: "0" * len(str(creds[secret]))}
