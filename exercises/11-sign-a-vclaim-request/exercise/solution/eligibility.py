"""Reference solution: sign a VClaim request."""

import base64
import hashlib
import hmac
import time
from datetime import date


def vclaim_signature(cons_id, secret, timestamp):
    digest = hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def eligibility(exercise):
    rsud = exercise.credentials("insurance", "hospital")
    agus = exercise.persona("patient")
    stamp = str(int(time.time()))
    headers = {
        "X-cons-id": rsud["cons_id"],
        "X-timestamp": stamp,
        "X-signature": vclaim_signature(rsud["cons_id"], rsud["secret"], stamp),
        "user_key": rsud["user_key"],
    }
    path = f"/vclaim-rest/Peserta/nik/{agus['nik']}/tglSEP/{date.today().isoformat()}"
    answer = exercise.client("insurance").get(path, headers=headers)
    answer.raise_for_status()
    print(answer.json()["response"]["peserta"]["statusPeserta"]["keterangan"])
