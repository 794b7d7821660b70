"""Reference solution: verify with consent."""


def kyc(exercise):
    dewi = exercise.persona("newcomer")
    registry = exercise.partner_client("identity", "marketplace")
    # Pasarloka asks; the request waits in Dewi's IKD app.
    asked = registry.post(
        "/v1/consent-requests",
        json={"nik": dewi["nik"], "purpose": "SELLER_KYC", "scopes": ["identity_verification"]},
    )
    asked.raise_for_status()
    # Dewi, on her phone: she logs in to IKD and approves.
    phone = exercise.client("identity")
    session = phone.post("/ikd/v1/sessions", json={"nik": dewi["nik"], "pin": dewi["ikd_pin"]})
    session.raise_for_status()
    her = {"Authorization": f"Bearer {session.json()['session_token']}"}
    request_id = asked.json()["request_id"]
    approved = phone.post(f"/ikd/v1/consent-requests/{request_id}/approve", headers=her)
    approved.raise_for_status()
    check = registry.post(
        "/v1/verify",
        json={
            "nik": dewi["nik"],
            "purpose": "SELLER_KYC",
            "consent_id": approved.json()["consent_id"],
            "nama_lgkp": "DEWI LESTARI",
        },
    )
    check.raise_for_status()
    print(check.json()["fields"])
