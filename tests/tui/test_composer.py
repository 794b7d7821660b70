"""The composer against every institution in-process: pick, edit, send, read the answer."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from sandbox.scenarios.identities import Actor, identities_for
from sandbox.tui.widgets.composer import Composer, parse_headers
from sandbox.tui.widgets.composer_reply import Reply, pretty_body
from tests.conftest import FakeClock, Services

CREATE_VA = "POST /v1.0/transfer-va/create-va"


class ComposerApp(App[None]):
    """The composer alone, wired to in-process services the way the composer screen wires it."""

    def __init__(self, services: Services, *, close_services: bool = False) -> None:
        super().__init__()
        self.services = services
        self.close_services = close_services
        self.sent: list[Composer.Sent] = []

    def compose(self) -> ComposeResult:
        services = self.services

        async def openapi_for(name: str) -> dict[str, Any]:
            document: dict[str, Any] = services.apps[name].openapi()
            return document

        yield Composer(
            list(services.apps),
            actor_for=lambda who: Actor(services.wire, services.world, who),
            openapi_for=openapi_for,
            identities_for=lambda name: identities_for(name, services.world),
            timer=lambda: 0.0,
        )

    def on_composer_sent(self, message: Composer.Sent) -> None:
        self.sent.append(message)

    async def on_unmount(self) -> None:
        if self.close_services:
            await self.services.aclose()


async def settle(pilot: Pilot[Any]) -> None:
    """Let select messages run, then wait for the composer's workers and redraw."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def choose(pilot: Pilot[Any], service: str, endpoint: str, identity: str) -> Composer:
    composer = pilot.app.query_one(Composer)
    composer.query_one("#composer-service", Select).value = service
    await settle(pilot)
    composer.query_one("#composer-endpoint", Select).value = endpoint
    await settle(pilot)
    composer.query_one("#composer-identity", Select).value = identity
    await settle(pilot)
    return composer


def shown(composer: Composer, selector: str) -> str:
    return str(composer.query_one(selector, Static).render())


async def test_composer_sends_create_va_as_the_marketplace(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "bank", CREATE_VA, "marketplace")
        body = composer.query_one("#composer-body", TextArea).text
        assert '"partnerServiceId": "   88001"' in body
        await pilot.press("f5")
        await settle(pilot)
        assert composer.reply is not None and composer.reply.status == 200
        assert "2002700" in shown(composer, "#composer-reply")
        assert shown(composer, "#composer-status").startswith("200 OK")
        assert composer.query_one("#composer-status").has_class("-ok")
        assert [(m.service, m.method, m.path, m.status) for m in app.sent] == [
            ("bank", "POST", "/v1.0/transfer-va/create-va", 200)
        ]
        created = [c for c in services.calls if c.path == "/v1.0/transfer-va/create-va"]
        assert [(c.caller, c.callee, c.status) for c in created] == [("marketplace", "bank", 200)]


async def test_composer_reads_the_feed_as_the_buyer(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "social", "GET /api/v1/feed", "buyer")
        limit = [field for field in composer.query(Input) if field.border_title == "limit"]
        limit[0].value = "2"
        await pilot.click("#composer-send")
        await settle(pilot)
        assert composer.reply is not None and composer.reply.status == 200
        assert app.sent[-1].path == "/api/v1/feed?limit=2"
        assert services.calls[-1].caller == "buyer"
        assert '"videos"' in shown(composer, "#composer-reply")


async def test_composer_shows_the_registry_refusing_a_stranger(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "identity", "POST /v1/verify", "anonymous")
        composer.action_send()
        await settle(pilot)
        assert composer.reply is not None and composer.reply.status == 401
        assert shown(composer, "#composer-status").startswith("401 Unauthorized")
        assert composer.query_one("#composer-status").has_class("-client-error")
        assert "X-Client-Id is required" in shown(composer, "#composer-message")
        assert app.sent[-1].status == 401


async def test_composer_sends_extra_headers_and_forms(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "bank", "POST /mobile/v1/va-payments", "buyer")
        headers = composer.query_one("#composer-headers", Input)
        assert "Idempotency-Key" in headers.placeholder
        headers.value = "Idempotency-Key: pay-001"
        composer.action_send()
        await settle(pilot)
        paid = [c for c in services.calls if c.path == "/mobile/v1/va-payments"]
        assert ("idempotency-key", "pay-001") in paid[-1].request_headers
        composer = await choose(pilot, "marketplace", "POST /oauth/token", "anonymous")
        composer.action_send()
        await settle(pilot)
        token = services.calls[-1]
        assert (
            token.path == "/oauth/token" and token.request_body == "grant_type=client_credentials"
        )
        assert composer.reply is not None and composer.reply.status == 401


