"""Edit and resend: a recorded call opens in the composer and is signed again when sent.

Calls are recorded by in-process institutions, opened with `Composer.edit_call` (what `e`
does on the map), and sent again through the same `Actor`s: the new call must pass the
callee's authentication without a single recorded credential being copied.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select, TextArea

from sandbox.scenarios.identities import Actor
from sandbox.trace.events import HttpCall
from sandbox.tui.screens.composer import ComposerScreen
from sandbox.tui.widgets.call_log import CallLog
from sandbox.tui.widgets.composer import Composer
from tests.conftest import Services
from tests.tui.factory import make_app, until
from tests.tui.test_compare import TRACE
from tests.tui.test_composer import ComposerApp, settle

CREATE_VA_BODY = {
    "partnerServiceId": "   88001",
    "customerNo": "100000123",
    "virtualAccountNo": "   88001100000123",
    "virtualAccountName": "SARI WULANDARI",
    "trxId": "EDIT-1",
    "totalAmount": {"value": "185000.00", "currency": "IDR"},
    "expiredDate": "2024-03-02T15:00:00+07:00",
}
CREDENTIALS = ("authorization", "x-signature", "x-timestamp", "x-partner-id", "channel-id")


async def _recorded(services: Services, who: str, service: str, method: str, path: str,
                    **kwargs: Any) -> HttpCall:  # fmt: skip
    """Make one call as `who` and return it as the recorder kept it."""
    before = len(services.calls)
    await Actor(services.wire, services.world, who).request(service, method, path, **kwargs)
    return next(c for c in services.calls[before:] if c.path.split("?")[0] == path.split("?")[0])


def _identity(composer: Composer) -> object:
    return composer.query_one("#composer-identity", Select).value


async def test_composer_opens_a_recorded_partner_call_and_signs_it_again(
    services: Services,
) -> None:
    call = await _recorded(
        services, "marketplace", "bank", "POST", "/v1.0/transfer-va/create-va",
        json=CREATE_VA_BODY, headers={"X-EXTERNAL-ID": "000000000000000042"},
    )  # fmt: skip
    assert call.status == 200
    assert ("x-signature", "[redacted]") in [(k.lower(), v) for k, v in call.request_headers]
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        composer = app.query_one(Composer)
        composer.edit_call(call)
        await settle(pilot)
        assert composer.query_one("#composer-service", Select).value == "bank"
        assert composer.endpoint is not None
        assert composer.endpoint.key == "POST /v1.0/transfer-va/create-va"
        assert _identity(composer) == "marketplace"
        body = composer.query_one("#composer-body", TextArea).text
        assert json.loads(body) == CREATE_VA_BODY
        headers = composer.query_one("#composer-headers", Input).value
        assert headers.lower() == "x-external-id: 000000000000000042"
        assert not any(name in headers.lower() for name in CREDENTIALS)
        origin = str(composer.query_one("#composer-origin").render())
        assert "marketplace → bank POST /v1.0/transfer-va/create-va" in origin

        edited = {**CREATE_VA_BODY, "trxId": "EDIT-2", "customerNo": "100000124",
                  "virtualAccountNo": "   88001100000124"}  # fmt: skip
        composer.query_one("#composer-body", TextArea).load_text(json.dumps(edited))
        composer.query_one("#composer-headers", Input).value = "X-EXTERNAL-ID: 43"
        await pilot.press("f5")
        await settle(pilot)
        resent = services.calls[-1]
        assert (resent.caller, resent.callee, resent.path) == (call.caller, "bank", call.path)
        assert resent.span_id != call.span_id and resent.trace_id != call.trace_id
        assert composer.reply is not None and composer.reply.status == 200, composer.reply
        assert json.loads(resent.request_body)["trxId"] == "EDIT-2"


async def test_composer_opens_path_and_query_parameters_without_signing_ones(
    services: Services,
) -> None:
    call = replace(
        next(c for c in TRACE if "/products?" in c.path),
        request_headers=(("x-tts-access-token", "[redacted]"),),
    )
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        composer = app.query_one(Composer)
        composer.edit_call(call)
        await settle(pilot)
        assert composer.endpoint is not None
        assert composer.endpoint.key == "GET /api/v2/fs/{fs_id}/products"
        values = {field.border_title: field.value for field in composer.query(Input)}
        assert values["fs_id"] == "7001"
        assert values["ids"] == "100101,100102"
        assert not {"sign", "app_key", "timestamp", "nonce"} & set(values)
        assert _identity(composer) == "social"
        assert composer.query_one("#composer-headers", Input).value == ""


async def test_composer_asks_who_sends_a_call_from_a_stranger(services: Services) -> None:
    call = replace(next(c for c in TRACE if c.path == "/mobile/v1/va-payments"), caller="curl")
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        composer = app.query_one(Composer)
        composer.edit_call(call)
        await settle(pilot)
        assert _identity(composer) == Select.NULL
        assert "curl is not an identity here" in str(
            composer.query_one("#composer-origin").render()
        )
        before = len(services.calls)
        composer.action_send()
        await settle(pilot)
        assert "Pick who sends the request" in composer.error
        assert len(services.calls) == before


async def test_composer_opens_a_call_no_document_lists_as_recorded(services: Services) -> None:
    webhook = next(c for c in TRACE if c.path == "/webhooks/marketplace")
    call = replace(webhook, path="/webhooks/elsewhere?x=1")
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        composer = app.query_one(Composer)
        composer.edit_call(call)
        await settle(pilot)
        assert composer.endpoint is not None
        assert composer.endpoint.key == "POST /webhooks/elsewhere"
        assert composer.endpoints[0] == composer.endpoint
        assert "No endpoint in the document matches" in str(
            composer.query_one("#composer-origin").render()
        )
        composer.query_one("#composer-service", Select).value = "bank"
        await settle(pilot)
        assert composer.query_one("#composer-origin").has_class("-empty")


async def test_e_on_the_map_opens_the_call_in_the_composer(tmp_path: Path) -> None:
    app, backend = make_app(tmp_path, live=False)
    backend.store.add(TRACE)
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.screen.query_one(CallLog)
        await until(lambda: log.total == len(TRACE) and log.highlighted is not None, pilot)
        await pilot.press("up", "up", "e")  # the retried payment, started third from last
        await until(lambda: isinstance(app.screen, ComposerScreen), pilot)
        composer = app.screen.query_one(Composer)
        await until(lambda: not composer.query_one("#composer-origin").has_class("-empty"), pilot)
        assert composer.endpoint is not None
        assert composer.endpoint.key == "POST /mobile/v1/va-payments"
        assert _identity(composer) == "buyer"
        assert (
            "idempotency-key: e699a41a3c7601bf71012e43"
            in composer.query_one("#composer-headers", Input).value
        )
