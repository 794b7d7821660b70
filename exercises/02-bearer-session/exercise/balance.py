"""Exercise: a session token. / Latihan: token sesi.

exercise.client("bank") is an httpx.Client for the bank; exercise.persona("buyer") holds Sari's
account number and PIN. / exercise.persona("buyer") menyimpan nomor rekening dan PIN Sari.
"""


def balance(exercise):
    sari = exercise.persona("buyer")
    bank = exercise.client("bank")
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": sari["account_no"], "pin": sari["pin"]}
    )
    token = login.json()["session_token"]
    # TODO (en): the bank needs to know who is asking.
    # TODO (id): bank perlu tahu siapa yang bertanya.
    me = bank.get("/mobile/v1/accounts/me")
    print("balance:", me.json().get("balance"), "token:", token[:8] + "...")
