"""Exercise: sign a SNAP transaction. / Latihan: menandatangani transaksi SNAP.

exercise.now() is the sandbox's time, which `sandbox clock` may move: sign with it.
/ exercise.now() adalah waktu sandbox, yang bisa digeser `sandbox clock`: tanda tangani dengan waktu itu.
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7))
PATH = "/v1.0/transfer-va/create-va"


def transaction_signature(client_secret, method, path, token, body, timestamp):
    # TODO (en): base64 HMAC-SHA512(client secret,
    #            "METHOD:path:token:lowerhex(sha256(body)):timestamp").
    # TODO (id): base64 HMAC-SHA512(client secret,
    #            "METHOD:path:token:lowerhex(sha256(body)):timestamp").
    return "TODO"


def _token(bank, creds, at):
    now = at.isoformat(timespec="seconds")
    text = f"{creds['client_key']}|{now}".encode()
    sign = base64.b64encode(
        hmac.new(creds["client_secret"].encode(), text, hashlib.sha256).digest()
    )
    headers = {
        "X-CLIENT-KEY": creds["client_key"],
        "X-TIMESTAMP": now,
        "X-SIGNATURE": sign.decode(),
    }
    answer = bank.post(
        "/v1.0/access-token/b2b", headers=headers, json={"grantType": "client_credentials"}
    )
    return answer.json()["accessToken"]


def create_va(exercise):
    creds = exercise.credentials("bank", "marketplace")
    bank = exercise.client("bank")
    now = datetime.fromtimestamp(exercise.now(), WIB)
    token = _token(bank, creds, now)
    body = {
        "partnerServiceId": creds["partner_service_id"],
        "customerNo": "700000001",
        "virtualAccountNo": creds["partner_service_id"] + "700000001",
        "virtualAccountName": "SARI WULANDARI",
        "trxId": "EXERCISE-7",
        "totalAmount": {"value": "50000.00", "currency": "IDR"},
        "expiredDate": (now + timedelta(hours=1)).isoformat(timespec="seconds"),
    }
    raw = json.dumps(
        body, separators=(",", ":")
    ).encode()  # minified: what is sent is what is signed
    stamp = now.isoformat(timespec="seconds")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-TIMESTAMP": stamp,
        "X-PARTNER-ID": creds["partner_id"],
        "CHANNEL-ID": creds["channel_id"],
        "X-EXTERNAL-ID": str(secrets.randbelow(10**18)),
        "X-SIGNATURE": transaction_signature(
            creds["client_secret"], "POST", PATH, token, raw, stamp
        ),
    }
    answer = bank.post(PATH, content=raw, headers=headers)
    print(answer.status_code, answer.json())
