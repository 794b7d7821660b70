"""Build the synthetic world from a seed: the same seed gives the same world, byte for byte.

Hand-written personas (`fixtures/personas.json`) are always present with the same values; Faker's
`id_ID` locale, seeded per instance, fills in the bulk around them.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Faker takes a tenth of a second to import: only building needs it
    from faker import Faker

    from sandbox.world.nik import NikProvider

PERSONS, SELLERS, PRODUCTS, VIDEOS = 200, 50, 500, 300
SOCIAL_USERS, CREATORS = 150, 30

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
_WORLD_EPOCH = date(2024, 3, 1)
"""Dates in the world are relative to this day, never to "now", so the world never changes."""


def fixtures_dir() -> Path:
    """The fixtures folder: the repository's `fixtures/`, or the copy packed inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "fixtures", here / "_fixtures"):
        if (candidate / "personas.json").exists():
            return candidate
    raise FileNotFoundError("fixtures folder not found next to the sandbox package")


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((fixtures_dir() / name).read_text(encoding="utf-8"))
    return data


def _secret(seed: int, *parts: str) -> str:
    """A deterministic secret: the same seed gives the same credentials."""
    return hashlib.sha256("/".join([str(seed), *parts]).encode()).hexdigest()[:32]


def _regions() -> list[dict[str, str]]:
    rows = []
    for province in _read("regions.json")["provinces"]:
        for regency in province["regencies"]:
            for district in regency["districts"]:
                rows.append(
                    {
                        "code": district["code"],
                        "province": province["name"],
                        "regency": regency["name"],
                        "district": district["name"],
                        "postcode": district["postcode"],
                    }
                )
    return rows


def build_world(seed: int) -> dict[str, Any]:
    """Every row of every institution's seed data, plus partner credentials and personas."""
    from faker import Faker

    from sandbox.world.nik import NikProvider

    fake = Faker("id_ID")
    fake.seed_instance(seed)
    ids = NikProvider(fake)
    rng = random.Random(seed)
    named = _read("personas.json")
    regions = _regions()
    by_code = {r["code"]: r for r in regions}

    persons = [_named_person(p, by_code) for p in named["persons"]]
    for p in named["persons"]:
        ids.reserve_nik(p["nik"])
        ids.reserve_kk(p["kk"])
    persons += [_fake_person(fake, ids, rng, regions) for _ in range(PERSONS)]
    key_of = {p["key"]: p for p in named["persons"]}
    nik_of = {k: p["nik"] for k, p in key_of.items()}

    bank = _bank(named, rng, persons, nik_of, seed)
    _hash_pins(bank["accounts"], seed)
    marketplace = _marketplace(named, fake, rng, persons, nik_of, seed)
    social = _social(named, fake, rng, persons, marketplace, seed)
    partners = _partners(seed, named)
    health = _health(named, rng, persons, nik_of, seed)
    ikd = _ikd(key_of, seed)
    world = {
        "seed": seed,
        "regions": regions,
        "persons": persons,
        "bank": bank,
        "marketplace": marketplace,
        "social": social,
        "partners": partners,
        "ikd": ikd,
        **health,
    }
    world["personas"] = _personas(world, key_of)
    return world


def _named_person(p: dict[str, Any], by_code: dict[str, dict[str, str]]) -> dict[str, Any]:
    region = by_code[p["district"]]
    return {
        "nik": p["nik"],
        "kk": p["kk"],
        "name": p["name"],
        "birth_place": p["birth_place"],
        "birth_date": p["birth_date"],
        "sex": p["sex"],
        "street": p["street"],
        "rt": p["rt"],
        "rw": p["rw"],
        "village": p["village"],
        "district": region["district"],
        "regency": region["regency"],
        "province": region["province"],
        "postcode": region["postcode"],
        "phone": p["phone"],
        "occupation": p["occupation"],
        "marital": p["marital"],
    }


