"""Reference solution: page through a catalogue."""


def catalogue(exercise):
    marketplace = exercise.partner_client("marketplace", "social")
    fs_id = exercise.credentials("marketplace", "social")["fs_id"]
    products, params = [], {"limit": 50}
    while True:
        answer = marketplace.get(f"/api/v2/fs/{fs_id}/products", params=params)
        answer.raise_for_status()
        page = answer.json()
        products.extend(page["products"])
        if page.get("next_cursor") is None:
            break
        params = {"limit": 50, "cursor": page["next_cursor"]}
    print(len(products), "products")
