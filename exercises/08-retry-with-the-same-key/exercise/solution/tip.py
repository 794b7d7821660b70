"""Reference solution: retry with the same key."""

import uuid

import httpx


def tip(exercise):
    sari = exercise.persona("buyer")
    bank = exercise.client("bank")
    phone = exercise.client("bank", lose_answers=1)
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": sari["account_no"], "pin": sari["pin"]}
    )
    me = {"Authorization": f"Bearer {login.json()['session_token']}"}
    body = {"to_account_no": "9900000003", "amount": 10000, "note": "tip"}
    key = uuid.uuid4().hex  # one payment, one key, however many attempts
    for attempt in range(3):
        try:
            paid = phone.post(
                "/mobile/v1/transfers", json=body, headers={**me, "Idempotency-Key": key}
            )
        except httpx.ReadTimeout:
            print(f"attempt {attempt + 1}: no answer, retrying")
            continue
        print(paid.status_code, paid.json()["balance_after"])
        return
    raise RuntimeError("the bank never answered")