def _fake_person(
    fake: Faker, ids: NikProvider, rng: random.Random, regions: list[dict[str, str]]
) -> dict[str, Any]:
    sex = rng.choice("LP")
    region = rng.choice(regions)
    birth = _WORLD_EPOCH - timedelta(days=rng.randint(18 * 365, 70 * 365))
    issued = _WORLD_EPOCH - timedelta(days=rng.randint(30, 20 * 365))
    name = fake.name_male() if sex == "L" else fake.name_female()
    return {
        "nik": ids.nik(region["code"], birth, sex),
        "kk": ids.kk(region["code"], issued),
        "name": name.upper(),
        "birth_place": region["regency"].split(" ", 1)[1].upper(),
        "birth_date": birth.isoformat(),
        "sex": sex,
        "street": fake.street_address(),
        "rt": f"{rng.randint(1, 15):03d}",
        "rw": f"{rng.randint(1, 12):03d}",
        "village": fake.street_name().split(" ", 1)[-1],
        "district": region["district"],
        "regency": region["regency"],
        "province": region["province"],
        "postcode": region["postcode"],
        "phone": fake.phone_number(),
        "occupation": rng.choice(
            [
                "KARYAWAN SWASTA",
                "WIRASWASTA",
                "PEGAWAI NEGERI SIPIL",
                "PETANI/PEKEBUN",
                "PELAJAR/MAHASISWA",
                "MENGURUS RUMAH TANGGA",
                "GURU",
                "NELAYAN/PERIKANAN",
            ]
        ),
        "marital": rng.choice(["BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"]),
    }


def _bank(
    named: dict[str, Any],
    rng: random.Random,
    persons: list[dict[str, Any]],
    nik_of: dict[str, str],
    seed: int,
) -> dict[str, Any]:
    accounts = []
    name_of = {p["nik"]: p["name"] for p in persons}
    for a in named["bank_accounts"]:
        nik = nik_of[a["person"]]
        accounts.append(
            {
                "account_no": a["account_no"],
                "nik": nik,
                "name": name_of[nik],
                "balance": a["balance"],
                "pin": a["pin"],
                "kind": "personal",
            }
        )
    number = 100
    for p in persons[len(nik_of) :]:
        if rng.random() < 0.75:
            number += 1
            accounts.append(
                {
                    "account_no": f"99{number:08d}",
                    "nik": p["nik"],
                    "name": p["name"],
                    "balance": rng.randint(5, 20_000) * 1000,
                    "pin": f"{rng.randint(0, 999_999):06d}",
                    "kind": "personal",
                }
            )
    merchants = []
    for m in named["merchants"]:
        accounts.append(
            {
                "account_no": m["account_no"],
                "nik": None,
                "name": m["name"],
                "balance": m["balance"],
                "pin": _secret(seed, "pin", m["key"])[:6],
                "kind": "merchant",
            }
        )
        merchants.append(
            {
                "key": m["key"],
                "name": m["name"],
                "account_no": m["account_no"],
                "partner_service_id": m["partner_service_id"],
            }
        )
    return {
        "bank_code": "990",
        "bank_name": "Bank Contoh",
        "accounts": accounts,
        "merchants": merchants,
    }


def _hash_pins(accounts: list[dict[str, Any]], seed: int) -> None:
    """Give every account the bank's PIN hash, with a salt drawn from the seed (same seed,
    same hashes). Done here, once, because a hash of real cost takes about 40 ms: computed at
    every start or reset, 170 of them would take seconds. Threads, because hashlib releases
    the GIL while it hashes."""
    from concurrent.futures import ThreadPoolExecutor

    from sandbox.services.bank.rules import hash_pin

    def hashed(account: dict[str, Any]) -> str:
        salt = bytes.fromhex(_secret(seed, "pin-salt", account["account_no"]))
        return hash_pin(account["pin"], salt)

    with ThreadPoolExecutor() as pool:
        for account, pin_hash in zip(accounts, pool.map(hashed, accounts), strict=True):
            account["pin_hash"] = pin_hash


def ikd_pin(seed: int, nik: str) -> str:
    """The 6-digit PIN a named person chose for her digital ID app (IKD); from the seed."""
    return f"{int(_secret(seed, 'ikd-pin', nik), 16) % 1_000_000:06d}"


def _ikd(key_of: dict[str, dict[str, Any]], seed: int) -> dict[str, Any]:
    """The named people who activated IKD, the registry's digital ID app, with a PIN hash each.

    Activating IKD is voluntary (a person does it at the civil registry office), so only the
    story's named people have it; the PIN itself is kept only in the personas' quick reference
    that stories read, and hashed with the registry's own scheme (salt from the seed).
    """
    from sandbox.services.identity.people import hash_pin

    accounts = []
    for person in key_of.values():
        salt = bytes.fromhex(_secret(seed, "ikd-salt", person["nik"]))
        accounts.append(
            {"nik": person["nik"], "pin_hash": hash_pin(ikd_pin(seed, person["nik"]), salt)}
        )
    return {"accounts": accounts}


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


