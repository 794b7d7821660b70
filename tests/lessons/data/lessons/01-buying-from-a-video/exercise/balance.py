"""Exercise: read the buyer's balance in the bank app.

`exercise.client("bank")` is an httpx.Client for the bank; `exercise.persona("buyer")` holds
Sari's account number and PIN. Run `sandbox lesson check 1` to check your answer.
"""


def balance(exercise):
    buyer = exercise.persona("buyer")
    bank = exercise.client("bank")
    login = bank.post(
        "/mobile/v1/sessions", json={"account_no": buyer["account_no"], "pin": buyer["pin"]}
    )
    token = login.json()["session_token"]
    me = bank.get("/mobile/v1/accounts/me")  # TODO: the bank needs to know who is asking
    print("balance:", me.json().get("balance"))
    return token
