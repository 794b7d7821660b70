"""Who may call whom, read from the partner credentials: the map's faint edges."""

from __future__ import annotations

from sandbox.runtime.seeding import may_call, with_partners
from sandbox.world import load_world


def test_a_partner_calls_its_institution_and_some_institutions_call_back() -> None:
    edges = may_call(load_world())
    assert edges["social"] == ("marketplace",)
    assert "social" in edges["marketplace"]  # order webhooks
    assert "marketplace" in edges["bank"] and "hospital" in edges["bank"]  # notifications
    # The registry tells the partners that named a consent webhook what the person answered:
    # the hospital; the marketplace's seller centre asks instead, when the seller looks.
    assert set(edges["identity"]) == {"hospital"}
    # The health platform and the insurer check consents quoted to them at the registry.
    assert edges["records"] == ("identity",) and edges["insurance"] == ("identity",)
    assert "admin" not in edges


def test_a_users_courier_is_called_back_by_the_marketplace() -> None:
    world = with_partners(
        load_world(),
        {
            "marketplace": {
                "courier": {"app_key": "k", "app_secret": "s", "fs_id": 9, "role": "courier"}
            }
        },
    )
    edges = may_call(world)
    assert edges["courier"] == ("marketplace",)
    assert "courier" in edges["marketplace"]
