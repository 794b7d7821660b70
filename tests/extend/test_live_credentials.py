"""Partners registered after an institution's first start are accepted without a reset."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.extend import client_auth
from sandbox.runtime.config_file import load_config
from sandbox.runtime.seeding import PartnerClash
from sandbox.runtime.supervisor import Runtime
from sandbox.scaffold.service import new_service
from tests.extend.partner_probe import PROBES, accepted, held, probe, spoiled

pytestmark = pytest.mark.slow
EVERY = list(PROBES)


def _runtime(folder: Path, data: Path) -> Runtime:
    config = folder / "sandbox.toml"
    loaded = load_config(config if config.exists() else None, plugins=False)
    runtime = Runtime(Settings(data_dir=data, port_base=0), loaded)
    runtime.start_in_thread()
    return runtime


def test_a_service_added_to_an_existing_world_is_accepted_after_a_restart(tmp_path: Path) -> None:
    folder, data = tmp_path / "project", tmp_path / "data"
    folder.mkdir()
    first = _runtime(folder, data)  # the world is seeded without the new partner
    first.stop_thread()
    new_service(folder, "lab", EVERY)
    creds = held(folder / "sandbox.toml", "lab")
    again = _runtime(folder, data)
    try:
        assert accepted(again.urls, creds) == dict.fromkeys(EVERY, True)
        bank = again.apps["bank"].state.store
        assert bank.account(creds["bank"]["account_no"])["kind"] == "merchant", "it can be paid"
        for callee, c in creds.items():
            assert probe(again.urls, callee, spoiled(callee, c)) == 401, callee
    finally:
        again.stop_thread()


def test_a_partner_registered_while_the_sandbox_runs_is_accepted_at_once(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text("# nothing of mine yet\n")
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    runtime.start_in_thread()
    try:
        new_service(tmp_path, "lab", EVERY)  # not running: its credentials are what count
        creds = held(config, "lab")
        assert accepted(runtime.urls, creds) == dict.fromkeys(EVERY, True)
        for callee, c in creds.items():
            assert probe(runtime.urls, callee, spoiled(callee, c)) == 401, callee
        runtime.writer.flush()
        verified = {c.callee for c in runtime.traces.calls(limit=1000) if c.caller == "lab"}
        assert verified == set(EVERY), "recorded as the partner each institution verified"
        assert set(runtime.may_call["lab"]) == set(EVERY)
        config.write_text("# lab is gone\n")
        assert accepted(runtime.urls, creds) == dict.fromkeys(EVERY, False)
    finally:
        runtime.stop_thread()


def test_a_configuration_that_no_longer_reads_changes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    new_service(tmp_path, "lab", ["identity"])
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    runtime.start_in_thread()
    try:
        creds = held(config, "lab")
        config.write_text(config.read_text() + "\n[services.lab.partners.identity.oops\n")
        assert accepted(runtime.urls, creds) == {"identity": True}, "the last good partners"
    finally:
        runtime.stop_thread()


def test_credentials_that_name_someone_else_are_refused(tmp_path: Path) -> None:
    new_service(tmp_path, "lab", ["records", "bank"])
    config = tmp_path / "sandbox.toml"
    creds = held(config, "lab")
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    hospital_org = str(runtime.world["partners"]["records"]["hospital"]["org_id"])
    buyer_account = runtime.world["personas"]["buyer"]["account_no"]
    runtime.start_in_thread()
    try:
        # Made to act as the hospital's organization while the sandbox runs: not taken.
        text = config.read_text()
        config.write_text(
            text.replace(f'org_id = "{creds["records"]["org_id"]}"', f'org_id = "{hospital_org}"')
        )
        assert accepted(runtime.urls, creds) == {"records": True, "bank": True}
        assert str(runtime.world["partners"]["records"]["lab"]["org_id"]) != hospital_org
    finally:
        runtime.stop_thread()
    for callee, field, theirs in (
        ("records", "org_id", hospital_org),
        ("bank", "account_no", buyer_account),
    ):
        config.write_text(
            text.replace(f'{field} = "{creds[callee][field]}"', f'{field} = "{theirs}"')
        )
        with pytest.raises(PartnerClash, match="which is hospital's|already keeps"):
            Runtime(
                Settings(data_dir=tmp_path / "data", port_base=0),
                load_config(config, plugins=False),
            )
    refused = main(["reset", "--config", str(config), "--data-dir", str(tmp_path / "data")])
    assert refused == 2


def test_a_client_made_while_the_sandbox_runs_is_recorded_as_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sandbox.toml"
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(None, plugins=False),
        partners_file=config,
    )
    runtime.start_in_thread()
    try:
        argv = ["new", "client", "me", "--calls", ",".join(EVERY), "--config", str(config)]
        assert main(argv) == 0
        told = capsys.readouterr().out
        assert "recorded as me" in told and 'client_auth("me", "marketplace"' in told
        assert 'another --data-dir: data_dir="' in told, "how to follow another sandbox's clock"
        creds = held(config, "me")
        assert (
            "app_secret" in creds["marketplace"] and creds["marketplace"]["app_secret"] not in told
        ), "secrets stay in the file"
        assert accepted(runtime.urls, creds) == dict.fromkeys(EVERY, True)
        for callee, c in creds.items():
            assert probe(runtime.urls, callee, spoiled(callee, c)) == 401, callee
        fs_id = creds["marketplace"]["fs_id"]
        with httpx.Client(
            base_url=runtime.urls["marketplace"], auth=client_auth("me", "marketplace", config)
        ) as marketplace:
            answer = marketplace.get(f"/api/v2/fs/{fs_id}/products", params={"ids": "100101"})
        assert answer.status_code == 200 and answer.json()["products"]
        runtime.writer.flush()
        callers = {c.caller for c in runtime.traces.calls(limit=1000) if c.callee in EVERY}
        assert callers == {"me", "external"}, "verified calls are me's; spoiled ones nobody's"
    finally:
        runtime.stop_thread()


def test_a_client_signs_with_the_sandbox_s_clock_after_it_was_moved(tmp_path: Path) -> None:
    """`sandbox clock advance 2d`: the institutions' clock is two days ahead of the machine; a
    script's signed calls still carry fresh timestamps, then and after a freeze."""
    config, data = tmp_path / "sandbox.toml", tmp_path / "data"
    runtime = Runtime(
        Settings(data_dir=data, port_base=0), load_config(None, plugins=False), partners_file=config
    )
    runtime.start_in_thread()
    try:
        assert main(["new", "client", "me", "--calls", "marketplace", "--config", str(config)]) == 0
        fs_id = held(config, "me")["marketplace"]["fs_id"]

        def products() -> int:
            auth = client_auth("me", "marketplace", config, data_dir=data)
            with httpx.Client(base_url=runtime.urls["marketplace"], auth=auth) as marketplace:
                answer = marketplace.get(f"/api/v2/fs/{fs_id}/products", params={"ids": "100101"})
            return answer.status_code

        assert products() == 200
        assert main(["clock", "advance", "2d", "--data-dir", str(data)]) == 0
        assert products() == 200, "a timestamp from the machine's clock would be 2 days stale"
        assert main(["clock", "freeze", "--data-dir", str(data)]) == 0
        assert products() == 200
    finally:
        runtime.stop_thread()


def test_new_client_names_the_sandbox_on_its_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--data-dir`, as every command that talks to a sandbox: the example printed calls the
    URL that sandbox serves on and follows its clock; another data dir has none running."""
    config, data = tmp_path / "sandbox.toml", tmp_path / "data"
    runtime = Runtime(
        Settings(data_dir=data, port_base=0), load_config(None, plugins=False), partners_file=config
    )
    runtime.start_in_thread()
    try:
        argv = ["new", "client", "me", "--calls", "bank", "--config", str(config)]
        assert main([*argv, "--data-dir", str(data)]) == 0
        told = capsys.readouterr().out
        assert f'base_url="{runtime.urls["bank"]}"' in told
        assert f"data_dir={str(data)!r})" in told and "No sandbox serves" not in told
        assert main([*argv, "--data-dir", str(tmp_path / "elsewhere")]) == 0
        told = capsys.readouterr().out
        assert f"No sandbox serves bank on {tmp_path / 'elsewhere'}" in told
        assert runtime.urls["bank"] not in told
    finally:
        runtime.stop_thread()
