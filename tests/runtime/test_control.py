"""The control API through ControlClient, over real loopback: what the terminal UI relies on."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from sandbox.config import Settings
from sandbox.dialects.registry import IdentityAuth
from sandbox.dialects.snap import SnapAuth
from sandbox.runtime import inspect
from sandbox.runtime.models import CallFilter
from sandbox.runtime.remote import ConnectionLost, ControlClient, ControlError
from sandbox.runtime.supervisor import Runtime
from sandbox.trace.events import HttpCall
from sandbox.wire.faults import Fault


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    started = Runtime(Settings(data_dir=tmp_path, port_base=0))
    started.start_in_thread()
    yield started
    started.stop_thread()


@pytest.fixture
async def control(runtime: Runtime) -> AsyncIterator[ControlClient]:
    client = ControlClient.from_data_dir(runtime.settings.data_dir)
    yield client
    await client.aclose()


async def _get(runtime: Runtime, service: str, *paths: str) -> None:
    """Calls from outside (recorded as `external`), one after another."""
    async with httpx.AsyncClient(base_url=runtime.urls[service]) as http:
        for path in paths:
            await http.get(path)


@pytest.mark.slow
async def test_services_report_health_counts_and_faults(
    runtime: Runtime, control: ControlClient
) -> None:
    assert (await control.health())["status"] == "ok"
    await _get(runtime, "bank", "/health", "/nope")
    services = {s.name: s for s in await control.services()}
    assert list(services) == [s.name for s in runtime.specs]
    bank = services["bank"]
    assert (bank.title, bank.side, bank.url) == ("Bank Contoh", "back", runtime.urls["bank"])
    assert bank.docs_url == f"{runtime.urls['bank']}/docs"
    assert (bank.health, bank.calls_in, bank.calls_out, bank.fault) == ("ok", 2, 0, Fault())
    assert services["social"].side == "front"
    assert all(s.health == "ok" for s in services.values())


@pytest.mark.slow
async def test_services_say_their_lane_who_they_may_call_and_whether_people_call_them(
    control: ControlClient,
) -> None:
    services = {s.name: s for s in await control.services()}
    lanes = {name: s.lane for name, s in services.items()}
    assert lanes == {
        "social": "front",
        "marketplace": "platform",
        "bank": "back",
        "identity": "back",
        "hospital": "front",
        "records": "back",
        "insurance": "back",
    }
    assert services["social"].calls == ("marketplace",)
    # The marketplace calls its partners back (webhooks); the bank notifies its billers.
    assert set(services["marketplace"].calls) == {"identity", "bank", "social"}
    assert set(services["bank"].calls) == {"identity", "marketplace", "hospital"}
    assert set(services["hospital"].calls) == {"identity", "bank", "records", "insurance"}
    # Records and the insurer check the consent quoted to them; the registry calls back.
    assert services["records"].calls == ("identity",)
    assert set(services["identity"].calls) == {"hospital"}  # the desk's consent webhook
    assert {n for n, s in services.items() if s.public} == {
        "social",
        "marketplace",
        "bank",
        "hospital",
    }


@pytest.mark.slow
async def test_a_reset_starts_the_counts_again(runtime: Runtime, control: ControlClient) -> None:
    await _get(runtime, "bank", "/health", "/nope")
    assert {s.name: s.calls_in for s in await control.services()}["bank"] == 2
    await control.reset()
    assert {s.name: s.calls_in for s in await control.services()}["bank"] == 0
    await _get(runtime, "bank", "/nope")
    assert {s.name: s.calls_in for s in await control.services()}["bank"] == 1
    assert await control.count() == 3, "the calls themselves stay in the trace"


@pytest.mark.slow
async def test_calls_page_and_filter_in_store_order(
    runtime: Runtime, control: ControlClient
) -> None:
    await _get(runtime, "bank", *[f"/nope/{i}" for i in range(6)], "/health")
    await _get(runtime, "identity", "/health")
    everything = await control.calls(0, 500)
    assert [c.path for c in everything] == [f"/nope/{i}" for i in range(6)] + ["/health"] * 2
    assert await control.count() == 8
    bank = CallFilter(service="bank")
    assert await control.count(bank) == 7
    page = await control.calls(2, 3, bank)
    assert [c.path for c in page] == ["/nope/2", "/nope/3", "/nope/4"]
    assert await control.count(CallFilter(outcome="4xx")) == 6
    assert await control.count(CallFilter(outcome="2xx", service="identity")) == 1
    assert [c.path for c in await control.calls(0, 10, CallFilter(text="NOPE/5"))] == ["/nope/5"]
    one = everything[3]
    assert await control.calls(0, 10, CallFilter(trace_id=one.trace_id)) == [one]
    assert await control.calls(100, 10) == []


@pytest.mark.slow
async def test_calls_page_in_start_order_when_asked(
    runtime: Runtime, control: ControlClient
) -> None:
    """A caller is stored after the calls it made (it finishes last) but listed above them."""
    base = HttpCall("1" * 32, "a" * 16, None, "buyer", "social", "POST", "/buy", 200, 50.0, 9.0)
    inner = replace(
        base,
        span_id="b" * 16,
        parent_id=base.span_id,
        caller="social",
        callee="marketplace",
        path="/orders",
        started_at=50.002,
        duration_ms=5.0,
    )
    runtime.traces.add([inner])
    runtime.traces.add([base])
    flt = CallFilter(trace_id=base.trace_id)
    assert [c.path for c in await control.calls(0, 10, flt)] == ["/orders", "/buy"]
    assert [c.path for c in await control.calls(0, 10, flt, order="started")] == ["/buy", "/orders"]
    with pytest.raises(ControlError) as refused:
        await control.calls(0, 10, order="finished")
    assert refused.value.status == 400


@pytest.mark.slow
async def test_traces_and_one_trace(runtime: Runtime, control: ControlClient) -> None:
    await _get(runtime, "marketplace", "/health")
    [summary] = await control.traces(5)
    assert summary.calls == 1 and summary.root.endswith("GET /health")
    [call] = await control.trace(summary.trace_id[:12])
    assert (call.caller, call.callee, call.status) == ("external", "marketplace", 200)
    with pytest.raises(ControlError) as caught:
        await control.trace("0" * 32)
    assert caught.value.status == 404 and caught.value.code == "unknown_trace"


@pytest.mark.slow
async def test_tables_and_rows_of_the_bank(runtime: Runtime, control: ControlClient) -> None:
    tables = {t.name: t for t in await control.tables("bank")}
    assert "accounts" in tables and not any(n.startswith(("sqlite_", "_sqlite")) for n in tables)
    accounts = tables["accounts"]
    assert accounts.rows > 2 and {"account_no", "nik", "balance"} <= set(accounts.columns)
    page = await control.rows("bank", "accounts", offset=1, limit=2)
    assert tuple(page.columns) == accounts.columns and page.total == accounts.rows
    columns, _, total = page
    assert (columns, total) == (page.columns, page.total)
    assert len(page.rows) == 2
    row = dict(zip(page.columns, page.rows[0], strict=True))
    assert row["account_no"] != (await control.rows("bank", "accounts", 0, 1)).rows[0][0]
    assert str(row["nik"]).startswith("*" * 12), "NIKs are masked on screen as in traces"
    assert isinstance(row["balance"], int)


@pytest.mark.slow
async def test_her_ikd_app_shows_the_consent_request_and_reading_it_is_no_call(
    runtime: Runtime, control: ControlClient
) -> None:
    creds = runtime.world["partners"]["identity"]["hospital"]
    nik = runtime.world["personas"]["patient"]["nik"]
    body = {"nik": nik, "purpose": "PATIENT_ADMISSION", "scopes": ["health_records"]}
    async with httpx.AsyncClient(base_url=runtime.urls["identity"]) as http:
        asked = await http.post(
            "/v1/consent-requests",
            json=body,
            auth=IdentityAuth(creds["client_id"], creds["client_secret"]),
        )
    assert asked.status_code == 202, asked.text
    before = await control.count()
    [notice] = await control.ikd_notifications(nik)
    assert (notice.request_id, notice.status) == (asked.json()["request_id"], "PENDING")
    assert "hospital" in notice.body
    assert await control.count() == before, "reading her app is not a call"
    assert await control.ikd_notifications("9972013005720099") == []


@pytest.mark.slow
async def test_her_phone_shows_the_banks_text_and_reading_it_is_no_call(
    runtime: Runtime, control: ControlClient
) -> None:
    creds = runtime.world["partners"]["bank"]["marketplace"]
    auth = SnapAuth(
        creds["client_key"], creds["client_secret"], creds["partner_id"], creds["channel_id"]
    )
    body = {
        "partnerReferenceNo": "bind-1",
        "phoneNo": "+62 812-0000-0001",
        "additionalInfo": {"customerId": "50001"},
    }
    async with httpx.AsyncClient(base_url=runtime.urls["bank"]) as http:
        started = await http.post("/v1.0/registration-account-binding", json=body, auth=auth)
    assert started.status_code == 202, started.text
    before = await control.count()
    [text] = await control.sms("0812 0000 0001")
    assert (text.sender, text.phone) == ("bank", "+6281200000001")
    assert "kode OTP" in text.text and "[" not in text.text
    assert await control.count() == before, "reading her phone is not a call"
    assert await control.sms("+62 899 0000 0000") == []
    async with ControlClient(runtime.control_url, token="") as follower:  # no token needed
        assert not follower.can_change and len(await follower.sms("+6281200000001")) == 1


@pytest.mark.slow
async def test_reset_and_faults_round_trip(runtime: Runtime, control: ControlClient) -> None:
    assert (await control.reset())["reset"] is True
    slowed = Fault(latency_ms=250, error_rate=0.25)
    assert await control.set_fault("identity", slowed) == slowed
    assert (await control.faults())["identity"] == slowed
    services = {s.name: s for s in await control.services()}
    assert services["identity"].fault == slowed and services["identity"].health == "ok"
    await control.set_fault("bank", Fault(offline=True))
    assert {s.name: s.health for s in await control.services()}["bank"] == "offline"
    assert await control.clear_fault("identity") == Fault()
    await control.clear_faults()
    assert set((await control.faults()).values()) == {Fault()}


@pytest.mark.slow
async def test_events_deliver_calls_in_order(runtime: Runtime, control: ControlClient) -> None:
    connected = asyncio.Event()
    seen: list[HttpCall] = []

    async def follow() -> None:
        async for call in control.events(on_connected=connected.set):
            seen.append(call)
            if len(seen) == 4:
                return

    reader = asyncio.create_task(follow())
    await asyncio.wait_for(connected.wait(), 5)
    await _get(runtime, "bank", "/health", "/nope", "/health")
    await _get(runtime, "identity", "/health")
    await asyncio.wait_for(reader, 10)
    assert [(c.callee, c.path, c.status) for c in seen] == [
        ("bank", "/health", 200),
        ("bank", "/nope", 404),
        ("bank", "/health", 200),
        ("identity", "/health", 200),
    ]


@pytest.mark.slow
async def test_events_end_with_connection_lost_when_the_sandbox_stops(
    runtime: Runtime, control: ControlClient
) -> None:
    connected = asyncio.Event()

    async def follow() -> None:
        async for _ in control.events(on_connected=connected.set):
            pass

    reader = asyncio.create_task(follow())
    await asyncio.wait_for(connected.wait(), 5)
    await asyncio.to_thread(runtime.stop_thread)
    with pytest.raises(ConnectionLost, match="event stream"):
        await asyncio.wait_for(reader, 10)
    with pytest.raises(ConnectionLost, match="cannot reach"):
        await control.services()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/services/nobody/tables", None, 404, "unknown_service"),
        ("GET", "/services/bank/tables/nothing", None, 404, "unknown_table"),
        ("GET", "/services/bank/tables/accounts;DROP TABLE accounts", None, 404, "unknown_table"),
        ("GET", "/services/bank/tables/accounts?limit=501", None, 400, "invalid_field"),
        ("PUT", "/faults/nobody", {"offline": True}, 404, "unknown_service"),
        ("PUT", "/faults/bank", {"latency_ms": 60_001}, 400, "invalid_field"),
        ("PUT", "/faults/bank", {"latency_ms": -1}, 400, "invalid_field"),
        ("PUT", "/faults/bank", {"error_rate": 1.5}, 400, "invalid_field"),
        ("PUT", "/faults/bank", {"latency": 5}, 400, "invalid_field"),
        ("PUT", "/faults/bank", [1], 400, "invalid_body"),
        ("DELETE", "/faults/nobody", None, 404, "unknown_service"),
        ("GET", "/calls?limit=501", None, 400, "invalid_field"),
        ("GET", "/calls?offset=-1", None, 400, "invalid_field"),
        ("GET", "/calls?offset=9223372036854775808", None, 400, "invalid_field"),
        (
            "GET",
            "/services/bank/tables/accounts?offset=9223372036854775808",
            None,
            400,
            "invalid_field",
        ),
        ("GET", "/calls?text=" + "x" * 201, None, 400, "invalid_field"),
        ("GET", "/calls?outcome=6xx", None, 400, "invalid_field"),
        ("GET", "/calls/count?outcome=ok", None, 400, "invalid_field"),
        ("GET", "/traces/ffff", None, 404, "unknown_trace"),
        ("GET", "/sms", None, 400, "missing_field"),
        ("GET", "/ikd-notifications?nik=123", None, 400, "invalid_field"),
        ("GET", "/sms?phone=" + "1" * 41, None, 400, "invalid_field"),
    ],
)
def test_bad_input_is_a_clear_4xx(
    runtime: Runtime, method: str, path: str, body: object, status: int, code: str
) -> None:
    owner = {"Authorization": f"Bearer {runtime.control_token}"}
    response = httpx.request(method, f"{runtime.control_url}{path}", json=body, headers=owner)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
    assert {t.name for t in inspect.tables(runtime.db_path("bank"))} >= {"accounts"}


@pytest.mark.slow
async def test_client_errors_carry_the_api_message(control: ControlClient) -> None:
    with pytest.raises(ControlError, match="No service 'nobody'") as caught:
        await control.tables("nobody")
    assert (caught.value.status, caught.value.code) == (404, "unknown_service")
    with pytest.raises(ControlError, match="latency_ms"):
        await control.set_fault("bank", Fault(latency_ms=100_000))
    with pytest.raises(ControlError, match="no table 'a/b'"):
        await control.rows("bank", "a/b")


def test_no_running_sandbox_is_a_control_error(tmp_path: Path) -> None:
    with pytest.raises(ControlError, match="no sandbox is running"):
        ControlClient.from_data_dir(tmp_path)


def test_inspect_reads_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE "odd ""name""" (id INTEGER, data BLOB, secret TEXT, r REAL)')
        conn.execute("CREATE TABLE _sqlite_migrations (name TEXT)")
        conn.execute('INSERT INTO "odd ""name""" VALUES (1, x\'00ff\', \'s3\', 1e999)')
        conn.execute('INSERT INTO "odd ""name""" VALUES (2, NULL, NULL, 0.5)')
    [info] = inspect.tables(path)
    assert (info.name, info.rows, info.columns) == ('odd "name"', 2, ("id", "data", "secret", "r"))
    page = inspect.rows(path, 'odd "name"', 0, 10)
    assert page.rows == [[1, "<2 bytes>", "[redacted]", "inf"], [2, None, None, 0.5]]
    assert page.total == 2
    with pytest.raises(inspect.UnknownTable):
        inspect.rows(path, "_sqlite_migrations")
    with pytest.raises(FileNotFoundError):
        inspect.tables(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
