"""The records platform's dialect on its own side: `RecordsAuth` fetches a bearer token, keeps
it until shortly before it expires, and fetches a new one only when it must.

There is no signature to rebuild (docs/dialects.md): the token comes from the real records
platform, in-process, and every call is recorded, so the test counts the token requests."""

from __future__ import annotations

from sandbox.dialects.fhir import TOKEN_PATH, RecordsAuth
from tests.conftest import Services

SEARCH = "/fhir-r4/v1/Patient"
NIK = {"identifier": "https://fhir.kemkes.go.id/id/nik|9971015403960001"}


def _token_calls(services: Services) -> int:
    return sum(1 for call in services.calls if call.path.startswith(TOKEN_PATH))


async def test_records_auth_keeps_its_token_until_it_expires(services: Services) -> None:
    creds = services.world["partners"]["records"]["hospital"]
    auth = RecordsAuth(creds["client_id"], creds["client_secret"], services.clock)
    async with services.client("records", caller="hospital") as client:
        first = await client.get(SEARCH, params=NIK, auth=auth)
        second = await client.get(SEARCH, params=NIK, auth=auth)
        # The token is taken (no 401); the search itself wants the patient's consent.
        assert first.status_code == second.status_code == 403
        assert first.json()["code"] == second.json()["code"] == "consent_missing"
        assert _token_calls(services) == 1
        services.clock.advance(3600)  # past `expires_in`
        third = await client.get(SEARCH, params=NIK, auth=auth)
    assert third.status_code == 403
    assert _token_calls(services) == 2


async def test_records_auth_with_a_wrong_secret_gets_the_token_error(services: Services) -> None:
    creds = services.world["partners"]["records"]["hospital"]
    auth = RecordsAuth(creds["client_id"], "not-the-secret", services.clock)
    async with services.client("records", caller="hospital") as client:
        refused = await client.get(SEARCH, params=NIK, auth=auth)
    assert refused.status_code == 401
    assert _token_calls(services) == 1  # wrong credentials are not tried again
