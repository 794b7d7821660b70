"""Exercise: read a FHIR Bundle. / Latihan: membaca Bundle FHIR."""

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"


def encounters(exercise):
    agus = exercise.persona("patient")
    records = exercise.partner_client("records", "hospital")
    found = records.get("/fhir-r4/v1/Patient", params={"identifier": f"{NIK_SYSTEM}|{agus['nik']}"})
    bundle = found.json()
    # TODO (en): the answer is a Bundle; the patient is a resource inside it.
    # TODO (id): jawabannya Bundle; pasiennya adalah sumber daya di dalamnya.
    ihs = bundle.get("id")
    visits = records.get("/fhir-r4/v1/Encounter", params={"subject": f"Patient/{ihs}"})
    print(visits.status_code, visits.json().get("total"))
