"""Reference solution: read a FHIR Bundle."""

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


def agus_consent(exercise):
    """Given, not part of the exercise: Agus approves the hospital's consent request in his
    IKD app (lesson 5), and every call about him quotes it in X-Consent-Id.
    Sudah disediakan: Agus menyetujui permintaan rumah sakit di aplikasi IKD-nya."""
    agus = exercise.persona("patient")
    asked = exercise.partner_client("identity", "hospital").post(
        "/v1/consent-requests",
        json={
            "nik": agus["nik"],
            "purpose": "PATIENT_ADMISSION",
            "scopes": ["health_records", "insurance_eligibility"],
        },
    )
    asked.raise_for_status()
    ikd = exercise.client("identity")
    login = ikd.post("/ikd/v1/sessions", json={"nik": agus["nik"], "pin": agus["ikd_pin"]})
    login.raise_for_status()
    approved = ikd.post(
        f"/ikd/v1/consent-requests/{asked.json()['request_id']}/approve",
        headers={"Authorization": f"Bearer {login.json()['session_token']}"},
    )
    approved.raise_for_status()
    return approved.json()["consent_id"]


def encounters(exercise):
    agus = exercise.persona("patient")
    records = exercise.partner_client("records", "hospital")
    records.headers["X-Consent-Id"] = agus_consent(exercise)
    found = records.get("/fhir-r4/v1/Patient", params={"identifier": f"{NIK_SYSTEM}|{agus['nik']}"})
    found.raise_for_status()
    ihs = found.json()["entry"][0]["resource"]["id"]
    visits = records.get("/fhir-r4/v1/Encounter", params={"subject": f"Patient/{ihs}"})
    visits.raise_for_status()
    print(ihs, visits.json()["total"], "encounter(s)")
