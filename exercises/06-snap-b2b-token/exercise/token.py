"""Exercise: a SNAP B2B token. / Latihan: token B2B SNAP.

exercise.credentials("bank", "marketplace") holds Pasarloka's client_key and client_secret.
exercise.now() is the sandbox's time, which `sandbox clock` may move: sign with it.
/ exercise.now() adalah waktu sandbox, yang bisa digeser `sandbox clock`: tanda tangani dengan waktu itu.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7))


def token_signature(client_key, client_secret, timestamp):
    # TODO (en): base64 of HMAC-SHA256(client secret, "clientKey|timestamp").
    # TODO (id): base64 dari HMAC-SHA256(client secret, "clientKey|timestamp").
    return "TODO"


def token(exercise):
    pasarloka = exercise.credentials("bank", "marketplace")
    now = datetime.fromtimestamp(exercise.now(), WIB).isoformat(timespec="seconds")
    headers = {
        "X-CLIENT-KEY": pasarloka["client_key"],
        "X-TIMESTAMP": now,
        "X-SIGNATURE": token_signature(pasarloka["client_key"], pasarloka["client_secret"], now),
    }
    answer = exercise.client("bank").post(
        "/v1.0/access-token/b2b", headers=headers, json={"grantType": "client_credentials"}
    )
    print(answer.status_code, answer.json())
