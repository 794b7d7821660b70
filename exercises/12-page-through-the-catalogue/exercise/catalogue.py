"""Exercise: page through a catalogue. / Latihan: menelusuri katalog per halaman."""


def catalogue(exercise):
    marketplace = exercise.partner_client("marketplace", "social")
    fs_id = exercise.credentials("marketplace", "social")["fs_id"]
    page = marketplace.get(f"/api/v2/fs/{fs_id}/products", params={"limit": 50}).json()
    products = list(page["products"])
    # TODO (en): there may be more pages: ask for them until there is no next_cursor.
    # TODO (id): mungkin masih ada halaman lain: minta terus sampai tidak ada next_cursor.
    print(len(products), "products")
