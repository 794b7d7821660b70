"""The bank's SNAP side: B2B token, transaction checks, create / status / delete VA."""

from __future__ import annotations

import json
from typing import Any

import httpx

from sandbox.dialects import snap
from sandbox.dialects.common import timestamp
from tests.conftest import Services

TOKEN_PATH = "/v1.0/access-token/b2b"
CREATE, STATUS, DELETE = (
    "/v1.0/transfer-va/create-va",
    "/v1.0/transfer-va/status",
    "/v1.0/transfer-va/delete-va",
)
PREFIX = "   88001"


def creds(services: Services) -> dict[str, Any]:
    return dict(services.world["partners"]["bank"]["marketplace"])


def va_body(
    customer_no: str = "100000123",
    amount: str = "185000.00",
    expired: str = "2024-03-02T15:00:00+07:00",
) -> dict[str, Any]:
    return {
        "partnerServiceId": PREFIX,
        "customerNo": customer_no,
        "virtualAccountNo": PREFIX + customer_no,
        "virtualAccountName": "SARI WULANDARI",
        "trxId": f"ORD-{customer_no}",
        "totalAmount": {"value": amount, "currency": "IDR"},
        "expiredDate": expired,
        "additionalInfo": {"channel": "checkout"},
    }


def ref(body: dict[str, Any], *extra: str) -> dict[str, Any]:
    keys = ("partnerServiceId", "customerNo", "virtualAccountNo", *extra)
    return {k: body[k] for k in keys}


