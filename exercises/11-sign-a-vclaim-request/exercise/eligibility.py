"""Exercise: sign a VClaim request. / Latihan: menandatangani permintaan VClaim.

exercise.credentials("insurance", "hospital") holds cons_id, secret and user_key.
"""

import base64
import hashlib
import hmac
import time
from datetime import date


def vclaim_signature(cons_id, secret, timestamp):
    # TODO (en): base64 of HMAC-SHA256(secret, cons_id + "&" + timestamp).
    # TODO (id): base64 dari HMAC-SHA256(secret, cons_id + "&" + timestamp).
    return "TODO"


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
    print(answer.status_code, answer.json().get("metaData"))
