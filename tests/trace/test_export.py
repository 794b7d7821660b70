"""The export registry, and what every format promises: order, determinism, no secrets."""

from __future__ import annotations

import json
import random

import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.export import FORMATS, export, to_har, to_jsonl, to_mermaid, to_otlp
from sandbox.wire.recording import Exchange, to_call
from tests.trace.conftest import T0, TRACE

NIK = "3174012345678901"
SECRETS = {
    "authorization": "sess_Q9x7LmN2pR4tW8",
    "signature": "c2lnbmF0dXJlLXNlY3JldA",
    "sign parameter": "5f2b9c0ddeadbeef",
    "accessToken": "atk-7Hq2ZpL9",
    "pin": "918273",
    "NIK": NIK,
    "NIK's first twelve digits": NIK[:12],
}


@pytest.fixture
def secret_calls() -> list[HttpCall]:
    """A marketplace -> bank call full of secrets, recorded the only way calls are."""
    create = to_call(
        Exchange(
            trace_id=TRACE,
            span_id="9a8b7c6d5e4f3a2b",
            parent_id=None,
            caller="marketplace",
            callee="bank",
            method="POST",
            path=f"/v1.0/transfer-va/create-va?channel=web&sign={SECRETS['sign parameter']}",
            started_at=T0,
            duration_ms=12.5,
            status=200,
            request_headers=[
                ("Authorization", f"Bearer {SECRETS['authorization']}"),
                ("X-SIGNATURE", SECRETS["signature"] + "=="),
                ("content-type", "application/json"),
            ],
            request_body=json.dumps(
                {
                    "accessToken": SECRETS["accessToken"],
                    "pin": SECRETS["pin"],
                    "customer": {"nik": NIK, "name": "Siti Rahayu"},
                }
            ).encode(),
            response_headers=[("content-type", "application/json")],
            response_body=json.dumps({"virtualAccountNo": "8890800001", "nik": NIK}).encode(),
        )
    )
    refused = to_call(
        Exchange(
            trace_id=TRACE,
            span_id="8b7c6d5e4f3a2b1c",
            parent_id=create.span_id,
            caller="bank",
            callee="identity",
            method="GET",
            path=f"/v1/people/lookup?sign=x{NIK}",
            started_at=T0 + 0.001,
            duration_ms=1.0,
            error="refused",
            request_headers=[("authorization", f"Bearer {SECRETS['authorization']}")],
        )
    )
    return [create, refused]


def test_formats_lists_every_exporter() -> None:
    expected = {"har": to_har, "mermaid": to_mermaid, "jsonl": to_jsonl, "otlp": to_otlp}
    assert expected == FORMATS


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_dispatches_to_the_format(checkout: list[HttpCall], fmt: str) -> None:
    assert export(checkout, fmt) == FORMATS[fmt](checkout)


def test_export_unknown_format_names_the_known_ones(checkout: list[HttpCall]) -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf'") as caught:
        export(checkout, "pdf")
    for fmt in FORMATS:
        assert fmt in str(caught.value)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_empty_trace_is_valid_text(fmt: str) -> None:
    text = export([], fmt)
    assert isinstance(text, str)
    if fmt in ("har", "otlp"):
        json.loads(text)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_does_not_depend_on_input_order(checkout: list[HttpCall], fmt: str) -> None:
    shuffled = checkout[:]
    random.Random(7).shuffle(shuffled)
    assert export(shuffled, fmt) == export(checkout, fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_contains_no_secret(secret_calls: list[HttpCall], fmt: str) -> None:
    text = export(secret_calls, fmt)
    for what, secret in SECRETS.items():
        assert secret not in text, f"{fmt} export leaks the {what}"


@pytest.mark.parametrize("fmt", ["har", "jsonl"])
def test_export_keeps_bodies_with_the_nik_masked(secret_calls: list[HttpCall], fmt: str) -> None:
    text = export(secret_calls, fmt)
    assert "************8901" in text
    assert "Siti Rahayu" in text
