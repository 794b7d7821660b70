"""Exercise: your first call. / Latihan: panggilan pertama Anda.

exercise.client("social") is an httpx.Client for Klip; exercise.persona("buyer") holds Sari's
session token. / exercise.client("social") adalah httpx.Client untuk Klip;
exercise.persona("buyer") menyimpan token sesi Sari.
"""


def first_call(exercise):
    sari = exercise.persona("buyer")
    klip = exercise.client("social")
    me = {"Authorization": f"Bearer {sari['session_token']}"}
    # TODO (en): ask for video 1 at the right path (see /docs).
    # TODO (id): minta video 1 pada path yang benar (lihat /docs).
    video = klip.get("/api/v1/video/1", headers=me)
    for product in video.json().get("products", []):
        print(product["name"], product["price"])
