"""Reference solution: a SNAP B2B token."""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7))


def token_signature(client_key, client_secret, timestamp):
    text = f"{client_key}|{timestamp}".encode()
    return base64.b64encode(
        hmac.new(client_secret.encode(), text, hashlib.sha256).digest()
    ).decode()


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
    answer.raise_for_status()
    print(answer.json()["responseCode"], answer.json()["expiresIn"])
