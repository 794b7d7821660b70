"""Exercise: sign a marketplace request. / Latihan: menandatangani permintaan ke marketplace.

exercise.credentials("marketplace", "social") holds Klip's app_key, app_secret and fs_id.
/ exercise.credentials("marketplace", "social") menyimpan app_key, app_secret, dan fs_id Klip.
exercise.now() is the sandbox's time, which `sandbox clock` may move: sign with it.
/ exercise.now() adalah waktu sandbox, yang bisa digeser `sandbox clock`: tanda tangani dengan waktu itu.
"""

import hashlib
import hmac
import secrets


def signature(app_secret, path, params, body):
    # TODO (en): sort the params (no sign, no access_token), join key+value, then
    #            secret + path + joined + body + secret, hex HMAC-SHA256 keyed by the secret.
    # TODO (id): urutkan params (tanpa sign dan access_token), gabungkan kunci+nilai, lalu
    #            secret + path + gabungan + body + secret, HMAC-SHA256 hex berkunci secret.
    return "TODO"


def signed(exercise):
    klip = exercise.credentials("marketplace", "social")
    marketplace = exercise.client("marketplace")
    token = marketplace.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(klip["app_key"], klip["app_secret"]),
    ).json()["access_token"]
    path = f"/api/v2/fs/{klip['fs_id']}/products/100101"
    params = {
        "app_key": klip["app_key"],
        "timestamp": str(int(exercise.now())),
        "nonce": secrets.token_hex(8),
    }
    params["sign"] = signature(klip["app_secret"], path, params, b"")
    product = marketplace.get(path, params=params, headers={"x-tts-access-token": token})
    print(product.status_code, product.json())
