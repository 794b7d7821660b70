"""Reference solution: read a FHIR Bundle."""

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


def encounters(exercise):
    agus = exercise.persona("patient")
    records = exercise.partner_client("records", "hospital")
    found = records.get("/fhir-r4/v1/Patient", params={"identifier": f"{NIK_SYSTEM}|{agus['nik']}"})
    found.raise_for_status()
    ihs = found.json()["entry"][0]["resource"]["id"]
    visits = records.get("/fhir-r4/v1/Encounter", params={"subject": f"Patient/{ihs}"})
    visits.raise_for_status()
    print(ihs, visits.json()["total"], "encounter(s)")
