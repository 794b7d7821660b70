"""Exercise: send only what is needed. / Latihan: kirim hanya yang diperlukan."""


def buy(exercise):
    sari = exercise.persona("buyer")
    me = {"Authorization": f"Bearer {sari['session_token']}"}
    # TODO (en): Klip needs a product and a quantity; remove what it does not need.
    # TODO (id): Klip butuh produk dan jumlah; buang yang tidak dibutuhkannya.
    body = {"product_id": 100101, "quantity": 1, "nik": sari["nik"]}
    order = exercise.client("social").post("/api/v1/videos/1/buy", headers=me, json=body)
    print(order.status_code, order.json())
