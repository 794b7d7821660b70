"""Reference solution: verify with consent."""


def kyc(exercise):
    dewi = exercise.persona("newcomer")
    registry = exercise.partner_client("identity", "marketplace")
    consent = registry.post("/v1/consents", json={"nik": dewi["nik"], "purpose": "SELLER_KYC"})
    consent.raise_for_status()
    check = registry.post(
        "/v1/verify",
        json={
            "nik": dewi["nik"],
            "purpose": "SELLER_KYC",
            "consent_id": consent.json()["consent_id"],
            "nama_lgkp": "DEWI LESTARI",
        },
    )
    check.raise_for_status()
    print(check.json()["fields"])
