"""How a client of `sandbox new client` uses its credentials, said per institution.

What is printed names the ids (never a secret) and the dialect's first steps; the secrets stay
in `sandbox.toml`, where `sandbox.extend.client_auth` reads them to sign.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sandbox.config import DEFAULT_PORT_BASE
from sandbox.runtime.registry import BUILTIN
from sandbox.scaffold.service import ScaffoldError

DIALECT = {
    "marketplace": "open platform: POST /oauth/token (Basic app_key:app_secret), then each "
    "request signed (app_key, timestamp, nonce, sign; x-tts-access-token)",
    "bank": "SNAP: POST /v1.0/access-token/b2b (X-CLIENT-KEY, X-SIGNATURE), then each "
    "transaction signed (HMAC-SHA512, X-PARTNER-ID, X-EXTERNAL-ID, CHANNEL-ID)",
    "identity": "every request signed: X-Client-Id, X-Timestamp, X-Nonce, X-Signature",
    "records": "POST /oauth2/v1/accesstoken?grant_type=client_credentials, then Bearer",
    "insurance": "VClaim headers on every request: X-cons-id, X-timestamp, X-signature, user_key",
}
"""Each institution's dialect in one line."""
IDS = {
    "marketplace": ("app_key", "fs_id"),
    "bank": ("client_key", "partner_id", "channel_id", "partner_service_id", "account_no"),
    "identity": ("client_id", "purpose"),
    "records": ("client_id", "org_id"),
    "insurance": ("cons_id", "ppk_code"),
}
"""The ids worth printing: what a request names, never a secret."""
FIRST_CALLS = {
    "marketplace": "marketplace.get('/api/v2/fs/{fs_id}/products', params={{'ids': '100101'}})",
    "bank": "bank.post('/v1.0/transfer-va/status', json={{...}})",
    "identity": "identity.post('/v1/consent-requests', json={{'nik': ..., "
    "'purpose': '{purpose}', 'scopes': ['identity_verification']}})  # she approves in IKD",
    "records": "records.get('/fhir-r4/v1/Patient', params={{'identifier': ...}})",
    "insurance": "insurance.get('/vclaim-rest/Peserta/nik/<nik>/tglSEP/<yyyy-MM-dd>')",
}
"""A first call, on a client variable named after the institution."""
CALLS_BACK = {
    "marketplace": "the marketplace's webhooks about its orders",
    "bank": "the bank's payment notifications for its virtual accounts",
}
"""What an institution sends back to a partner (to a client, which has no server, they wait
in the sender's outbox until given up: `sandbox webhooks` lists them)."""


def first_call(callee: str, creds: dict[str, Any]) -> str:
    """A first call at `callee` with the client's own ids filled in."""
    return FIRST_CALLS[callee].format(**creds)


def usage(callee: str, creds: dict[str, Any]) -> str:
    """One line: the ids a client names at `callee`, then the dialect."""
    ids = ", ".join(f"{key} {str(creds[key]).strip()!s}" for key in IDS[callee] if key in creds)
    return f"{ids}\n  {'':<12} {DIALECT[callee]}"


def default_url(callee: str) -> str:
    """Where `callee` listens with the default ports."""
    offset = next(s.offset for s in BUILTIN if s.name == callee)
    return f"http://127.0.0.1:{DEFAULT_PORT_BASE + offset}"


def client_credentials(config: Path, name: str) -> dict[str, dict[str, Any]]:
    """The credentials client `name` holds, by institution, as written in `config`."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScaffoldError(f"cannot read {config}: {exc}") from None
    found: dict[str, dict[str, Any]] = data["clients"][name]["partners"]
    return found