class Partner:
    """The marketplace's SNAP calls, with SnapAuth or hand-made headers."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.client = services.client("bank", "marketplace")
        self.auth = services.auth("bank", "marketplace")
        self.creds = creds(services)

    async def call(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.request(method, path, json=body, auth=self.auth)

    async def token(self) -> str:
        ts = timestamp(self.services.clock())
        response = await self.client.post(
            TOKEN_PATH, json={"grantType": "client_credentials"}, headers=self.token_headers(ts)
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["accessToken"]
        return token

    def token_headers(
        self, ts: str, key: str | None = None, secret: str | None = None
    ) -> dict[str, str]:
        key = key or self.creds["client_key"]
        return {
            "X-TIMESTAMP": ts,
            "X-CLIENT-KEY": key,
            "X-SIGNATURE": snap.token_signature(key, secret or self.creds["client_secret"], ts),
        }

    async def signed(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        token: str,
        external_id: str = "1234567890",
        **overrides: str | None,
    ) -> httpx.Response:
        """A transaction signed by hand; `overrides` replace (or with None, drop) headers."""
        raw = json.dumps(body).encode()
        ts = timestamp(self.services.clock())
        headers: dict[str, str | None] = {
            "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": ts,
            "X-PARTNER-ID": self.creds["partner_id"],
            "X-EXTERNAL-ID": external_id,
            "CHANNEL-ID": self.creds["channel_id"],
            "content-type": "application/json",
            "X-SIGNATURE": snap.transaction_signature(
                self.creds["client_secret"], method, path, token, raw, ts
            ),
        }
        headers.update({k.replace("_", "-"): v for k, v in overrides.items()})
        sent = {k: v for k, v in headers.items() if v is not None}
        return await self.client.request(method, path, content=raw, headers=sent)


def code(response: httpx.Response) -> str:
    return str(response.json()["responseCode"])


# -- token -------------------------------------------------------------------------------------


async def test_token_ok(services: Services) -> None:
    partner = Partner(services)
    response = await partner.client.post(
        TOKEN_PATH,
        json={"grantType": "client_credentials"},
        headers=partner.token_headers(timestamp(services.clock())),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["responseCode"] == "2007300"
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == "900"
    assert len(body["accessToken"]) >= 32


async def test_token_bad_signature(services: Services) -> None:
    partner = Partner(services)
    headers = partner.token_headers(timestamp(services.clock()), secret="not-the-secret")
    response = await partner.client.post(
        TOKEN_PATH, json={"grantType": "client_credentials"}, headers=headers
    )
    assert response.status_code == 401
    assert code(response) == "4017300"
    assert response.json()["responseMessage"] == "Unauthorized. Signature"
    assert response.json()["code"] == "invalid_signature"


async def test_token_unknown_client_key(services: Services) -> None:
    partner = Partner(services)
    headers = partner.token_headers(timestamp(services.clock()), key="STRANGER")
    response = await partner.client.post(
        TOKEN_PATH, json={"grantType": "client_credentials"}, headers=headers
    )
    assert response.status_code == 401
    assert code(response) == "4017300"
    assert "X-CLIENT-KEY" in response.json()["message"]


async def test_token_stale_timestamp(services: Services) -> None:
    partner = Partner(services)
    headers = partner.token_headers(timestamp(services.clock() - 301))
    response = await partner.client.post(
        TOKEN_PATH, json={"grantType": "client_credentials"}, headers=headers
    )
    assert response.status_code == 401
    assert code(response) == "4017300"
    assert response.json()["code"] == "stale_timestamp"


async def test_token_missing_timestamp_and_wrong_grant(services: Services) -> None:
    partner = Partner(services)
    response = await partner.client.post(
        TOKEN_PATH,
        json={"grantType": "client_credentials"},
        headers={"X-CLIENT-KEY": "PASARLOKA-SNAP"},
    )
    assert code(response) == "4007302"
    assert response.json()["responseMessage"] == "Invalid Mandatory Field X-TIMESTAMP"
    headers = partner.token_headers(timestamp(services.clock()))
    response = await partner.client.post(
        TOKEN_PATH, json={"grantType": "password"}, headers=headers
    )
    assert response.status_code == 400
    assert code(response) == "4007301"
    response = await partner.client.post(TOKEN_PATH, json={}, headers=headers)
    assert code(response) == "4007302"
    assert response.json()["responseMessage"] == "Invalid Mandatory Field grantType"


# -- transaction checks ------------------------------------------------------------------------


async def test_transaction_with_hand_signed_headers_succeeds(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    response = await partner.signed("POST", CREATE, va_body(), token)
    assert response.status_code == 200, response.text
    assert code(response) == "2002700"


async def test_missing_or_wrong_signature_is_refused(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    missing = await partner.signed("POST", CREATE, va_body(), token, X_SIGNATURE=None)
    wrong = await partner.signed("POST", CREATE, va_body(), token, X_SIGNATURE="AAAA")
    for response in (missing, wrong):
        assert response.status_code == 401
        assert code(response) == "4012700"
        assert response.json()["responseMessage"] == "Unauthorized. Signature"
    status = await partner.call("POST", STATUS, {**ref(va_body()), "inquiryRequestId": "1"})
    assert status.status_code == 404  # nothing was created


async def test_body_tampered_after_signing_is_refused(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    raw = json.dumps(va_body()).encode()
    ts = timestamp(services.clock())
    signature = snap.transaction_signature(
        partner.creds["client_secret"], "POST", CREATE, token, raw, ts
    )
    tampered = raw.replace(b"185000.00", b"1.00")
    response = await partner.client.post(
        CREATE,
        content=tampered,
        headers={
            "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": signature,
            "X-PARTNER-ID": "88001",
            "X-EXTERNAL-ID": "55",
            "CHANNEL-ID": "95221",
            "content-type": "application/json",
        },
    )
    assert response.status_code == 401
    assert code(response) == "4012700"


async def test_missing_bearer_or_unknown_token(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    no_bearer = await partner.signed("POST", CREATE, va_body(), token, Authorization=None)
    unknown = await partner.signed("POST", CREATE, va_body(), "made-up-token")
    for response in (no_bearer, unknown):
        assert response.status_code == 401
        assert code(response) == "4012701"
        assert response.json()["responseMessage"] == "Invalid Token (B2B)"


async def test_expired_token_is_refused(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    services.clock.advance(901)
    response = await partner.signed("POST", CREATE, va_body(), token)
    assert response.status_code == 401
    assert code(response) == "4012701"
    assert response.json()["code"] == "invalid_token"


async def test_snap_auth_refreshes_an_expired_token(services: Services) -> None:
    partner = Partner(services)
    assert (await partner.call("POST", CREATE, va_body("1"))).status_code == 200
    services.clock.advance(901)
    assert (await partner.call("POST", CREATE, va_body("2"))).status_code == 200


async def test_stale_transaction_timestamp_is_refused(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    raw = json.dumps(va_body()).encode()
    old = timestamp(services.clock() - 600)
    response = await partner.client.post(
        CREATE,
        content=raw,
        headers={
            "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": old,
            "X-PARTNER-ID": "88001",
            "X-EXTERNAL-ID": "77",
            "CHANNEL-ID": "95221",
            "content-type": "application/json",
            "X-SIGNATURE": snap.transaction_signature(
                partner.creds["client_secret"], "POST", CREATE, token, raw, old
            ),
        },
    )
    assert response.status_code == 401
    assert code(response) == "4012700"
    assert response.json()["code"] == "stale_timestamp"


async def test_header_formats_are_checked(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    cases: dict[str, str | None] = {"4002702": None, "4002701": "12ab"}
    for expected, value in cases.items():
        response = await partner.signed("POST", CREATE, va_body(), token, X_EXTERNAL_ID=value)
        assert code(response) == expected, response.text
        assert "X-EXTERNAL-ID" in response.json()["responseMessage"]
    long_id = await partner.signed("POST", CREATE, va_body(), token, external_id="1" * 37)
    assert code(long_id) == "4002701"
    channel = await partner.signed("POST", CREATE, va_body(), token, CHANNEL_ID="952")
    assert code(channel) == "4002701"
    assert channel.json()["responseMessage"] == "Invalid Field Format CHANNEL-ID"
    other_partner = await partner.signed("POST", CREATE, va_body(), token, X_PARTNER_ID="99999")
    assert other_partner.status_code == 401
    assert code(other_partner) == "4012700"


async def test_duplicate_external_id_is_a_conflict_without_effect(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    first = await partner.signed("POST", CREATE, va_body("111"), token, external_id="42")
    assert first.status_code == 200
    second = await partner.signed("POST", CREATE, va_body("222"), token, external_id="42")
    assert second.status_code == 409
    assert code(second) == "4092700"
    assert second.json()["responseMessage"] == "Conflict"
    missing = await partner.call("POST", STATUS, {**ref(va_body("222")), "inquiryRequestId": "1"})
    assert missing.status_code == 404  # the second VA was never created
    services.clock.advance(24 * 3600)  # a new day in Jakarta: the id may be used again
    token = await partner.token()
    later = va_body("222", expired="2024-03-09T15:00:00+07:00")
    again = await partner.signed("POST", CREATE, later, token, external_id="42")
    assert again.status_code == 200


async def test_failed_request_does_not_use_up_its_external_id(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    bad = await partner.signed("POST", CREATE, va_body(amount="0.00"), token, external_id="7")
    assert bad.status_code == 400
    good = await partner.signed("POST", CREATE, va_body(), token, external_id="7")
    assert good.status_code == 200


# -- create VA ---------------------------------------------------------------------------------


async def test_create_va_ok(services: Services) -> None:
    response = await Partner(services).call("POST", CREATE, va_body())
    assert response.status_code == 200
    body = response.json()
    assert body["responseCode"] == "2002700"
    assert body["responseMessage"] == "Successful"
    data = body["virtualAccountData"]
    assert data["virtualAccountNo"] == "   88001100000123"
    assert data["totalAmount"] == {"value": "185000.00", "currency": "IDR"}
    assert data["trxId"] == "ORD-100000123"
    assert data["additionalInfo"] == {"channel": "checkout"}


async def test_create_va_refuses_bad_fields(services: Services) -> None:
    partner = Partner(services)
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {**va_body(), "partnerServiceId": "   99999", "virtualAccountNo": "   99999100000123"},
            "4002701",
            "partnerServiceId",
        ),
        ({**va_body(), "virtualAccountNo": "88001100000123"}, "4002701", "virtualAccountNo"),
        (va_body(amount="185000.50"), "4002701", "totalAmount.value"),
        (va_body(amount="0.00"), "4002701", "totalAmount.value"),
        (
            {**va_body(), "totalAmount": {"value": "185000.00", "currency": "USD"}},
            "4002701",
            "totalAmount.currency",
        ),
        (va_body(expired="2024-03-02 15:00"), "4002701", "expiredDate"),
        (va_body(expired="2024-03-01T14:00:00+07:00"), "4002701", "expiredDate"),
        (
            {**va_body(), "customerNo": "12ab", "virtualAccountNo": PREFIX + "12ab"},
            "4002701",
            "customerNo",
        ),
        ({k: v for k, v in va_body().items() if k != "trxId"}, "4002702", "trxId"),
        ({k: v for k, v in va_body().items() if k != "totalAmount"}, "4002702", "totalAmount"),
    ]
    for body, expected, field in cases:
        response = await partner.call("POST", CREATE, body)
        assert response.status_code == 400, (field, response.text)
        assert code(response) == expected, (field, response.text)
        assert field in response.json()["responseMessage"], response.text
        assert response.json()["message"]


async def test_create_va_twice_is_a_duplicate(services: Services) -> None:
    partner = Partner(services)
    assert (await partner.call("POST", CREATE, va_body())).status_code == 200
    again = await partner.call("POST", CREATE, va_body())
    assert again.status_code == 409
    assert code(again) == "4092701"


async def test_snap_body_that_is_not_json(services: Services) -> None:
    partner = Partner(services)
    token = await partner.token()
    response = await partner.client.post(
        CREATE,
        content=b"{not json",
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_json", "invalid_field_format")


# -- status and delete -------------------------------------------------------------------------


async def test_status_of_unpaid_and_expired_va(services: Services) -> None:
    partner = Partner(services)
    await partner.call("POST", CREATE, va_body())
    query = {**ref(va_body()), "inquiryRequestId": "INQ-1"}
    unpaid = await partner.call("POST", STATUS, query)
    assert unpaid.status_code == 200
    assert code(unpaid) == "2002600"
    assert unpaid.json()["virtualAccountData"]["paymentFlagStatus"] == "01"
    assert "paidAmount" not in unpaid.json()["virtualAccountData"]
    services.clock.advance(25 * 3600)
    expired = await partner.call("POST", STATUS, query)
    assert expired.json()["virtualAccountData"]["paymentFlagStatus"] == "02"


async def test_status_of_unknown_va(services: Services) -> None:
    response = await Partner(services).call(
        "POST", STATUS, {**ref(va_body("999")), "inquiryRequestId": "INQ-1"}
    )
    assert response.status_code == 404
    assert code(response) == "4042612"
    assert response.json()["responseMessage"] == "Invalid Bill/Virtual Account"


async def test_delete_va_then_status_and_delete_again(services: Services) -> None:
    partner = Partner(services)
    await partner.call("POST", CREATE, va_body())
    deleted = await partner.call("DELETE", DELETE, ref(va_body(), "trxId"))
    assert deleted.status_code == 200
    assert code(deleted) == "2003100"
    status = await partner.call("POST", STATUS, {**ref(va_body()), "inquiryRequestId": "2"})
    assert status.json()["virtualAccountData"]["paymentFlagStatus"] == "02"
    again = await partner.call("DELETE", DELETE, ref(va_body(), "trxId"))
    assert again.status_code == 404
    assert code(again) == "4043112"


async def test_delete_va_failures(services: Services) -> None:
    partner = Partner(services)
    unknown = await partner.call("DELETE", DELETE, ref(va_body("5"), "trxId"))
    assert code(unknown) == "4043112"
    await partner.call("POST", CREATE, va_body())
    wrong_trx = await partner.call(
        "DELETE", DELETE, {**ref(va_body(), "trxId"), "trxId": "ORD-other"}
    )
    assert wrong_trx.status_code == 404
    assert "trxId" in wrong_trx.json()["message"]
    missing = await partner.call("DELETE", DELETE, ref(va_body()))
    assert code(missing) == "4003102"