_CLINICS = [
    ("0301U001", "Klinik Pratama Sukamaju"),
    ("0301U002", "Puskesmas Bandar Barat"),
    ("0301U003", "Klinik Sumber Jaya Sehat"),
]
_CLASS_NAMES = {"1": "KELAS I", "2": "KELAS II", "3": "KELAS III"}
_STATUS_NAMES = {"0": "AKTIF", "2": "TIDAK AKTIF - TUNGGAKAN"}
_ICD10 = [
    ("J06.9", "Acute upper respiratory infection"),
    ("A09", "Infectious gastroenteritis"),
    ("I10", "Essential hypertension"),
    ("E11.9", "Type 2 diabetes mellitus"),
    ("K29.7", "Gastritis"),
    ("M54.5", "Low back pain"),
]


def _health(
    named: dict[str, Any],
    rng: random.Random,
    persons: list[dict[str, Any]],
    nik_of: dict[str, str],
    seed: int,
) -> dict[str, Any]:
    """Hospitals, insured members (some in arrears, some not insured) and health records."""
    by_nik = {p["nik"]: p for p in persons}
    members = []
    for m in named["insurance"]["members"]:
        members.append(
            _member(by_nik[nik_of[m["person"]]], m["card_no"], m["class"], m["status"], _CLINICS[0])
        )
    named_niks = set(nik_of.values())
    serial = 100
    for person in persons:
        if person["nik"] in named_niks or rng.random() > 0.7:
            continue  # about three in ten people are not insured
        serial += 1
        status = "2" if rng.random() < 0.15 else "0"
        members.append(
            _member(person, f"9999{serial:09d}", rng.choice("123"), status, rng.choice(_CLINICS))
        )
    patients: list[dict[str, Any]] = []
    encounters: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    keep = {nik_of[k] for k in named["records"]["patients"]}
    for person in persons:
        if person["nik"] in keep or (person["nik"] not in named_niks and rng.random() < 0.4):
            ihs = f"P{10_000_000_000 + len(patients) + 1:011d}"
            patients.append(
                {
                    "ihs_number": ihs,
                    "nik": person["nik"],
                    "name": person["name"],
                    "birth_date": person["birth_date"],
                    "gender": "female" if person["sex"] == "P" else "male",
                }
            )
            for _ in range(rng.choice([0, 0, 1, 2])):
                encounter_id = f"E{len(encounters) + 1:08d}"
                day = _WORLD_EPOCH - timedelta(days=rng.randint(30, 900))
                code, text = rng.choice(_ICD10)
                encounters.append(
                    {
                        "encounter_id": encounter_id,
                        "ihs_number": ihs,
                        "org_id": named["hospitals"][0]["org_id"],
                        "date": day.isoformat(),
                        "class": "AMB",
                    }
                )
                conditions.append(
                    {
                        "condition_id": f"C{len(conditions) + 1:08d}",
                        "encounter_id": encounter_id,
                        "ihs_number": ihs,
                        "icd10": code,
                        "display": text,
                    }
                )
    staff = [
        {**s, "token": "desk_" + _secret(seed, "desk", s["staff_id"])} for s in named["desk_staff"]
    ]
    return {
        "hospital": {"hospitals": named["hospitals"], "staff": staff},
        "insurance": {"members": members, "clinics": [{"code": c, "name": n} for c, n in _CLINICS]},
        "records": {
            "organizations": [
                {"org_id": h["org_id"], "name": h["name"]} for h in named["hospitals"]
            ],
            "patients": patients,
            "encounters": encounters,
            "conditions": conditions,
        },
    }


def _member(
    person: dict[str, Any], card_no: str, klass: str, status: str, clinic: tuple[str, str]
) -> dict[str, Any]:
    return {
        "card_no": card_no,
        "nik": person["nik"],
        "name": person["name"],
        "sex": person["sex"],
        "birth_date": person["birth_date"],
        "class": {"kode": klass, "keterangan": _CLASS_NAMES[klass]},
        "type": {"kode": "14", "keterangan": "PEKERJA PENERIMA UPAH"},
        "status": {"kode": status, "keterangan": _STATUS_NAMES[status]},
        "primary_care": {"kdProvider": clinic[0], "nmProvider": clinic[1]},
    }


