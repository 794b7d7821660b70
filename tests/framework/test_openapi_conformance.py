"""Every answer an institution gives matches its own OpenAPI document (openapi-core).

Developers take `/openapi.json` into Prism, code generators and their own tests, so the
document must describe what the service really answers. Every story runs over the
institutions (in-process, through the recording wire, with the exact bytes each side sent),
then every operation is probed as a careless or hostile client would: without credentials,
with a malformed body, with another method and with an unknown id. Each response is validated
against the callee's document: at least 99% must conform, every error's code must be listed
for its status, every 405 carries `Allow`, and no operation may answer 401 without declaring
how to authenticate. The figure is printed (`-s` shows it).
tests/runtime/test_openapi_runtime.py does the same over a real runtime on loopback.
"""

from __future__ import annotations

from typing import Any

from sandbox.scenarios import SCENARIOS, TAKES_PHONE
from tests.conformance import Capture, Exchange, judge, probe
from tests.conftest import Services


async def _run_stories(services: Services) -> None:
    for name, story in SCENARIOS.items():
        kwargs: dict[str, Any] = {"phone": services.phone} if name in TAKES_PHONE else {}
        if name == "checkout":  # the jump to the bank's app too, not only the debit
            await story(services.wire, services.world, lambda _: None, pay="va")
        await story(services.wire, services.world, lambda _: None, **kwargs)
        await services.settle()


async def test_recorded_answers_conform_to_each_callees_document(services: Services) -> None:
    seen: list[Exchange] = []
    for name, app in services.apps.items():
        services.wire.mount(name, Capture(name, app, seen))
    documents = {name: app.openapi() for name, app in services.apps.items()}
    await _run_stories(services)
    await probe(lambda service: services.client(service, caller="prober"), documents)

    verdict = judge(documents, seen)
    print("\n" + verdict.report("in-process"))
    assert verdict.seen > 200, "the stories and probes made (almost) no calls"
    assert verdict.conforming >= 0.99 * verdict.seen, "\n".join(verdict.failures)
    assert not verdict.unsecured, sorted(verdict.unsecured)
