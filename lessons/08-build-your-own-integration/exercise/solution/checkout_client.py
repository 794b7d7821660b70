"""Reference solution of lesson 8: the checkout through the public APIs only.

The lesson check runs this file in place of the learner's copy, so the lesson is known to be
solvable with exactly the calls its expectations ask for.
"""

import time
import uuid

import httpx

VIDEO_ID = 1
PRODUCT_ID = 100101
PAID = "AWAITING_SHIPMENT"


def checkout(exercise):
    """Buy one PRODUCT_ID from VIDEO_ID in Klip and pay its virtual account at Bank Contoh."""
    buyer = exercise.persona("buyer")
    klip = exercise.client("social")
    me = {"Authorization": f"Bearer {buyer['session_token']}"}

    # 1. Buy in Klip: Klip creates the order at the marketplace with its own credentials.
    bought = klip.post(f"/api/v1/videos/{VIDEO_ID}/buy", headers=me,
                       json={"product_id": PRODUCT_ID, "quantity": 1})
    bought.raise_for_status()
    order = bought.json()
    print(f"order {order['order_id']}: Rp{order['total_amount']:,}, {order['status']}")

    # 2. The checkout page belongs to the marketplace; it holds the VA number and the amount.
    page = exercise.client("marketplace").get(order["checkout_url"])
    page.raise_for_status()
    payment = page.json()["payment"]

    # 3. Pay in the bank app. The key names this payment: a retry with it cannot pay twice.
    bank = exercise.client("bank")
    login = bank.post("/mobile/v1/sessions",
                      json={"account_no": buyer["account_no"], "pin": buyer["pin"]})
    login.raise_for_status()
    key = uuid.uuid4().hex  # one purchase, one key, however many attempts
    for _ in range(3):
        try:
            paid = bank.post("/mobile/v1/va-payments",
                             json={"virtual_account_no": payment["virtual_account_no"],
                                   "amount": payment["amount"]},
                             headers={"Authorization": f"Bearer {login.json()['session_token']}",
                                      "Idempotency-Key": key})
            break
        except httpx.ReadTimeout:
            print("no answer from the bank; retrying with the same key")
    else:
        raise RuntimeError("the bank never answered")
    paid.raise_for_status()
    print(f"paid, reference {paid.json()['reference_no']}")

    # 4. The bank tells the marketplace, the marketplace tells Klip: wait for it.
    for _ in range(50):
        shown = klip.get(f"/api/v1/me/orders/{order['order_id']}", headers=me).json()
        if shown.get("status") == PAID:
            print(f"Klip shows order {order['order_id']}: {PAID}")
            return
        time.sleep(0.1)
    raise RuntimeError(f"Klip never showed order {order['order_id']} as paid")
