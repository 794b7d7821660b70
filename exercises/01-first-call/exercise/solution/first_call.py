"""Reference solution: your first call."""


def first_call(exercise):
    sari = exercise.persona("buyer")
    klip = exercise.client("social")
    me = {"Authorization": f"Bearer {sari['session_token']}"}
    video = klip.get("/api/v1/videos/1", headers=me)
    video.raise_for_status()
    for product in video.json()["products"]:
        print(product["name"], product["price"])
