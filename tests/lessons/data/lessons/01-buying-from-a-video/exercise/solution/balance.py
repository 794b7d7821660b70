"""Reference solution: log in, then send the session token with every call."""


def balance(exercise):
    buyer = exercise.persona("buyer")
    bank = exercise.client("bank")
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    token = login.json()["session_token"]
    me = bank.get("/mobile/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    print("balance:", me.json()["balance"])
    return me.json()["balance"]
