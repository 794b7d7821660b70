"""The commerce story's world: the marketplace's sellers, products and buyers, and the social
app's users and videos that tag those products.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.world.sources import (
    _WORLD_EPOCH,
    CREATORS,
    PRODUCTS,
    SELLERS,
    SOCIAL_USERS,
    VIDEOS,
    _secret,
)

if TYPE_CHECKING:
    from faker import Faker

_CATALOGUE: dict[str, tuple[list[str], list[str]]] = {
    "Fashion Pria": (
        ["Kemeja Batik", "Kaos Polos", "Celana Chino", "Sarung Tenun", "Jaket Denim"],
        ["Slim Fit", "Katun", "Motif Parang", "Lengan Pendek", "Premium"],
    ),
    "Fashion Wanita": (
        ["Gamis", "Blouse", "Rok Plisket", "Kebaya Modern", "Hijab Voal"],
        ["Motif Bunga", "Polos", "Katun Rayon", "Brokat", "Syar'i"],
    ),
    "Makanan": (
        ["Keripik Singkong", "Sambal Bawang", "Kopi Bubuk", "Rendang Kemasan", "Madu Hutan"],
        ["Pedas", "Original", "250 g", "Botol 500 ml", "Khas Daerah"],
    ),
    "Kecantikan": (
        ["Serum Wajah", "Lip Cream", "Sunscreen", "Masker Lumpur", "Sabun Herbal"],
        ["Vitamin C", "Matte", "SPF 50", "Organik", "Lidah Buaya"],
    ),
    "Elektronik": (
        ["Earphone Bluetooth", "Powerbank", "Kabel Data", "Lampu LED", "Kipas Mini"],
        ["10000 mAh", "Type-C", "Fast Charging", "USB", "Hemat Energi"],
    ),
    "Rumah Tangga": (
        ["Panci Presto", "Rak Piring", "Sprei", "Toples Kaca", "Sapu Ijuk"],
        ["Stainless", "Set 3 pcs", "Motif Batik", "Anti Karat", "Jumbo"],
    ),
}
_CAPTIONS = [
    "Wajib punya!",
    "Racun minggu ini",
    "Review jujur",
    "Unboxing",
    "Murah tapi bagus",
    "Produk lokal keren",
    "Cek keranjang kuning",
    "Tutorial singkat",
    "Haul belanja",
]
_TAGS = ["#fyp", "#lokal", "#racun", "#review", "#umkm", "#belanja", "#ootd", "#kuliner"]


def _product_name(rng: random.Random) -> tuple[str, str]:
    category = rng.choice(sorted(_CATALOGUE))
    nouns, adjectives = _CATALOGUE[category]
    return f"{rng.choice(nouns)} {rng.choice(adjectives)}", category


def _marketplace(
    named: dict[str, Any],
    fake: Faker,
    rng: random.Random,
    persons: list[dict[str, Any]],
    nik_of: dict[str, str],
    seed: int,
) -> dict[str, Any]:
    name_of = {p["nik"]: p["name"] for p in persons}
    sellers, products = [], []
    for s in named["sellers"]:
        nik = nik_of[s["person"]]
        sellers.append(
            {
                "shop_id": s["shop_id"],
                "shop_name": s["shop_name"],
                "owner_nik": nik,
                "owner_name": name_of[nik],
                "city": s["city"],
                "status": "VERIFIED",
            }
        )
        products += [{"shop_id": s["shop_id"], **p} for p in s["products"]]
    owners = rng.sample(persons[len(nik_of) :], SELLERS)
    for i, owner in enumerate(owners):
        shop_id = 2001 + i
        sellers.append(
            {
                "shop_id": shop_id,
                "shop_name": f"{fake.company()}",
                "owner_nik": owner["nik"],
                "owner_name": owner["name"],
                "city": owner["regency"],
                "status": "VERIFIED",
            }
        )
    shop_ids = [s["shop_id"] for s in sellers[len(named["sellers"]) :]]
    for i in range(PRODUCTS):
        name, category = _product_name(rng)
        products.append(
            {
                "product_id": 300001 + i,
                "shop_id": rng.choice(shop_ids),
                "name": name,
                "price": rng.randint(10, 1_000) * 500,
                "stock": rng.choice([0, 1, 2, 5, 10, 20, 50, 100, 200]),
                "category": category,
            }
        )
    return {"sellers": sellers, "products": products}


def _social(
    named: dict[str, Any],
    fake: Faker,
    rng: random.Random,
    persons: list[dict[str, Any]],
    marketplace: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """Social users and the marketplace buyers they are linked to by an opaque token."""
    users, buyers, videos = [], [], []
    name_of = {p["nik"]: p for p in persons}
    named_nik = {p["key"]: p["nik"] for p in named["persons"]}
    user_of_person: dict[str, int] = {}
    for u in named["social_users"]:
        user_of_person[u["person"]] = u["user_id"]
        users.append(
            _social_user(
                seed, u["user_id"], u["handle"], u["display_name"], bool(u.get("creator")), rng
            )
        )
        person = name_of[named_nik[u["person"]]]
        buyers.append(_buyer(seed, u["user_id"], person))
    people = rng.sample(persons[len(named_nik) :], SOCIAL_USERS)
    for i, person in enumerate(people):
        user_id = 101 + i
        first = person["name"].split()[0].lower()
        users.append(
            _social_user(
                seed,
                user_id,
                f"{first}{rng.randint(10, 9999)}",
                person["name"].title(),
                i < CREATORS,
                rng,
            )
        )
        buyers.append(_buyer(seed, user_id, person))
    creators = [u["user_id"] for u in users if u["is_creator"]]
    for v in named["videos"]:
        videos.append(
            {
                "video_id": v["video_id"],
                "creator_id": user_of_person[v["creator"]],
                "caption": v["caption"],
                "product_ids": v["product_ids"],
                "views": v["views"],
                "likes": v["likes"],
                "posted_at": "2024-02-28",
            }
        )
    products = [p for p in marketplace["products"] if p["product_id"] >= 300001]
    for i in range(VIDEOS):
        tagged = sorted(p["product_id"] for p in rng.sample(products, rng.randint(1, 3)))
        posted = _WORLD_EPOCH - timedelta(days=rng.randint(0, 120))
        videos.append(
            {
                "video_id": 1001 + i,
                "creator_id": rng.choice(creators),
                "caption": f"{rng.choice(_CAPTIONS)} {' '.join(rng.sample(_TAGS, 2))}",
                "product_ids": tagged,
                "views": rng.randint(100, 500_000),
                "likes": rng.randint(0, 40_000),
                "posted_at": posted.isoformat(),
            }
        )
    marketplace["buyers"] = buyers
    return {"users": users, "videos": videos}


def _social_user(
    seed: int, user_id: int, handle: str, display: str, creator: bool, rng: random.Random
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "handle": handle,
        "display_name": display,
        "is_creator": creator,
        "followers": rng.randint(10, 250_000) if creator else 0,
        "session_token": "sess_" + _secret(seed, "session", str(user_id)),
        "link_token": "lnk_" + _secret(seed, "link", str(user_id))[:24],
    }


def _buyer(seed: int, user_id: int, person: dict[str, Any]) -> dict[str, Any]:
    """A marketplace buyer account; the marketplace (not the social app) holds the address."""
    return {
        "buyer_id": 50000 + user_id,
        "name": person["name"].title(),
        "phone": person["phone"],
        "address": f"{person['street']}, {person['district']}, {person['regency']}",
        "link_token": "lnk_" + _secret(seed, "link", str(user_id))[:24],
        # The storefront that linked her account: only it may order with her link token.
        "channel": "social",
    }
