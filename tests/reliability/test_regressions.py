"""Bugs the reliability suite found, each pinned by the smallest request that showed it."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Services
from tests.services.consent_helpers import granted

pytestmark = pytest.mark.reliability


def _admission(nik: str) -> dict[str, object]:
    return {
        "nik": nik,
        "name": "SARI WULANDARI",
        "birth_place": "BANDAR",
        "sex": "P",
        "birth_date": "1996-03-14",
        "complaint": "demam",
        "service": "outpatient",
        "consent": True,
    }


@pytest.mark.parametrize(
    "nik",
    ["3425196394079243", "9971019913960001"],
    ids=["unknown-province", "impossible-birth-date"],
)
async def test_admission_with_an_impossible_nik_is_a_400_not_a_502(
    services: Services, nik: str
) -> None:
    """Found by fuzzing: the registry's `invalid_nik` refusal was reported as a failing
    back end (502), though the clerk typed a NIK that cannot exist."""
    token = services.world["hospital"]["staff"][0]["token"]
    response = await services.client("hospital").post(
        "/api/v1/admissions", json=_admission(nik), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_nik"
    assert "NIK" in response.json()["message"]


@pytest.mark.parametrize(
    "nik",
    ["9971013203960001", "9971011413960001", "9971015403960000"],
    ids=["day-32", "month-13", "serial-0000"],
)
async def test_records_and_insurance_refuse_a_nik_that_cannot_exist(
    services: Services, nik: str
) -> None:
    """Found by the bad-input corpus: both answered "not found" (200) to a NIK whose birth
    date or serial cannot exist, instead of saying the NIK itself is malformed."""
    records = await services.client("records", "hospital").get(
        f"/fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|{nik}",
        auth=services.auth("records", "hospital"),
    )
    insurance = await services.client("insurance", "hospital").get(
        f"/vclaim-rest/Peserta/nik/{nik}/tglSEP/2024-03-01",
        auth=services.auth("insurance", "hospital"),
    )
    assert (records.status_code, records.json()["code"]) == (400, "invalid_nik"), records.text
    assert (insurance.status_code, insurance.json()["code"]) == (400, "invalid_nik"), insurance.text


async def test_records_and_insurance_still_find_a_seeded_patient(services: Services) -> None:
    """The stricter NIK check must not refuse real (seeded) people, women's +40 days included."""
    nik = services.world["personas"]["patient"]["nik"]
    consent = {"X-Consent-Id": await granted(services, nik, "hospital")}  # she approved
    records = await services.client("records", "hospital").get(
        f"/fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|{nik}",
        auth=services.auth("records", "hospital"),
        headers=consent,
    )
    insurance = await services.client("insurance", "hospital").get(
        f"/vclaim-rest/Peserta/nik/{nik}/tglSEP/2024-03-01",
        auth=services.auth("insurance", "hospital"),
        headers=consent,
    )
    assert records.status_code == 200 and records.json()["total"] == 1, records.text
    assert insurance.json()["metaData"]["code"] == "200", insurance.text


async def test_a_buy_that_timed_out_does_not_claim_no_order_was_created(
    services: Services,
) -> None:
    """Found by the concurrency test at 300 checkouts: when the marketplace answered too late,
    the social app told the buyer "no order was created", though the marketplace had created
    it (and it then sat unpaid, holding stock)."""

    async def too_slow(scope: object, receive: object, send: object) -> None:
        raise httpx.ReadTimeout("the marketplace took too long")

    services.wire.mount("marketplace", too_slow)
    buyer = services.world["personas"]["buyer"]
    response = await services.client("social", "buyer").post(
        "/api/v1/videos/1/buy",
        json={"product_id": 100101, "quantity": 1},
        headers={"Authorization": f"Bearer {buyer['session_token']}"},
    )
    assert (response.status_code, response.json()["code"]) == (502, "marketplace_unavailable")
    assert "no order was created" not in response.json()["message"]
    assert "may have created the order" in response.json()["message"]
