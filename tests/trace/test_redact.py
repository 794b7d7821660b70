"""Redaction holds however a client writes a secret or a NIK (`tests/disguises.py`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.trace import redact
from sandbox.wire.recording import Exchange, to_call
from tests.disguises import NIK_LAST4, Disguise, disguises, exposed

DISGUISES = disguises()


def _exchange(d: Disguise) -> Exchange:
    headers = [("host", "127.0.0.1:8703"), *d.headers.items()]
    if d.content_type:
        headers.append(("content-type", d.content_type))
    return Exchange(
        trace_id="a" * 32,
        span_id="b" * 16,
        parent_id=None,
        caller="external",
        callee="bank",
        method="POST",
        path="/mobile/v1/sessions" + (f"?{d.query}" if d.query else ""),
        started_at=0.0,
        duration_ms=1.0,
        status=400,
        request_headers=headers,
        request_body=d.body,
        response_headers=[("content-type", "application/json")],
        response_body=d.body,
    )


def test_the_corpus_has_at_least_thirty_disguises() -> None:
    assert len(DISGUISES) >= 30
    assert len({d.name for d in DISGUISES}) == len(DISGUISES)


@pytest.mark.parametrize("disguise", DISGUISES, ids=lambda d: d.name)
def test_a_disguised_secret_never_reaches_a_recorded_call(disguise: Disguise) -> None:
    call = to_call(_exchange(disguise), 100_000)
    text = json.dumps(call.to_dict(), ensure_ascii=False)
    assert not exposed(disguise.secret, text), text[:400]
    assert not exposed(disguise.secret, json.dumps(call.to_dict()))


def test_a_masked_nik_keeps_its_last_four_digits() -> None:
    nik = next(d for d in DISGUISES if d.name == "nik in json")
    call = to_call(_exchange(nik))
    assert f"************{NIK_LAST4}" in call.request_body


def test_json_nested_beyond_recursion_is_kept_as_a_plain_mark() -> None:
    text, cut = redact.body(b'{"pin":"1","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}", 500)
    assert text.startswith("[body not recorded: nested too deeply") and not cut


def test_what_is_kept_is_kept_as_sent() -> None:
    """A form or query keeps its own encoding; JSON without secrets is not rewritten."""
    assert redact.path("/x?a=b%20c&sign=s&d=e+f") == "/x?a=b%20c&sign=[redacted]&d=e+f"
    assert redact.body(b"grant_type=client_credentials", 100) == (
        "grant_type=client_credentials",
        False,
    )
    error = b'{"code":"unsupported_grant_type","message":"Send grant_type=client_credentials"}'
    assert redact.body(error, 1000) == (error.decode(), False)
    spaced = b'{ "name" : "Sari" }'
    assert redact.body(spaced, 100) == (spaced.decode(), False)


def test_an_error_message_that_explains_a_signature_is_not_mangled() -> None:
    message = b'{"message":"HMAC-SHA512(client secret, \'METHOD:path:accessToken:x\')"}'
    assert redact.body(message, 1000)[0] == message.decode()


def test_secret_names_are_compared_without_case_or_separators() -> None:
    for name in (
        "client_secret",
        "clientSecret",
        "Client-Secret",
        "X-SIGNATURE",
        "x_signature",
        "access_token",
        "user_key",
        "PIN",
        "x-sandbox-recorded",
        "Cookie",
    ):
        assert redact.secret_name(name), name
    for name in (
        "idempotency-key",
        "app_key",
        "x-partner-id",
        "token_type",
        "content-type",
        "x-external-id",
        "nonce",
    ):
        assert not redact.secret_name(name), name


def test_log_text_is_redacted_like_a_call() -> None:
    line = (
        "HTTP Request: POST http://127.0.0.1:8702/api/v2/fs/7001/orders?app_key=k&"
        'timestamp=1&sign=abcdef0123&nik=9971014107900042 "HTTP/1.1 201 Created"'
    )
    masked = redact.text(line)
    assert "abcdef0123" not in masked and "997101410790" not in masked
    assert "sign=[redacted]" in masked and "app_key=k" in masked


def test_a_secret_assignment_inside_another_value_is_still_found() -> None:
    """`http://host/api?access_token=...` reads as `http: //...`: the value of a name that is
    not secret must not hide the secret assignment inside it."""
    line = "cannot reach http://127.0.0.1:1/api?access_token=Vk3yT0ken&x=redirect?sign=abc123"
    masked = redact.text(line)
    assert "Vk3yT0ken" not in masked and "abc123" not in masked
    assert masked.endswith("access_token=[redacted]&x=redirect?sign=[redacted]")


CHECKOUT_TOKEN = "Qrs49cx_39FStPHGd7NStzsFGceYbcjr"


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (f"/checkout/{CHECKOUT_TOKEN}", "/checkout/Qrs4[redacted]"),
        (
            f"/checkout/{CHECKOUT_TOKEN}/direct-debit/otp",
            "/checkout/Qrs4[redacted]/direct-debit/otp",
        ),
        (f"/checkout/{CHECKOUT_TOKEN}?lang=id", "/checkout/Qrs4[redacted]?lang=id"),
        ("/checkout/short", "/checkout/short"),
    ],
)
def test_a_checkout_links_token_is_cut_from_paths(raw: str, kept: str) -> None:
    """Whoever holds a checkout link may pay with it: on a projected map it must not be
    readable, yet two orders stay apart by its first four characters."""
    assert redact.path(raw) == kept


@pytest.mark.parametrize(
    "body",
    [
        f'{{"checkout_url": "http://127.0.0.1:8702/checkout/{CHECKOUT_TOKEN}"}}',
        f'{{"checkout_url":"http:\\/\\/127.0.0.1:8702\\/checkout\\/{CHECKOUT_TOKEN}"}}',
        f"see http://127.0.0.1:8702/checkout/{CHECKOUT_TOKEN} to pay",
    ],
)
def test_a_checkout_links_token_is_cut_from_bodies(body: str) -> None:
    text, _ = redact.body(body.encode(), 10_000, "")
    assert CHECKOUT_TOKEN not in text and "Qrs4[redacted]" in text


@given(st.text(alphabet="0123456789 .-x\u0661\u0662", max_size=40))
@settings(max_examples=2000, deadline=None)
def test_the_quick_look_never_skips_a_nik_the_pattern_finds(text: str) -> None:
    # `_could_hold_nik` lets `mask_nik` skip its regex; it may say yes wrongly, never no.
    found = redact._NIK.search(text) is not None
    assert redact._could_hold_nik(text) or not found


@pytest.mark.parametrize(
    "written",
    ["3171015808900001", "3171 0158 0890 0001", "3171-0158-0890-0001", "317101 580890 0001",
     "31.71.01.580890.0001", "31-71-01-580890-0001", "31 71 01 580890 0001"],
)  # fmt: skip
@pytest.mark.parametrize(
    "around", ['{"nik":"%s"}', "price 89000 id %s sku 100101", "%s", "2024-03-01 %s."]
)
def test_every_written_nik_is_masked_among_other_numbers(written: str, around: str) -> None:
    masked = redact.mask_nik(around % written)
    assert "0001" in masked and "3171" not in masked and "580890" not in masked


@pytest.mark.parametrize(
    "raw",
    [b"{}", b'{"a":1}', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"\x00{\x00}", b"a\x00b\x00",
     b"ab", b"a", b"\xfe\xff\x00{", b"\x00\x00\x00{", b"{\x00\x00\x00"],
)  # fmt: skip
def test_a_body_is_decoded_as_json_detects_it(raw: bytes) -> None:
    expected = raw.decode(json.detect_encoding(raw), errors="replace")
    assert redact._decoded(raw) == expected


@pytest.mark.parametrize(
    "written", ["3171015808900001", "3171-0158-0890-0001", "31.71.01.580890.0001"]
)
def test_a_nik_in_a_header_beside_trace_ids_is_masked(written: str) -> None:
    trace, span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    exchange = Exchange(
        trace_id=trace,
        span_id=span,
        parent_id=None,
        caller="external",
        callee="identity",
        method="GET",
        path="/v1/persons",
        started_at=0.0,
        duration_ms=1.0,
        status=200,
        request_headers=[("x-person", f"nik {written}"), ("traceparent", f"00-{trace}-{span}-01")],
        response_headers=[("traceresponse", f"00-{trace}-{span}-01"), ("x-request-id", span)],
    )
    call = to_call(exchange)
    assert dict(call.request_headers)["x-person"] == "nik ************0001"
    assert dict(call.response_headers)["traceresponse"] == f"00-{trace}-{span}-01"
