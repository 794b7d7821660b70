"""Partners registered after an institution's first start are accepted without a reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.config import Settings
from sandbox.runtime.config_file import load_config
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


def test_a_service_added_to_an_existing_world_is_accepted_after_a_restart(
        tmp_path: Path) -> None:
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