async def test_composer_sends_nothing_for_invalid_json(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "bank", CREATE_VA, "marketplace")
        composer.query_one("#composer-body", TextArea).load_text('{"customerNo": ')
        before = len(services.calls)
        await pilot.press("f5")
        await settle(pilot)
        assert "Invalid JSON at line 1" in composer.error
        assert "Nothing was sent" in composer.error
        assert len(services.calls) == before
        assert composer.reply is None and app.sent == []


async def test_composer_refuses_missing_path_parameters(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = await choose(pilot, "social", "GET /api/v1/videos/{video_id}", "buyer")
        before = len(services.calls)
        composer.action_send()
        await settle(pilot)
        assert "video_id" in composer.error
        assert len(services.calls) == before


async def test_composer_lists_the_chosen_services_endpoints(services: Services) -> None:
    app = ComposerApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        composer = app.query_one(Composer)
        picker = composer.query_one("#composer-endpoint", Select)

        def listed() -> list[str]:
            return [endpoint.key for endpoint in composer.endpoints]

        social = listed()
        assert "GET /api/v1/feed" in social and social[-1] == "GET /health"
        assert picker.value == social[0] and composer.endpoint is not None
        assert composer.endpoint.key == social[0]
        composer.query_one("#composer-service", Select).value = "identity"
        await settle(pilot)
        identity = listed()
        assert "POST /v1/verify" in identity and "GET /api/v1/feed" not in identity
        assert picker.value == identity[0]
        names = composer.query_one("#composer-identity", Select)
        assert [value for _, value in names._options if isinstance(value, str)] == (
            identities_for("identity", services.world)
        )


async def test_composer_shows_connection_failures_in_place(services: Services) -> None:
    seen: list[Message] = []

    class Broken(Actor):
        async def request(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionRefusedError("bank is down")

    app = ComposerApp(services)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        composer = await choose(pilot, "bank", CREATE_VA, "marketplace")
        composer._actor_for = lambda who: Broken(services.wire, services.world, who)
        composer.action_send()
        await settle(pilot)
        assert composer.reply is not None and composer.reply.status is None
        assert shown(composer, "#composer-status").startswith("no response")
        assert "bank is down" in shown(composer, "#composer-message")
        assert composer.query_one("#composer-status").has_class("-failed")
        assert any(isinstance(m, Composer.Sent) and m.status is None for m in seen)


async def test_composer_survives_a_missing_document_and_no_services(services: Services) -> None:
    async def unreachable(name: str) -> dict[str, Any]:
        raise ConnectionRefusedError(f"{name} is not running")

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Composer(
                ["bank"],
                lambda who: Actor(services.wire, services.world, who),
                unreachable,
                lambda name: [],
            )
            yield Composer(
                [],
                lambda who: Actor(services.wire, services.world, who),
                unreachable,
                lambda name: [],
                id="empty",
            )

    app = Bare()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        composer, empty = app.query(Composer).results()
        assert "bank is not running" in composer.error
        assert composer.endpoints == () and composer.endpoint is None
        composer.action_send()
        empty.action_send()
        await settle(pilot)
        assert "Pick a service and an endpoint first" in composer.error
        assert "Pick a service and an endpoint first" in empty.error
        assert services.calls == []


def test_parse_headers_reads_name_value_pairs() -> None:
    assert parse_headers("Idempotency-Key: pay-1; X-Note: a:b\nAccept: */*") == {
        "Idempotency-Key": "pay-1",
        "X-Note": "a:b",
        "Accept": "*/*",
    }
    assert parse_headers("  ") == {}


def test_reply_survives_odd_bodies() -> None:
    assert Reply(None, 1.0).message == ""
    assert Reply(500, 1.0, "<html>oops</html>").message == ""
    assert Reply(400, 1.0, "[1, 2]").outcome == "-client-error"
    assert pretty_body("not json") == "not json"
    huge = pretty_body('"' + "x" * 200_000 + '"')
    assert isinstance(huge, str) and huge.endswith("more characters not shown)")


def _snapshot_app(world: dict[str, Any]) -> ComposerApp:
    return ComposerApp(Services(world, FakeClock()), close_services=True)


def test_composer_snapshot_small(snap_compare: Any, world: dict[str, Any]) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(_snapshot_app(world), terminal_size=(80, 24), run_before=ready)


def test_composer_snapshot_large_after_send(snap_compare: Any, world: dict[str, Any]) -> None:
    async def sent(pilot: Pilot[Any]) -> None:
        composer = await choose(pilot, "bank", CREATE_VA, "marketplace")
        composer.action_send()
        await settle(pilot)

    assert snap_compare(_snapshot_app(world), terminal_size=(160, 48), run_before=sent)
