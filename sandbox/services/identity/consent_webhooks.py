"""Telling the partner what the person answered: signed webhooks, retried until acknowledged.

The registry signs a webhook exactly as a partner signs its requests to the registry, with the
partner's own client secret: `X-Client-Id` (the partner's), `X-Timestamp`, `X-Nonce` and
`X-Signature` = hex HMAC-SHA256(secret, "POST:path:sha256(minified body):X-Timestamp:X-Nonce").
So the partner checks it with the one secret it already holds, and nobody else can forge it.
A webhook is queued in the transaction that records her answer (`wire/outbox.py`); the
partner deduplicates by `event_id`, since a retry after a lost acknowledgement sends it twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sandbox.dialects import registry
from sandbox.dialects.common import timestamp
from sandbox.wire.outbox import Outbox, Signer

_PURPOSES = {
    "SELLER_KYC": "verifikasi identitas pemilik toko",
    "ACCOUNT_OPENING": "pembukaan rekening",
    "PATIENT_ADMISSION": "pendaftaran pasien",
}
_SCOPES = {
    "identity_verification": "pencocokan data kependudukan",
    "health_records": "rekam medis",
    "insurance_eligibility": "status kepesertaan asuransi",
}


def kind(partner: str) -> str:
    """The outbox kind of consent webhooks to one partner (each signed with its secret)."""
    return f"consent:{partner}"


def notice(
    partner: str, purpose: str, scopes: Sequence[str], reason: str | None
) -> tuple[str, str]:
    """The title and text her IKD app shows for a request (Indonesian, as IKD speaks)."""
    what = ", ".join(_SCOPES.get(s, s) for s in scopes)
    text = (
        f"{partner} meminta persetujuan Anda untuk {_PURPOSES.get(purpose, purpose)} "
        f"({what}). Setujui atau tolak di aplikasi IKD."
    )
    if reason:
        text += f" Alasan: {reason}"
    return "Permintaan persetujuan", text


def signer(client_id: str, secret: str, clock: Callable[[], float]) -> Signer:
    """Headers for a webhook to a partner, signed with that partner's own secret."""

    def sign(path: str, body: bytes, now: float) -> dict[str, str]:
        ts, nonce = timestamp(now), secrets.token_hex(12)
        return {
            "X-Client-Id": client_id,
            "X-Timestamp": ts,
            "X-Nonce": nonce,
            "X-Signature": registry.signature(secret, "POST", path, body, ts, nonce),
        }

    return sign


def register(outbox: Outbox, agreements: Sequence[Mapping[str, Any]]) -> None:
    """Sign each partner's consent webhooks with its own secret (again when partners change)."""
    for agreement in agreements:
        outbox.signer(
            kind(agreement["partner"]),
            signer(agreement["client_id"], agreement["client_secret"], outbox.wire.clock),
        )


def announce(
    outbox: Outbox,
    paths: Mapping[str, str],
    request: Mapping[str, Any],
    consent: Mapping[str, Any] | None,
    now: float,
) -> None:
    """Queue the webhook for an answered request (inside the answer's transaction). A partner
    whose agreement names no webhook path asks the request's status instead."""
    path = paths.get(request["partner"])
    if not path:
        return
    status = "APPROVED" if consent else "DECLINED"
    body: dict[str, Any] = {
        "event_id": f"EVT-{request['request_id']}",
        "type": f"consent_request.{status.lower()}",
        "request_id": request["request_id"],
        "status": status,
        "purpose": request["purpose"],
        "scopes": list(request["scopes"]),
        "nik_last4": request["nik"][-4:],
        "answered_at": timestamp(now),
        "consent_id": consent["consent_id"] if consent else None,
        "expires_at": timestamp(consent["expires_at"]) if consent else None,
    }
    outbox.enqueue(
        event_id=body["event_id"],
        target=request["partner"],
        path=path,
        kind=kind(request["partner"]),
        body=body,
    )


def announce_revoked(
    outbox: Outbox, paths: Mapping[str, str], consent: Mapping[str, Any], now: float
) -> None:
    """Queue the webhook telling the partner she revoked its consent (inside the revocation's
    transaction): it must stop at once, and the registry refuses the consent from now on."""
    path = paths.get(consent["partner"])
    if not path:
        return
    body: dict[str, Any] = {
        "event_id": f"EVT-{consent['consent_id']}-REVOKED",
        "type": "consent.revoked",
        "request_id": consent["request_id"],
        "status": "REVOKED",
        "purpose": consent["purpose"],
        "nik_last4": consent["nik"][-4:],
        "answered_at": timestamp(now),
        "consent_id": consent["consent_id"],
    }
    outbox.enqueue(
        event_id=body["event_id"],
        target=consent["partner"],
        path=path,
        kind=kind(consent["partner"]),
        body=body,
    )
