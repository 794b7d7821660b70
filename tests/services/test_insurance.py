"""The insurer over HTTP: VClaim headers, eligibility, SEP insert/get/delete, reset."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.dialects import vclaim
from sandbox.dialects.vclaim import InsuranceAuth
from sandbox.framework.service import ServiceEnv
from sandbox.runtime.seeding import partner_ids, seed_for
from sandbox.services.identity import create_app as create_identity
from sandbox.services.insurance import create_app
from sandbox.services.insurance.store import InsuranceStore
from sandbox.wire import Wire
from tests.conftest import FakeClock
from tests.services.consent_helpers import grant_at

SARI_NIK, SARI_CARD = "9971015403960001", "9999000000035"
"""Active member, class I."""
RINA_NIK, RINA_CARD = "9971024211990001", "9999000000028"
"""Member in arrears (status "2" TIDAK AKTIF - TUNGGAKAN)."""
UNKNOWN_NIK, UNKNOWN_CARD = "9971015403960099", "9999999999999"
DAY = "2024-03-01"
ELIGIBILITY = f"/vclaim-rest/Peserta/nik/{SARI_NIK}/tglSEP/{DAY}"


class Insurer:
    """The insurer mounted on a wire, called as the hospital."""

    def __init__(self, world: dict[str, Any], clock: FakeClock) -> None:
        self.world, self.clock = world, clock
        self.calls: list[Any] = []
        self.wire = Wire(recorder=self.calls.append, clock=clock, partner_ids=partner_ids(world))
        self.seed = seed_for("insurance", world)
        self.app = create_app(ServiceEnv("insurance", self.wire, copy.deepcopy(self.seed)))
        self.wire.mount("insurance", self.app)
        self.creds = world["partners"]["insurance"]["hospital"]
        self.consents: dict[str, str] = {}
        self.client = self.wire.client("hospital", "insurance")
        self.auth = InsuranceAuth(
            self.creds["cons_id"], self.creds["secret"], self.creds["user_key"], clock
        )

    @property
    def store(self) -> InsuranceStore:
        store: InsuranceStore = self.app.state.store
        return store

    def headers(self, **override: str | None) -> dict[str, str]:
        """Headers built by hand, so a test can get one wrong (None drops it)."""
        ts = str(int(self.clock()))
        cons_id = self.creds["cons_id"]
        headers: dict[str, str | None] = {
            "X-cons-id": cons_id,
            "X-timestamp": ts,
            "X-signature": vclaim.signature(cons_id, self.creds["secret"], ts),
            "user_key": self.creds["user_key"],
        }
        headers.update(override)
        return {k: v for k, v in headers.items() if v is not None}


@pytest.fixture
async def insurer(world: dict[str, Any], clock: FakeClock) -> AsyncIterator[Insurer]:
    built = Insurer(world, clock)
    # The real registry on the same wire: each member approved the hospital's consent request;
    # the desk quotes SARI's unless a test says otherwise.
    registry = create_identity(ServiceEnv("identity", built.wire, seed_for("identity", world)))
    built.wire.mount("identity", registry)
    built.consents = {
        nik: await grant_at(built.wire, world, registry, nik)
        for nik in (SARI_NIK, RINA_NIK, UNKNOWN_NIK)
    }
    built.client.headers["X-Consent-Id"] = built.consents[SARI_NIK]
    built.calls.clear()
    yield built
    await built.wire.aclose()


def sep_body(**t_sep: Any) -> dict[str, Any]:
    body = {
        "noKartu": SARI_CARD,
        "tglSep": DAY,
        "ppkPelayanan": "0301R001",
        "jnsPelayanan": "2",
        "klsRawat": {"klsRawatHak": "1"},
        "noMR": "MR-000123",
        "rujukan": {"asalRujukan": "1", "noRujukan": "0301U0010324P000001"},
        "diagAwal": "A09",
        "poli": {"tujuan": "INT"},
        "user": "desk-1",
    }
    body.update(t_sep)
    return {"request": {"t_sep": body}}


async def _insert(insurer: Insurer, **t_sep: Any) -> httpx.Response:
    return await insurer.client.post(
        "/vclaim-rest/SEP/2.0/insert", json=sep_body(**t_sep), auth=insurer.auth
    )


async def _delete(insurer: Insurer, no_sep: str) -> httpx.Response:
    body = {"request": {"t_sep": {"noSep": no_sep, "user": "desk-1"}}}
    return await insurer.client.request(
        "DELETE", "/vclaim-rest/SEP/2.0/delete", json=body, auth=insurer.auth
    )


def _meta(response: httpx.Response) -> tuple[str, str]:
    meta = response.json()["metaData"]
    return meta["code"], meta["message"]


# --- health and signatures -----------------------------------------------------------------------


async def test_health_says_sandbox(insurer: Insurer) -> None:
    response = await insurer.client.get("/health")
    assert response.json() == {
        "status": "ok",
        "service": "insurance",
        "title": "SANDBOX Jaminan Kesehatan",
        "sandbox": True,
    }


def test_signature_is_base64_hmac_of_cons_id_and_timestamp() -> None:
    # Computed independently: base64(HMAC-SHA256("secret", "31001&1709280000")).
    assert vclaim.signature("31001", "secret", "1709280000") == (
        "3xlF4/eAF5huVP+xlHUr8w8yKgqmDbHt7OO4p7a1S/g="
    )
    assert vclaim.matches("abc", "abc")
    assert not vclaim.matches("abc", "abd")
    assert not vclaim.matches("abc", None)


async def test_auth_sends_the_four_headers(insurer: Insurer) -> None:
    response = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert response.status_code == 200
    sent = response.request.headers
    assert sent["X-cons-id"] == "31001"
    assert sent["X-timestamp"] == str(int(insurer.clock()))
    assert sent["user_key"] == insurer.creds["user_key"]
    assert sent["X-signature"] == vclaim.signature(
        "31001", insurer.creds["secret"], sent["X-timestamp"]
    )


@pytest.mark.parametrize("header", ["X-cons-id", "X-timestamp", "X-signature", "user_key"])
async def test_missing_header_is_401_naming_it(insurer: Insurer, header: str) -> None:
    response = await insurer.client.get(ELIGIBILITY, headers=insurer.headers(**{header: None}))
    assert response.status_code == 401
    body = response.json()
    assert body["metaData"]["code"] == "401"
    assert body["code"] == "missing_header"
    assert header in body["message"] and header in body["metaData"]["message"]


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"X-cons-id": "99999"}, "unknown_cons_id"),
        ({"X-signature": "bm90IGEgc2lnbmF0dXJl"}, "invalid_signature"),
        ({"user_key": "0000000000000000000000ff"}, "invalid_user_key"),
        ({"X-timestamp": "yesterday"}, "invalid_timestamp"),
    ],
)
async def test_wrong_header_is_refused(
    insurer: Insurer, override: dict[str, str], code: str
) -> None:
    response = await insurer.client.get(ELIGIBILITY, headers=insurer.headers(**override))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["metaData"]["code"] == "401"


async def test_signature_with_another_secret_is_refused(insurer: Insurer) -> None:
    ts = str(int(insurer.clock()))
    forged = vclaim.signature("31001", "not-the-secret", ts)
    response = await insurer.client.get(
        ELIGIBILITY, headers=insurer.headers(**{"X-timestamp": ts, "X-signature": forged})
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"


@pytest.mark.parametrize("offset", [-301, 301])
async def test_stale_timestamp_is_refused(insurer: Insurer, offset: int) -> None:
    ts = str(int(insurer.clock()) + offset)
    signed = vclaim.signature("31001", insurer.creds["secret"], ts)
    response = await insurer.client.get(
        ELIGIBILITY, headers=insurer.headers(**{"X-timestamp": ts, "X-signature": signed})
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_timestamp"
    assert "300 seconds" in response.json()["message"]


async def test_timestamp_within_five_minutes_is_accepted(insurer: Insurer) -> None:
    ts = str(int(insurer.clock()) - 299)
    signed = vclaim.signature("31001", insurer.creds["secret"], ts)
    response = await insurer.client.get(
        ELIGIBILITY, headers=insurer.headers(**{"X-timestamp": ts, "X-signature": signed})
    )
    assert response.status_code == 200


# --- eligibility ---------------------------------------------------------------------------------


async def test_eligibility_of_active_member_by_nik(insurer: Insurer) -> None:
    response = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["metaData"] == {"code": "200", "message": "OK"}
    assert body["response"]["peserta"] == {
        "noKartu": SARI_CARD,
        "nama": "SARI WULANDARI",
        "sex": "P",
        "hakKelas": {"kode": "1", "keterangan": "KELAS I"},
        "jenisPeserta": {"kode": "14", "keterangan": "PEKERJA PENERIMA UPAH"},
        "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
        "provUmum": {"kdProvider": "0301U001", "nmProvider": "Klinik Pratama Sukamaju"},
    }


async def test_eligibility_by_card_matches_by_nik(insurer: Insurer) -> None:
    by_card = await insurer.client.get(
        f"/vclaim-rest/Peserta/nokartu/{SARI_CARD}/tglSEP/{DAY}", auth=insurer.auth
    )
    by_nik = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert by_card.status_code == 200
    assert by_card.json() == by_nik.json()


async def test_eligibility_of_member_in_arrears_says_not_active(insurer: Insurer) -> None:
    response = await insurer.client.get(
        f"/vclaim-rest/Peserta/nik/{RINA_NIK}/tglSEP/{DAY}",
        auth=insurer.auth,
        headers={"X-Consent-Id": insurer.consents[RINA_NIK]},
    )
    assert response.status_code == 200
    peserta = response.json()["response"]["peserta"]
    assert peserta["noKartu"] == RINA_CARD
    assert peserta["statusPeserta"] == {"kode": "2", "keterangan": "TIDAK AKTIF - TUNGGAKAN"}


@pytest.mark.parametrize(
    "path",
    [
        f"/vclaim-rest/Peserta/nik/{UNKNOWN_NIK}/tglSEP/{DAY}",
        f"/vclaim-rest/Peserta/nokartu/{UNKNOWN_CARD}/tglSEP/{DAY}",
    ],
)
async def test_not_insured_is_http_200_with_code_201(insurer: Insurer, path: str) -> None:
    quoted = {"X-Consent-Id": insurer.consents[UNKNOWN_NIK]}
    response = await insurer.client.get(path, auth=insurer.auth, headers=quoted)
    assert response.status_code == 200
    body = response.json()
    assert body["metaData"] == {"code": "201", "message": "Peserta tidak ditemukan"}
    assert body["response"] is None
    assert body["code"] == "member_not_found"


async def test_eligibility_returns_membership_only(insurer: Insurer) -> None:
    await _insert(insurer)  # a visit with a diagnosis now exists
    response = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert "A09" not in response.text
    assert "diag" not in response.text.lower()
    assert "MR-000123" not in response.text
    assert "nik" not in response.json()["response"]["peserta"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (f"/vclaim-rest/Peserta/nik/12345/tglSEP/{DAY}", "invalid_nik"),
        (f"/vclaim-rest/Peserta/nik/99710154039600AB/tglSEP/{DAY}", "invalid_nik"),
        (f"/vclaim-rest/Peserta/nik/{SARI_NIK}/tglSEP/01-03-2024", "invalid_date"),
        (f"/vclaim-rest/Peserta/nik/{SARI_NIK}/tglSEP/2024-02-30", "invalid_date"),
        (f"/vclaim-rest/Peserta/nokartu/99990000/tglSEP/{DAY}", "invalid_card"),
    ],
)
async def test_malformed_eligibility_is_400(insurer: Insurer, path: str, code: str) -> None:
    response = await insurer.client.get(path, auth=insurer.auth)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["metaData"]["code"] == "400"


# --- SEP -----------------------------------------------------------------------------------------


async def test_insert_sep_for_active_member(insurer: Insurer) -> None:
    response = await _insert(insurer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metaData"] == {"code": "200", "message": "OK"}
    sep = body["response"]["sep"]
    assert sep["noSep"] == "0301R0010324V000001"
    assert sep["tglSep"] == DAY
    assert sep["jnsPelayanan"] == "Rawat Jalan"
    assert sep["kelasRawat"] == "1"
    assert sep["diagnosa"] == "A09"
    assert sep["noRujukan"] == "0301U0010324P000001"
    assert sep["peserta"]["noKartu"] == SARI_CARD
    assert sep["peserta"]["noMr"] == "MR-000123"
    second = await _insert(insurer, jnsPelayanan="1", poli={"tujuan": ""})
    assert second.json()["response"]["sep"]["noSep"] == "0301R0010324V000002"
    assert second.json()["response"]["sep"]["jnsPelayanan"] == "Rawat Inap"


async def test_insert_sep_refused_for_arrears(insurer: Insurer) -> None:
    insurer.client.headers["X-Consent-Id"] = insurer.consents[RINA_NIK]
    response = await _insert(insurer, noKartu=RINA_CARD, klsRawat={"klsRawatHak": "3"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "member_not_active"
    assert body["metaData"]["code"] == "201"
    assert "arrears" in body["message"] and "TUNGGAKAN" in body["message"]
    assert list(insurer.store.db.query("SELECT * FROM seps")) == []


async def test_insert_sep_refused_for_non_member(insurer: Insurer) -> None:
    response = await _insert(insurer, noKartu=UNKNOWN_CARD)
    assert response.status_code == 404
    assert response.json()["code"] == "member_not_found"
    assert response.json()["metaData"]["code"] == "201"


async def test_insert_sep_for_another_facility_is_403(insurer: Insurer) -> None:
    response = await _insert(insurer, ppkPelayanan="0301R002")
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_facility"
    assert "0301R001" in response.json()["message"]


RAISED = {"klsRawatHak": "1", "klsRawatNaik": "2", "pembiayaan": "1", "penanggungJawab": "Pribadi"}
"""Sari (entitled to class 1) asks for a VIP room and pays the difference herself."""


async def test_insert_sep_notes_a_raised_class_and_covers_the_entitled_one(
    insurer: Insurer,
) -> None:
    response = await _insert(insurer, jnsPelayanan="1", poli={"tujuan": ""}, klsRawat=RAISED)
    assert response.status_code == 200, response.text
    sep = response.json()["response"]["sep"]
    assert sep["kelasRawat"] == "1"  # what the insurer covers: the entitlement
    assert sep["klsRawat"] == RAISED
    shown = await insurer.client.get(f"/vclaim-rest/SEP/{sep['noSep']}", auth=insurer.auth)
    assert shown.json()["response"]["sep"]["klsRawat"] == RAISED
    plain = (await _insert(insurer)).json()["response"]["sep"]["klsRawat"]
    assert plain == {
        "klsRawatHak": "1",
        "klsRawatNaik": "",
        "pembiayaan": "",
        "penanggungJawab": "",
    }


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"jnsPelayanan": "2"}, "inpatient"),
        ({"klsRawat": {**RAISED, "klsRawatNaik": "7"}}, "intensive care"),
        ({"klsRawat": {**RAISED, "klsRawatNaik": "3"}}, "not above"),
        ({"klsRawat": {**RAISED, "pembiayaan": ""}}, "who pays"),
        ({"klsRawat": {**RAISED, "penanggungJawab": " "}}, "who pays"),
    ],
)
async def test_a_raised_class_is_a_room_above_the_entitlement_with_a_payer(
    insurer: Insurer, changes: dict[str, Any], said: str
) -> None:
    t_sep = {"jnsPelayanan": "1", "poli": {"tujuan": ""}, "klsRawat": RAISED, **changes}
    response = await _insert(insurer, **t_sep)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["metaData"]["code"]) == ("invalid_upgrade", "201")
    assert said in body["message"]
    assert list(insurer.store.db.query("SELECT * FROM seps")) == []


@pytest.mark.parametrize(
    ("t_sep", "field"),
    [
        ({"jnsPelayanan": "3"}, "jnsPelayanan"),
        ({"diagAwal": "diare"}, "diagAwal"),
        ({"diagAwal": "A9"}, "diagAwal"),
        ({"noKartu": "123"}, "noKartu"),
        ({"noMR": ""}, "noMR"),
        ({"user": "x" * 51}, "user"),
        ({"tglSep": "2024-13-01"}, "tglSep"),
        ({"klsRawat": {"klsRawatHak": "4"}}, "klsRawatHak"),
    ],
)
async def test_insert_sep_validates_fields(
    insurer: Insurer, t_sep: dict[str, Any], field: str
) -> None:
    response = await _insert(insurer, **t_sep)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["metaData"]["code"] == "400"
    assert field in body["message"]
    assert body["code"] in {"invalid_field", "invalid_date"}


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"request": null}', b'{"request": {"t_sep": 5}}', b"{" * 5000],
)
async def test_bad_input_never_5xx(insurer: Insurer, content: bytes) -> None:
    response = await insurer.client.post(
        "/vclaim-rest/SEP/2.0/insert",
        content=content,
        headers={"content-type": "application/json"},
        auth=insurer.auth,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["metaData"]["code"] == "400"
    assert body["code"] and body["message"]


async def test_get_sep_returns_what_was_issued(insurer: Insurer) -> None:
    issued = (await _insert(insurer)).json()["response"]["sep"]
    response = await insurer.client.get(f"/vclaim-rest/SEP/{issued['noSep']}", auth=insurer.auth)
    assert response.status_code == 200
    assert response.json()["response"]["sep"] == issued


async def test_get_unknown_sep_is_404(insurer: Insurer) -> None:
    response = await insurer.client.get("/vclaim-rest/SEP/0301R0010324V999999", auth=insurer.auth)
    assert response.status_code == 404
    assert response.json()["code"] == "sep_not_found"
    assert response.json()["metaData"]["code"] == "201"


async def test_delete_sep_then_it_is_gone_and_number_not_reused(insurer: Insurer) -> None:
    no_sep = (await _insert(insurer)).json()["response"]["sep"]["noSep"]
    response = await _delete(insurer, no_sep)
    assert response.status_code == 200
    assert response.json() == {"metaData": {"code": "200", "message": "OK"}, "response": no_sep}
    gone = await insurer.client.get(f"/vclaim-rest/SEP/{no_sep}", auth=insurer.auth)
    assert gone.status_code == 404
    again = await _delete(insurer, no_sep)
    assert again.status_code == 404
    next_sep = (await _insert(insurer)).json()["response"]["sep"]["noSep"]
    assert next_sep == "0301R0010324V000002"


async def test_another_facility_cannot_read_or_delete_an_sep(
    world: dict[str, Any], clock: FakeClock
) -> None:
    other = {"cons_id": "31002", "secret": "s2", "user_key": "k2", "ppk_code": "0301R002"}
    world = copy.deepcopy(world)
    world["partners"]["insurance"]["clinic"] = other
    insurer = Insurer(world, clock)
    registry = create_identity(ServiceEnv("identity", insurer.wire, seed_for("identity", world)))
    insurer.wire.mount("identity", registry)
    insurer.client.headers["X-Consent-Id"] = await grant_at(insurer.wire, world, registry, SARI_NIK)
    try:
        no_sep = (await _insert(insurer)).json()["response"]["sep"]["noSep"]
        auth = InsuranceAuth("31002", "s2", "k2", clock)
        read = await insurer.client.get(f"/vclaim-rest/SEP/{no_sep}", auth=auth)
        assert read.status_code == 403
        assert read.json()["code"] == "not_your_sep"
        body = {"request": {"t_sep": {"noSep": no_sep, "user": "intruder"}}}
        deleted = await insurer.client.request(
            "DELETE", "/vclaim-rest/SEP/2.0/delete", json=body, auth=auth
        )
        assert deleted.status_code == 403
        mine = await insurer.client.get(f"/vclaim-rest/SEP/{no_sep}", auth=insurer.auth)
        assert mine.status_code == 200
    finally:
        await insurer.wire.aclose()


# --- store ---------------------------------------------------------------------------------------


async def test_reset_restores_the_seed(insurer: Insurer) -> None:
    await _insert(insurer)
    assert insurer.store.set_member_status(SARI_CARD, "2", "TIDAK AKTIF - TUNGGAKAN")
    insurer.store.reset(insurer.seed)
    assert list(insurer.store.db.query("SELECT * FROM seps")) == []
    member = insurer.store.member_by_card(SARI_CARD)
    assert member is not None and member["status_code"] == "0"
    assert insurer.store.db.table("members").count == len(insurer.seed["data"]["members"])
    first = (await _insert(insurer)).json()["response"]["sep"]["noSep"]
    assert first == "0301R0010324V000001"


async def test_calls_are_recorded_with_hospital_as_caller(insurer: Insurer) -> None:
    await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    # The insurer asked the registry whether the quoted consent holds, inside the call.
    assert [(c.caller, c.callee) for c in insurer.calls] == [
        ("insurance", "identity"),
        ("hospital", "insurance"),
    ]


# --- consent quoted by the desk (X-Consent-Id), checked at the registry -------------------------


@pytest.mark.parametrize(
    ("quoted", "code"),
    [(None, "consent_missing"), ("CNS-20240301-999999", "consent_not_found")],
)
async def test_eligibility_needs_the_members_consent(
    insurer: Insurer, quoted: str | None, code: str
) -> None:
    if quoted is None:
        del insurer.client.headers["X-Consent-Id"]
    else:
        insurer.client.headers["X-Consent-Id"] = quoted
    response = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert response.status_code == 403, response.text
    assert (response.json()["code"], response.json()["metaData"]["code"]) == (code, "403")


async def test_another_members_consent_does_not_cover_an_sep(insurer: Insurer) -> None:
    insurer.client.headers["X-Consent-Id"] = insurer.consents[RINA_NIK]
    response = await _insert(insurer)  # SARI's card
    assert response.status_code == 403 and response.json()["code"] == "consent_nik_mismatch"
    assert list(insurer.store.db.query("SELECT * FROM seps")) == []


async def test_a_revoked_consent_stops_the_insurer(insurer: Insurer) -> None:
    registry = insurer.wire._apps["identity"].state.store
    registry.people.revoke(insurer.consents[SARI_NIK], SARI_NIK, insurer.clock())
    response = await insurer.client.get(ELIGIBILITY, auth=insurer.auth)
    assert response.status_code == 403 and response.json()["code"] == "consent_revoked"
