"""The seven institutions and who may call whom, as the stage's pure modules take them."""

from __future__ import annotations

from sandbox.tui.stage.layout import PEOPLE, Party

SEVEN = [
    Party("social", "front", "Klip", "Klip", "storefront (short-video app)"),
    Party("marketplace", "platform", "Pasarloka", "Pasarloka", "transaction platform"),
    Party("bank", "back", "Bank Contoh", "Bank", "bank (accounts, virtual accounts)"),
    Party("identity", "back", "Registri Penduduk", "Registri", "civil registry"),
    Party("hospital", "front", "RSUD Sukamaju", "RSUD", "hospital front desk"),
    Party("records", "back", "Rekam Medis", "Rekam", "health-records platform (FHIR)"),
    Party("insurance", "back", "Jaminan Kesehatan", "Jaminan", "national health insurer"),
]
MAY_CALL = [
    ("social", "marketplace"),
    ("marketplace", "social"),
    ("marketplace", "bank"),
    ("bank", "marketplace"),
    ("marketplace", "identity"),
    ("bank", "identity"),
    ("hospital", "identity"),
    ("hospital", "bank"),
    ("bank", "hospital"),
    ("hospital", "records"),
    ("hospital", "insurance"),
]
PEOPLE_CALL = [(PEOPLE, "social"), (PEOPLE, "marketplace"), (PEOPLE, "bank"), (PEOPLE, "hospital")]
SIZES = [(200, 30), (160, 24), (120, 20), (100, 16), (80, 11), (80, 9)]
