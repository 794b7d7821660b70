"""Acting as personas and partners authenticates the way each institution expects."""

from __future__ import annotations

from sandbox.scenarios.identities import ANONYMOUS, Actor, identities_for
from tests.conftest import Services


def test_identities_list_personas_partners_and_anonymous(services: Services) -> None:
    who = identities_for("bank", services.world)
    assert who[:2] == ["buyer", "seller"] and "marketplace" in who and who[-1] == ANONYMOUS
    assert "social" not in identities_for("bank", services.world)


async def test_persona_reaches_social_and_bank_with_its_own_credentials(services: Services) -> None:
    buyer = Actor(services.wire, services.world, "buyer")
    feed = await buyer.request("social", "GET", "/api/v1/feed?limit=1")
    assert feed.status_code == 200
    me = await buyer.request("bank", "GET", "/mobile/v1/accounts/me")
    assert me.status_code == 200 and me.json()["balance"] == 2_500_000
    assert {c.caller for c in services.calls} == {"buyer"}


async def test_partner_signs_in_its_callees_dialect(services: Services) -> None:
    social = Actor(services.wire, services.world, "social")
    card = await social.request("marketplace", "GET", "/api/v2/fs/7001/products/100101")
    assert card.status_code == 200 and card.json()["price"] == 185_000


async def test_anonymous_is_refused_with_a_clear_reason(services: Services) -> None:
    nobody = Actor(services.wire, services.world, ANONYMOUS)
    response = await nobody.request("identity", "POST", "/v1/verify", json={})
    assert response.status_code == 401 and response.json()["message"]
