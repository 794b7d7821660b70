"""Exercise: sign a VClaim request. / Latihan: menandatangani permintaan VClaim.

exercise.credentials("insurance", "hospital") holds cons_id, secret and user_key.
exercise.now() is the sandbox's time, which `sandbox clock` may move: sign with it.
/ exercise.now() adalah waktu sandbox, yang bisa digeser `sandbox clock`: tanda tangani dengan waktu itu.
"""

import base64
import hashlib
import hmac
from datetime import date


def vclaim_signature(cons_id, secret, timestamp):
    # TODO (en): base64 of HMAC-SHA256(secret, cons_id + "&" + timestamp).
    # TODO (id): base64 dari HMAC-SHA256(secret, cons_id + "&" + timestamp).
    return "TODO"


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
    print(answer.status_code, answer.json().get("metaData"))
