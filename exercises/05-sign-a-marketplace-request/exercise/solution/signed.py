"""Reference solution: sign a marketplace request."""

import hashlib
import hmac
import secrets


def signature(app_secret, path, params, body):
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token"))
    text = app_secret.encode() + path.encode() + joined.encode() + body + app_secret.encode()
    return hmac.new(app_secret.encode(), text, hashlib.sha256).hexdigest()


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
    product.raise_for_status()
    print(product.json()["name"], product.json()["price"])
