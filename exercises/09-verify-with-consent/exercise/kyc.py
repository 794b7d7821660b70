"""Exercise: verify with consent. / Latihan: verifikasi dengan persetujuan."""


def kyc(exercise):
    dewi = exercise.persona("newcomer")
    registry = exercise.partner_client("identity", "marketplace")
    # TODO (en): the registry answers only about a person who consented to this purpose, and
    #   only she can consent: ask her, then let her approve on her phone.
    # TODO (id): registri hanya menjawab tentang orang yang menyetujui tujuan ini, dan hanya
    #   dia yang bisa menyetujuinya: mintalah, lalu biarkan ia menyetujui di ponselnya.
    check = registry.post(
        "/v1/verify",
        json={"nik": dewi["nik"], "purpose": "SELLER_KYC", "nama_lgkp": "DEWI LESTARI"},
    )
    print(check.status_code, check.json())
