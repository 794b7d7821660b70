"""Reference solution: follow the link."""


def checkout_page(exercise):
    sari = exercise.persona("buyer")
    me = {"Authorization": f"Bearer {sari['session_token']}"}
    bought = exercise.client("social").post(
        "/api/v1/videos/1/buy", headers=me, json={"product_id": 100101, "quantity": 1}
    )
    bought.raise_for_status()
    page = exercise.client("marketplace").get(bought.json()["checkout_url"])
    page.raise_for_status()
    print(page.json()["payment"]["virtual_account_no"])
