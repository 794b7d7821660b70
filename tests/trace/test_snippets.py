"""curl and httpx snippets: they send what was recorded, quoted safely, secrets left redacted."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import replace
from typing import Any

import httpx
import pytest

from sandbox.trace.events import HttpCall
from sandbox.trace.snippets import curl, httpx_snippet, request_url, resend_draft
from tests.trace.conftest import CREATE_VA, TRACE, checkout_calls

BANK = "http://127.0.0.1:8103"


def signed_call() -> HttpCall:
    """The create-VA call as the bank's partner sent it: signed, traced, hop-by-hop headers."""
    call = next(c for c in checkout_calls() if c.span_id == CREATE_VA)
    return replace(
        call,
        path="/v1.0/transfer-va/create-va?sign=[redacted]&lang=id",
        request_headers=(
            ("host", "bank.sandbox"),
            ("content-length", "47"),
            ("connection", "keep-alive"),
            ("accept-encoding", "gzip, deflate"),
            ("traceparent", f"00-{TRACE}-{CREATE_VA}-01"),
            ("x-sandbox-recorded", "1"),
            ("x-sandbox-caller", "marketplace"),
            ("content-type", "application/json"),
            ("Authorization", "[redacted]"),
            ("X-SIGNATURE", "[redacted]"),
            ("X-PARTNER-ID", "88001"),
        ),
        request_body=(
            """{"note":"it's a 'quoted' $HOME `x` \\\\ line\\nbreak","""
            """"pin":"[redacted]"}"""
        ),
    )


def argv(command: str) -> list[str]:
    """What a POSIX shell would pass to curl (comments dropped, continuations joined)."""
    lines = [line for line in command.splitlines() if not line.startswith("#")]
    return shlex.split("\n".join(lines).replace("\\\n", " "))


def test_curl_reproduces_method_url_headers_and_body() -> None:
    call = signed_call()
    words = argv(curl(call, BANK))
    assert words[:5] == [
        "curl",
        "--globoff",
        "-X",
        "POST",
        f"{BANK}/v1.0/transfer-va/create-va?sign=[redacted]&lang=id",
    ]
    headers = [words[i + 1] for i, word in enumerate(words) if word == "-H"]
    assert headers == [
        "x-sandbox-caller: marketplace",
        "content-type: application/json",
        "Authorization: [redacted]",
        "X-SIGNATURE: [redacted]",
        "X-PARTNER-ID: 88001",
    ]
    assert words[-2:] == ["--data-raw", call.request_body]


def test_curl_survives_a_real_posix_shell() -> None:
    call = signed_call()
    script = "curl() { printf '%s\\0' \"$@\"; }\n" + curl(call, BANK)
    done = subprocess.run(["sh", "-c", script], capture_output=True, check=True, timeout=10)
    assert done.stdout.decode().split("\0")[:-1] == argv(curl(call, BANK))[1:]
    assert call.request_body in done.stdout.decode()


def test_curl_leaves_out_hop_by_hop_trace_and_recorded_headers() -> None:
    text = curl(signed_call(), BANK).lower()
    for name in ("host:", "content-length", "connection:", "accept-encoding", "traceparent"):
        assert name not in text
    assert "x-sandbox-recorded" not in text


def test_curl_says_credentials_were_redacted_and_where_to_get_them() -> None:
    text = curl(signed_call(), BANK)
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("redacted" in line for line in comments)
    assert any("fixtures/world/partners.json" in line for line in comments)
    assert any("sandbox/dialects/" in line and "SnapAuth" in line for line in comments)


def test_curl_of_a_plain_get_has_no_method_flag_and_no_credentials_note() -> None:
    call = next(c for c in checkout_calls() if c.method == "GET" and c.status == 404)
    text = curl(call, "http://marketplace.sandbox/")
    assert argv(text) == [
        "curl",
        "http://marketplace.sandbox/api/v2/order/detail?order_sn=ORD-1&fields=a,b",
    ]
    assert "redacted" not in text


def test_curl_notes_a_truncated_body() -> None:
    call = checkout_calls()[-1]
    assert call.truncated
    assert "truncated when recorded" in curl(call, BANK)


def test_httpx_snippet_is_python_that_sends_the_recorded_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = signed_call()
    sent: dict[str, Any] = {}

    def fake_request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        sent.update(method=method, url=url, **kwargs)
        return httpx.Response(200, text="ok")

    monkeypatch.setattr(httpx, "request", fake_request)
    monkeypatch.setattr("builtins.print", lambda *args: None)
    exec(compile(httpx_snippet(call, BANK), "<snippet>", "exec"), {})
    assert sent["method"] == "POST"
    assert sent["url"] == f"{BANK}/v1.0/transfer-va/create-va?sign=[redacted]&lang=id"
    assert sent["headers"] == {
        "x-sandbox-caller": "marketplace",
        "content-type": "application/json",
        "Authorization": "[redacted]",
        "X-SIGNATURE": "[redacted]",
        "X-PARTNER-ID": "88001",
    }
    assert sent["content"] == call.request_body.encode()


def test_httpx_snippet_keeps_repeated_headers_and_comments_on_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = replace(
        signed_call(), request_headers=(("Accept", "a"), ("accept", "b")), request_body=""
    )
    text = httpx_snippet(call, BANK)
    assert "fixtures/world/partners.json" in text  # the path still holds a [redacted] value
    sent: dict[str, Any] = {}
    monkeypatch.setattr(httpx, "request", lambda *a, **kw: sent.update(kw) or httpx.Response(204))
    monkeypatch.setattr("builtins.print", lambda *args: None)
    exec(compile(text, "<snippet>", "exec"), {})
    assert sent["headers"] == [("Accept", "a"), ("accept", "b")]
    assert "content" not in sent


def test_request_url_joins_base_and_path_with_one_slash() -> None:
    call = replace(checkout_calls()[0], path="api/x")
    assert request_url(call, "http://social.sandbox/") == "http://social.sandbox/api/x"


def test_resend_draft_keeps_what_the_request_says_and_not_who_signed_it() -> None:
    call = replace(
        signed_call(),
        path="/v1.0/transfer-va/create-va?sign=[redacted]&app_key=k&timestamp=1&lang=id",
        request_headers=(
            *signed_call().request_headers,
            ("X-TIMESTAMP", "2024-03-01T08:00:00+07:00"),
            ("CHANNEL-ID", "95221"),
            ("X-EXTERNAL-ID", "000000000000000042"),
            ("Idempotency-Key", "pay-001"),
            ("user-agent", "integration-sandbox/marketplace"),
            ("X-Note", "token [redacted] inside"),
        ),
    )
    draft = resend_draft(call)
    assert (draft.service, draft.method, draft.path) == (
        "bank",
        "POST",
        "/v1.0/transfer-va/create-va",
    )
    assert draft.query == (("lang", "id"),)
    assert draft.headers == (
        ("X-EXTERNAL-ID", "000000000000000042"),
        ("Idempotency-Key", "pay-001"),
    )
    assert draft.body == call.request_body
    assert (draft.caller, draft.span_id) == ("marketplace", CREATE_VA)
    assert draft.has_masks, "the body's pin was redacted: the person fills it in"


def test_resend_draft_says_when_a_redacted_value_is_left_to_fill_in() -> None:
    call = replace(signed_call(), request_body='{"account_no": "1", "pin": "[redacted]"}')
    assert resend_draft(call).has_masks
    plain = resend_draft(replace(call, path="/", request_body=""))
    assert plain.path == "/" and not plain.has_masks
