"""Exercise: follow the link. / Latihan: ikuti tautannya."""


def checkout_page(exercise):
    sari = exercise.persona("buyer")
    me = {"Authorization": f"Bearer {sari['session_token']}"}
    order = (
        exercise.client("social")
        .post("/api/v1/videos/1/buy", headers=me, json={"product_id": 100101, "quantity": 1})
        .json()
    )
    marketplace = exercise.client("marketplace")
    # TODO (en): do not build the URL; use the one Klip's answer hands you.
    # TODO (id): jangan menyusun URL sendiri; pakai URL dari jawaban Klip.
    page = marketplace.get(f"/checkout/{order['order_id']}")
    print(page.json()["payment"]["virtual_account_no"])
