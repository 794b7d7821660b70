"""Exercise: retry with the same key. / Latihan: coba ulang dengan kunci yang sama."""

import uuid

import httpx


def tip(exercise):
    sari = exercise.persona("buyer")
    bank = exercise.client("bank")
    phone = exercise.client("bank", lose_answers=1)  # the first payment's answer gets lost
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": sari["account_no"], "pin": sari["pin"]}
    )
    me = {"Authorization": f"Bearer {login.json()['session_token']}"}
    body = {"to_account_no": "9900000003", "amount": 10000, "note": "tip"}
    for attempt in range(3):
        # TODO (en): is this still the same payment when it is retried?
        # TODO (id): apakah ini masih pembayaran yang sama ketika dicoba ulang?
        key = uuid.uuid4().hex
        try:
            paid = phone.post(
                "/mobile/v1/transfers", json=body, headers={**me, "Idempotency-Key": key}
            )
        except httpx.ReadTimeout:
            print(f"attempt {attempt + 1}: no answer, retrying")
            continue
        print(paid.status_code, paid.json())
        return
