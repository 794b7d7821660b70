"""A buyer link token is the storefront's that linked her: another channel holding it cannot
order for her (account-linking tokens are per app)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sandbox.cli import main
from sandbox.config import Settings
from sandbox.extend import client_auth
from sandbox.runtime.config_file import load_config
from sandbox.runtime.supervisor import Runtime
from tests.extend.partner_probe import held

pytestmark = pytest.mark.slow


def test_another_channel_cannot_order_with_the_storefronts_link_token(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    assert main(["new", "client", "me", "--calls", "marketplace", "--config", str(config)]) == 0
    runtime = Runtime(
        Settings(data_dir=tmp_path / "data", port_base=0),
        load_config(config, plugins=False),
        partners_file=config,
    )
    runtime.start_in_thread()
    try:
        fs_id = held(config, "me")["marketplace"]["fs_id"]
        token = runtime.world["social"]["users"][0]["link_token"]
        order = {"buyer_link_token": token, "items": [{"product_id": 100101, "quantity": 1}]}
        auth = client_auth("me", "marketplace", config)
        with httpx.Client(base_url=runtime.urls["marketplace"], auth=auth) as marketplace:
            refused = marketplace.post(f"/api/v2/fs/{fs_id}/orders", json=order)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "buyer_linked_elsewhere"
        store = runtime.apps["marketplace"].state.store
        assert store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0, "no order"
    finally:
        runtime.stop_thread()