def _partners(seed: int, named: dict[str, Any]) -> dict[str, Any]:
    """Credentials between institutions, keyed by callee then caller."""
    merchant = named["merchants"][0]
    hospital_merchant = named["merchants"][1]
    hospital = named["hospitals"][0]
    verify_fields = ["nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin", "alamat", "kab_name"]
    return {
        "identity": {
            "marketplace": {
                "client_id": "PASARLOKA-KYC",
                "client_secret": _secret(seed, "identity", "marketplace"),
                "purpose": "SELLER_KYC",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
                # No consent webhook: the seller centre asks how she answered when the
                # would-be seller reads the application (GET /seller/v1/registrations/...).
            },
            "bank": {
                "client_id": "BANKCONTOH-KYC",
                "client_secret": _secret(seed, "identity", "bank"),
                "purpose": "ACCOUNT_OPENING",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
            "hospital": {
                "client_id": "RSUD-SUKAMAJU-KYC",
                "client_secret": _secret(seed, "identity", "hospital"),
                "purpose": "PATIENT_ADMISSION",
                "allowed_fields": verify_fields,
                "quota": 100_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
                "consent_webhook_path": "/api/v1/consent-notifications",
            },
            # The health platform and the insurer only check consents the desk quotes to
            # them (introspection); they may verify nobody.
            "records": {
                "client_id": "SATUSEHAT-CONSENT",
                "client_secret": _secret(seed, "identity", "records"),
                "purpose": "CONSENT_CHECK",
                "allowed_fields": [],
                "quota": 1_000_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
            "insurance": {
                "client_id": "BPJSK-CONSENT",
                "client_secret": _secret(seed, "identity", "insurance"),
                "purpose": "CONSENT_CHECK",
                "allowed_fields": [],
                "quota": 1_000_000,
                "valid_until": "2027-12-31",
                "status": "ACTIVE",
            },
        },
        "bank": {
            "marketplace": {
                "client_key": "PASARLOKA-SNAP",
                "client_secret": _secret(seed, "bank", "marketplace"),
                "partner_id": "88001",
                "channel_id": "95221",
                "partner_service_id": merchant["partner_service_id"],
                "account_no": merchant["account_no"],
                "notification_secret": _secret(seed, "bank", "notify"),
            },
            "hospital": {
                "client_key": "RSUD-SUKAMAJU-SNAP",
                "client_secret": _secret(seed, "bank", "hospital"),
                "partner_id": "77001",
                "channel_id": "95231",
                "partner_service_id": hospital_merchant["partner_service_id"],
                "account_no": hospital_merchant["account_no"],
                "notification_secret": _secret(seed, "bank", "notify-hospital"),
            },
        },
        "records": {
            "hospital": {
                "client_id": "rsud-sukamaju-" + _secret(seed, "records", "id")[:8],
                "client_secret": _secret(seed, "records", "hospital"),
                "org_id": hospital["org_id"],
                "org_name": hospital["name"],
            },
        },
        "insurance": {
            "hospital": {
                "cons_id": "31001",
                "secret": _secret(seed, "insurance", "hospital"),
                "user_key": _secret(seed, "insurance", "user-key")[:24],
                "ppk_code": hospital["code"],
            },
        },
        "marketplace": {
            "social": {
                "app_key": "klip-shop-7001",
                "app_secret": _secret(seed, "marketplace", "social"),
                "fs_id": 7001,
                "webhook_path": "/webhooks/marketplace",
            },
        },
        "admin": {"identity": "adm_" + _secret(seed, "admin", "identity")},
    }


def _personas(world: dict[str, Any], key_of: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A quick reference that lessons and scenarios use: the named people and their handles."""
    accounts = {a["nik"]: a for a in world["bank"]["accounts"] if a["nik"]}
    users = {u["user_id"]: u for u in world["social"]["users"]}
    shops = {s["owner_nik"]: s for s in world["marketplace"]["sellers"]}
    out: dict[str, Any] = {}
    named_users = {"buyer": 1, "creator": 2}
    for key, person in key_of.items():
        entry: dict[str, Any] = {"nik": person["nik"], "name": person["name"]}
        entry["ikd_pin"] = ikd_pin(world["seed"], person["nik"])
        account = accounts.get(person["nik"])
        if account:
            entry.update(account_no=account["account_no"], pin=account["pin"])
        if key in named_users:
            user = users[named_users[key]]
            entry.update(
                user_id=user["user_id"], handle=user["handle"], session_token=user["session_token"]
            )
        shop = shops.get(person["nik"])
        if shop:
            entry.update(shop_id=shop["shop_id"], shop_name=shop["shop_name"])
        out[key] = entry
    return out
