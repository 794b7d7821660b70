"""Every rule passes on real stories and fails, naming the call, on a crafted trace."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sandbox.audit.checks import CHECKS, FAIL, NA, PASS, AuditContext
from sandbox.audit.engine import run_audit
from sandbox.audit.history import default_record
from sandbox.audit.records import AuditRecord, fingerprint
from sandbox.audit.rules import RuleError, load_rulesets, parse_ruleset
from sandbox.scenarios import admission, checkout, open_account
from sandbox.trace.events import HttpCall
from tests.audit.conftest import LOCAL, NAMES, call, check
from tests.conftest import Services

SIGNED_SNAP = (("x-signature", "[redacted]"), ("x-external-id", "1"))


@pytest.fixture
async def story_calls(services: Services) -> list[HttpCall]:
    """The recorded calls of both checkouts, an account opening and a hospital admission."""
    await checkout(services.wire, services.world, lambda _: None, phone=services.phone)
    await checkout(services.wire, services.world, lambda _: None, pay="va")
    for story in (open_account, admission):
        await story(services.wire, services.world, lambda _: None)
    await services.settle()
    return list(services.calls)


def test_rule_files_are_teacher_readable_and_cover_every_kind() -> None:
    rules = [r for s in load_rulesets() for r in s.rules]
    assert {s.id for s in load_rulesets()} == {"commerce", "privacy", "platform"}
    assert {r.kind for r in rules} == set(CHECKS)
    assert {
        "SOC-PAY",
        "SOC-DATA",
        "ID-FLAGS",
        "CONSENT",
        "IDEMPOTENT",
        "SIGNED",
        "WEBHOOK-ACK",
        "LOCAL-ONLY",
        "RE-AUDIT",
    } <= {r.id for r in rules}
    assert all(len(r.why) > 60 and "\n" not in r.why for r in rules)
    assert "Permendag 31/2023 Art. 21(3)" in next(r.why for r in rules if r.id == "SOC-PAY")
    assert "UU PDP 27/2022" in next(r.why for r in rules if r.id == "CONSENT")


def test_every_rule_and_set_reads_in_indonesian_too() -> None:
    for ruleset in load_rulesets():
        assert ruleset.title_in("id") != ruleset.title
        for rule in ruleset.rules:
            assert rule.title_in("id") != rule.title, rule.id
            assert len(rule.why_in("id")) > 60 and "\n" not in rule.why_in("id"), rule.id
            assert rule.title_in("fr") == rule.title and rule.why_in("fr") == rule.why


def _one_rule(**extra: object) -> dict[str, object]:
    rule = {"id": "X-1", "title": "t", "kind": "forbidden_edge", "why": "because"}
    return {"id": "x", "rules": [{**rule, **extra}]}


def test_a_leaked_nik_is_named_in_the_audits_language() -> None:
    leak = call(
        "bad1",
        "marketplace",
        "social",
        "POST",
        "/webhooks/marketplace",
        200,
        body='{"nik": "9971015403960001"}',
    )
    context = AuditContext(NAMES, default_record(), LOCAL, lang="id")
    result = check("SOC-DATA", [leak], context)
    assert result.verdict == FAIL and "NIK terlihat oleh social" in result.reason
    assert "a NIK seen by social" in check("SOC-DATA", [leak]).reason


def test_a_translation_must_be_complete_and_hold_only_texts() -> None:
    with pytest.raises(RuleError, match="translation 'id' lacks why"):
        parse_ruleset(_one_rule(translations={"id": {"title": "judul"}}))
    with pytest.raises(RuleError, match="translation 'id' has unknown kind"):
        parse_ruleset(_one_rule(translations={"id": {"title": "a", "why": "b", "kind": "c"}}))
    with pytest.raises(RuleError, match="must be a table of languages"):
        parse_ruleset(_one_rule(translations="id"))
    ruleset = parse_ruleset(_one_rule(translations={"id": {"title": "judul", "why": "  a\n b "}}))
    assert ruleset.rules[0].title_in("id") == "judul" and ruleset.rules[0].why_in("id") == "a b"


def test_a_rule_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(RuleError, match="unknown kind"):
        parse_ruleset(
            {"id": "x", "rules": [{"id": "X-1", "title": "t", "kind": "nope", "why": "because"}]}
        )


async def test_every_rule_passes_on_the_real_stories(story_calls: list[HttpCall]) -> None:
    report = run_audit(story_calls, NAMES, default_record(), LOCAL)
    verdicts = {r.rule.id: (r.verdict, r.reason) for r in report.results}
    assert all(v == PASS for v, _ in verdicts.values()), verdicts
    assert {r.rule.kind for r in report.results} == set(CHECKS)
    assert report.passed and report.traces == 4


async def test_a_fresh_sandbox_audits_clean() -> None:
    report = run_audit([], NAMES, default_record(), {})
    assert report.passed
    assert {r.verdict for r in report.results} <= {PASS, NA}


def test_social_calling_the_bank_fails_soc_pay() -> None:
    calls = [
        call("ok1", "social", "marketplace", "GET", "/api/v2/fs/7001/products?sign=x"),
        call("bad1", "social", "bank", "GET", "/mobile/v1/accounts/me"),
    ]
    result = check("SOC-PAY", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1",)
    assert "social -> bank GET /mobile/v1/accounts/me" in result.reason


def test_an_unverified_call_claiming_to_be_social_is_named_not_blamed() -> None:
    """A curl that said it was the social app (or showed its key) did not make social call
    the bank: SOC-PAY passes, and says an unverified caller tried."""
    forged = dataclasses.replace(
        call("fake1", "external", "bank", "POST", "/v1.0/transfer-va/status"),
        claimed_caller="social",
    )
    result = check("SOC-PAY", [call("ok1", "social", "marketplace", "GET", "/p"), forged])
    assert result.verdict == PASS and result.evidence == ()
    assert "1 unverified call claiming to be social not counted" in result.reason
    assert "external (claims to be social) -> bank POST" in result.reason
    ctx = AuditContext(services=NAMES, record=default_record(), urls=LOCAL, lang="id")
    indonesian = check("SOC-PAY", [forged], ctx)
    assert "external (mengaku sebagai social) -> bank" in indonesian.reason


@pytest.mark.parametrize(
    "body",
    [
        '{"buyer_nik":"************0001"}',
        '{"buyer_nik":"3201010101010001"}',
        '{"account":"9900000001"}',
        '{"balance":2500000}',
    ],
)
def test_personal_data_reaching_social_fails_soc_data(body: str) -> None:
    calls = [
        call(
            "ok1",
            "buyer",
            "social",
            "POST",
            "/api/v1/videos/1/buy",
            body='{"product_id":100101}',
            response='{"order_id":"240301000001"}',
        ),
        call("bad1", "marketplace", "social", "POST", "/webhooks/marketplace", body=body),
        call("other", "bank", "identity", "POST", "/v1/verify", body='{"nik":"************0001"}'),
    ]
    result = check("SOC-DATA", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1",), result.reason


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/fs/7001/products?ids=100101&nonce=a9912345678b3c4d&sign=[redacted]",
        "/api/v2/fs/7001/products?ids=100101&nonce=f3201234567890123e",
    ],
)
def test_digits_inside_a_random_token_are_not_personal_data(path: str) -> None:
    """A nonce may hold ten digits starting 99, or sixteen digits, between its letters: that
    is not an account number or a NIK reaching the social app."""
    calls = [call("ok1", "social", "marketplace", "GET", path, response='{"products":[]}')]
    result = check("SOC-DATA", calls)
    assert result.verdict == PASS, result.reason


def test_a_balance_in_a_response_to_social_fails_soc_data() -> None:
    calls = [
        call(
            "bad1",
            "social",
            "marketplace",
            "GET",
            "/api/v2/fs/7001/orders/1",
            response='{"status":"PAID","balance_after":100}',
        )
    ]
    result = check("SOC-DATA", calls)
    assert result.verdict == FAIL and "balance_after" in result.reason


VERIFY_OK = json.dumps(
    {
        "verification_id": "VRF-1",
        "nik_last4": "0001",
        "found": True,
        "reason": None,
        "fields": {"nama_lgkp": "SESUAI", "alamat": "TIDAK SESUAI"},
        "name_score": 90,
        "threshold": 80,
        "purpose": "ACCOUNT_OPENING",
        "consent_id": "CNS-1",
    }
)


@pytest.mark.parametrize(
    "response",
    [
        json.dumps({"verification_id": "VRF-2", "fields": {"nama_lgkp": "DEWI LESTARI"}}),
        json.dumps({"verification_id": "VRF-2", "fields": {}, "alamat": "Jl. Pantai Indah No. 21"}),
    ],
)
def test_a_stored_value_in_a_verify_response_fails_id_flags(response: str) -> None:
    calls = [
        call("ok1", "bank", "identity", "POST", "/v1/verify", response=VERIFY_OK),
        call("bad1", "hospital", "identity", "POST", "/v1/verify", response=response),
    ]
    result = check("ID-FLAGS", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1",), result.reason


APPROVED = json.dumps(
    {
        "consent_id": "CNS-1",
        "status": "ACTIVE",
        "partner": "hospital",
        "purpose": "PATIENT_ADMISSION",
        "scopes": ["identity_verification", "health_records", "insurance_eligibility"],
        "nik_last4": "0001",
        "granted_at": "2024-03-01T15:00:00+07:00",
        "expires_at": "2024-03-02T15:00:00+07:00",
    }
)
APPROVE = "/ikd/v1/consent-requests/CRQ-1/approve"


def _approval(status: int = 201) -> HttpCall:
    approval = call("ikd1", "patient", "identity", "POST", APPROVE, response=APPROVED)
    return dataclasses.replace(approval, status=status, started_at=1709280000.0)


def _use(
    span: str, callee: str, path: str, at: float, consent: str = "CNS-1", **kw: str
) -> HttpCall:
    body = kw.pop("body", "")
    made = call(
        span, kw.pop("caller", "hospital"), callee, kw.pop("method", "GET"), path, body=body
    )
    headers = () if callee == "identity" or not consent else (("x-consent-id", consent),)
    return dataclasses.replace(made, started_at=at, request_headers=headers, status=200)


def test_calls_under_the_persons_consent_pass_consent() -> None:
    calls = [
        _approval(),
        _use(
            "v1",
            "identity",
            "/v1/verify",
            1709280001.0,
            method="POST",
            body='{"consent_id":"CNS-1","purpose":"PATIENT_ADMISSION"}',
        ),
        _use("r1", "records", "/fhir-r4/v1/Patient", 1709280002.0),
        _use("i1", "insurance", "/vclaim-rest/Peserta/nik/x/tglSEP/2024-03-01", 1709280003.0),
    ]
    result = check("CONSENT", calls)
    assert result.verdict == PASS, result.reason


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (
            _use("bad", "records", "/fhir-r4/v1/Patient", 1709280002.0, consent=""),
            "without a consent",
        ),
        (
            _use("bad", "records", "/fhir-r4/v1/Patient", 1709280002.0, consent="CNS-9"),
            "no consent",
        ),
        (_use("bad", "insurance", "/vclaim-rest/SEP/x", 1709366401.0), "expired"),
        (
            _use("bad", "records", "/fhir-r4/v1/Patient", 1709280002.0, caller="marketplace"),
            "given to hospital",
        ),
        (
            _use(
                "bad",
                "identity",
                "/v1/verify",
                1709280002.0,
                method="POST",
                body='{"consent_id":"CNS-1","purpose":"SELLER_KYC"}',
                caller="hospital",
            ),
            "not SELLER_KYC",
        ),
    ],
)
def test_a_call_without_the_persons_consent_fails_consent_naming_it(
    bad: HttpCall, said: str
) -> None:
    result = check("CONSENT", [_approval(), bad])
    assert result.verdict == FAIL and result.evidence == ("bad",), result.reason
    assert said in result.reason and "(span bad)" in result.reason


def test_a_call_after_she_revoked_fails_and_a_refused_one_does_not() -> None:
    revoke = dataclasses.replace(
        call("rev", "patient", "identity", "DELETE", "/ikd/v1/consents/CNS-1"),
        status=200,
        started_at=1709280005.0,
    )
    before = _use("ok", "records", "/fhir-r4/v1/Patient", 1709280004.0)
    after = _use("bad", "records", "/fhir-r4/v1/Condition", 1709280006.0, method="POST")
    refused = dataclasses.replace(
        _use("no", "records", "/fhir-r4/v1/Encounter", 1709280007.0), status=403
    )
    result = check("CONSENT", [_approval(), before, revoke, after, refused])
    assert result.verdict == FAIL and result.evidence == ("bad",)
    assert "revoked" in result.reason


def test_a_partner_asserted_consent_is_no_consent() -> None:
    asserted = dataclasses.replace(
        call(
            "old",
            "hospital",
            "identity",
            "POST",
            "/v1/consents",
            response='{"consent_id":"CNS-7","partner":"hospital"}',
        ),
        status=201,
    )
    verify = _use(
        "bad",
        "identity",
        "/v1/verify",
        1709280002.0,
        method="POST",
        body='{"consent_id":"CNS-7","purpose":"PATIENT_ADMISSION"}',
    )
    assert check("CONSENT", [asserted, verify]).evidence == ("bad",)


def test_a_payment_without_idempotency_key_fails_idempotent() -> None:
    calls = [
        call(
            "ok1",
            "buyer",
            "bank",
            "POST",
            "/mobile/v1/va-payments",
            201,
            headers=(("Idempotency-Key", "k1"),),
        ),
        call("bad1", "buyer", "bank", "POST", "/mobile/v1/va-payments", 201),
        call(
            "ok2", "marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", headers=SIGNED_SNAP
        ),
        call(
            "bad2",
            "marketplace",
            "bank",
            "POST",
            "/v1.0/transfer-va/create-va",
            headers=(("x-signature", "[redacted]"),),
        ),
        call("na", "buyer", "bank", "GET", "/mobile/v1/accounts/me"),
    ]
    result = check("IDEMPOTENT", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1", "bad2")
    assert "Idempotency-Key" in result.reason


def test_counted_calls_take_their_plural_form_in_each_language() -> None:
    paid = call(
        "p1",
        "buyer",
        "bank",
        "POST",
        "/mobile/v1/va-payments",
        201,
        headers=(("Idempotency-Key", "k1"),),
    )
    assert check("IDEMPOTENT", [paid]).reason == "1 payment call checked"
    assert check("IDEMPOTENT", [paid, paid]).reason == "2 payment calls checked"
    shop = call("s1", "social", "marketplace", "GET", "/api/v2/fs/7001/products")
    assert check("SOC-PAY", [shop]).reason == "the only call does not go social -> bank"
    indonesian = AuditContext(NAMES, default_record(), LOCAL, lang="id")
    assert check("IDEMPOTENT", [paid], indonesian).reason == "1 panggilan pembayaran diperiksa"
    assert check("IDEMPOTENT", [paid, paid], indonesian).reason == (
        "2 panggilan pembayaran diperiksa"
    )


def test_an_unsigned_partner_call_fails_signed() -> None:
    calls = [
        call(
            "ok1", "marketplace", "bank", "POST", "/v1.0/transfer-va/create-va", headers=SIGNED_SNAP
        ),
        call("bad1", "social", "marketplace", "GET", "/api/v2/fs/7001/products?ids=1"),
        call(
            "bad2",
            "hospital",
            "insurance",
            "GET",
            "/vclaim-rest/Peserta/nik/x",
            headers=(("x-cons-id", "1"),),
        ),
        call("persona", "buyer", "bank", "GET", "/mobile/v1/accounts/me"),
    ]
    result = check("SIGNED", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1", "bad2")
    assert "sign" in result.reason


def test_an_unacknowledged_webhook_fails_webhook_ack() -> None:
    late = '{"notification_id":"ntf_2"}'
    calls = [
        call(
            "try1",
            "marketplace",
            "social",
            "POST",
            "/webhooks/marketplace",
            500,
            body='{"notification_id":"ntf_1"}',
        ),
        call(
            "try2",
            "marketplace",
            "social",
            "POST",
            "/webhooks/marketplace",
            200,
            body='{"notification_id":"ntf_1"}',
            trace="b" * 32,
        ),
        call("bad1", "bank", "marketplace", "POST", "/v1.0/transfer-va/payment", 500, body=late),
        call("bad2", "bank", "marketplace", "POST", "/v1.0/transfer-va/payment", 503, body=late),
    ]
    result = check("WEBHOOK-ACK", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1", "bad2")
    assert "500" in result.reason


def test_an_unacknowledged_courier_webhook_fails_webhook_ack() -> None:
    pickup = '{"type":"SHIPMENT_REQUEST","notification_id":"ntf_9"}'
    calls = [
        call("c1", "marketplace", "kirim-cepat", "POST", "/webhooks/marketplace", 500, body=pickup),
        call("c2", "marketplace", "kirim-cepat", "POST", "/webhooks/marketplace", 502, body=pickup),
    ]
    result = check("WEBHOOK-ACK", calls)
    assert result.verdict == FAIL and result.evidence == ("c1", "c2")
    calls.append(
        call("c3", "marketplace", "kirim-cepat", "POST", "/webhooks/marketplace", 200, body=pickup)
    )
    assert check("WEBHOOK-ACK", calls).verdict == PASS


def test_a_service_on_all_interfaces_fails_local_only() -> None:
    urls = dict(LOCAL, bank="http://0.0.0.0:8003")
    result = check("LOCAL-ONLY", [], AuditContext(NAMES, default_record(), urls))
    assert result.verdict == FAIL and result.evidence == ("bank",)
    assert "0.0.0.0" in result.reason
    assert check("LOCAL-ONLY", [], AuditContext(NAMES, default_record(), {})).verdict == NA


def test_a_service_added_after_the_audit_fails_re_audit() -> None:
    services = (*NAMES, "pharmacy")
    result = check("RE-AUDIT", [], AuditContext(services, default_record(), LOCAL))
    assert result.verdict == FAIL and result.evidence == ("pharmacy",)
    assert "pharmacy" in result.reason
    newer = AuditRecord("2024-03-02T00:00:00+00:00", services, ("platform",), fingerprint(services))
    assert check("RE-AUDIT", [], AuditContext(services, newer, LOCAL)).verdict == PASS
    assert check("RE-AUDIT", [], AuditContext(services, None, LOCAL)).verdict == FAIL


def test_evidence_is_cut_at_ten_span_ids() -> None:
    calls = [call(f"s{i}", "social", "bank", "GET", "/x") for i in range(15)]
    report = run_audit(calls, NAMES, default_record(), LOCAL)
    soc = next(r for r in report.results if r.rule.id == "SOC-PAY")
    assert soc.evidence == tuple(f"s{i}" for i in range(10)) and soc.total == 15
    assert not report.passed


def test_a_diagnosis_reaching_the_bank_fails_minimize() -> None:
    calls = [
        call(
            "ok1", "hospital", "records", "POST", "/fhir-r4/v1/Condition", body='{"icd10":"J06.9"}'
        ),
        call(
            "bad1",
            "hospital",
            "bank",
            "POST",
            "/v1.0/transfer-va/create-va",
            body='{"diagAwal":"J06.9"}',
        ),
    ]
    result = check("MINIMIZE", calls)
    assert result.verdict == FAIL and result.evidence == ("bad1",)


def test_recording_an_audit_is_what_re_audits_a_new_service(story_calls: list[HttpCall]) -> None:
    services = (*NAMES, "courier")
    report = run_audit(story_calls, services, default_record(), LOCAL)
    assert [r.rule.id for r in report.failed] == ["RE-AUDIT"]
    assert not report.passed and report.recordable  # only the record itself is missing
    again = run_audit(story_calls, services, report.to_record(), LOCAL)
    assert again.passed


def test_an_audit_with_another_failure_is_not_recorded() -> None:
    leak = call("s1", "social", "bank", "POST", "/v1.0/transfer-va/create-va")
    report = run_audit([leak], NAMES, default_record(), LOCAL)
    assert not report.recordable
    with pytest.raises(ValueError, match="SOC-PAY"):
        report.to_record()
