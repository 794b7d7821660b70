"""Every institution answers /health in-process."""

from tests.conftest import Services


async def test_every_service_is_healthy(services: Services) -> None:
    for name in services.apps:
        response = await services.client(name).get("/health")
        assert response.status_code == 200
        assert response.json()["service"] == name
        assert response.json()["title"].startswith("SANDBOX")
