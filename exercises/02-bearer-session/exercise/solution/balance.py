"""Reference solution: a session token."""


def balance(exercise):
    sari = exercise.persona("buyer")
    bank = exercise.client("bank")
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": sari["account_no"], "pin": sari["pin"]}
    )
    login.raise_for_status()
    token = login.json()["session_token"]
    me = bank.get("/mobile/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    me.raise_for_status()
    print("balance:", me.json()["balance"])
