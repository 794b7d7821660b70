"""Reference solution: sign a VClaim request."""

import base64
import hashlib
import hmac
from datetime import date


def vclaim_signature(cons_id, secret, timestamp):
    digest = hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def agus_consent(exercise):
    """Given, not part of the exercise: Agus approves the hospital's consent request in his
    IKD app (lesson 5), and every call about him quotes it in X-Consent-Id.
    Sudah disediakan: Agus menyetujui permintaan rumah sakit di aplikasi IKD-nya."""
    agus = exercise.persona("patient")
    asked = exercise.partner_client("identity", "hospital").post(
        "/v1/consent-requests",
        json={
            "nik": agus["nik"],
            "purpose": "PATIENT_ADMISSION",
            "scopes": ["health_records", "insurance_eligibility"],
        },
    )
    asked.raise_for_status()
    ikd = exercise.client("identity")
    login = ikd.post("/ikd/v1/sessions", json={"nik": agus["nik"], "pin": agus["ikd_pin"]})
    login.raise_for_status()
    approved = ikd.post(
        f"/ikd/v1/consent-requests/{asked.json()['request_id']}/approve",
        headers={"Authorization": f"Bearer {login.json()['session_token']}"},
    )
    approved.raise_for_status()
    return approved.json()["consent_id"]


def eligibility(exercise):
    rsud = exercise.credentials("insurance", "hospital")
    agus = exercise.persona("patient")
    stamp = str(int(exercise.now()))
    headers = {
        "X-cons-id": rsud["cons_id"],
        "X-timestamp": stamp,
        "X-signature": vclaim_signature(rsud["cons_id"], rsud["secret"], stamp),
        "user_key": rsud["user_key"],
        "X-Consent-Id": agus_consent(exercise),
    }
    path = f"/vclaim-rest/Peserta/nik/{agus['nik']}/tglSEP/{date.today().isoformat()}"
    answer = exercise.client("insurance").get(path, headers=headers)
    answer.raise_for_status()
    print(answer.json()["response"]["peserta"]["statusPeserta"]["keterangan"])
