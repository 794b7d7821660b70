"""A hand-built checkout trace: the calls every exporter test reads.

buyer -> social (checkout) -> marketplace (order) -> identity (verify), bank (create VA) and
bank again (refused); social -> marketplace (order detail, 404). Two seconds later the bank's
payment webhook reaches the marketplace (a child of create-VA, delivered after it answered),
which notifies social with a truncated body.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.trace.events import HttpCall

T0 = 1_709_280_000.0
"""2024-03-01 08:00 UTC, the world's own time."""
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CHECKOUT = "00f067aa0ba902b7"
ORDER = "1a2b3c4d5e6f7081"
VERIFY = "2b3c4d5e6f708192"
CREATE_VA = "3c4d5e6f708192a3"
BALANCE = "4d5e6f708192a3b4"
DETAIL = "5e6f708192a3b4c5"
PAYMENT_WEBHOOK = "6f708192a3b4c5d6"
ORDER_WEBHOOK = "708192a3b4c5d6e7"
JSON_HEADERS = (("content-type", "application/json"),)


def _call(
    span_id: str,
    parent_id: str | None,
    caller: str,
    callee: str,
    method: str,
    path: str,
    status: int | None,
    offset_s: float,
    duration_ms: float,
    **rest: Any,
) -> HttpCall:
    return HttpCall(
        trace_id=TRACE,
        span_id=span_id,
        parent_id=parent_id,
        caller=caller,
        callee=callee,
        method=method,
        path=path,
        status=status,
        started_at=T0 + offset_s,
        duration_ms=duration_ms,
        **rest,
    )


@pytest.fixture
def checkout() -> list[HttpCall]:
    """One checkout story, ordered by `started_at`."""
    return checkout_calls()


def checkout_calls() -> list[HttpCall]:
    """The checkout story's calls (a plain function, for scripts and parametrize)."""
    return [
        _call(
            CHECKOUT,
            None,
            "buyer",
            "social",
            "POST",
            "/api/checkout?cart=42",
            201,
            0.0,
            400.0,
            request_headers=JSON_HEADERS,
            request_body='{"cartId":42}',
            response_headers=JSON_HEADERS,
            response_body='{"orderId":"ORD-1"}',
        ),
        _call(
            ORDER,
            CHECKOUT,
            "social",
            "marketplace",
            "POST",
            "/api/v2/order/create?shop_id=7&lang=id",
            200,
            0.010,
            300.0,
            request_headers=JSON_HEADERS,
            request_body='{"items":[{"sku":"A1","qty":2}]}',
            response_headers=JSON_HEADERS,
            response_body='{"order_sn":"ORD-1"}',
        ),
        _call(
            VERIFY,
            ORDER,
            "marketplace",
            "identity",
            "POST",
            "/v1/verify",
            200,
            0.020,
            40.0,
            request_headers=JSON_HEADERS,
            request_body='{"nik":"************8901","name":"Siti Rahayu"}',
            response_headers=JSON_HEADERS,
            response_body='{"match":true,"score":0.97}',
        ),
        _call(
            CREATE_VA,
            ORDER,
            "marketplace",
            "bank",
            "POST",
            "/v1.0/transfer-va/create-va",
            200,
            0.070,
            150.0,
            request_headers=JSON_HEADERS,
            request_body='{"partnerServiceId":"  88908","trxId":"ORD-1"}',
            response_headers=JSON_HEADERS,
            response_body='{"responseCode":"2002700","virtualAccountNo":"8890800001"}',
        ),
        _call(
            BALANCE,
            ORDER,
            "marketplace",
            "bank",
            "GET",
            "/v1.0/balance-inquiry",
            None,
            0.230,
            5.0,
            error="refused",
        ),
        _call(
            DETAIL,
            CHECKOUT,
            "social",
            "marketplace",
            "GET",
            "/api/v2/order/detail?order_sn=ORD-1&fields=a,b",
            404,
            0.320,
            20.0,
            response_headers=JSON_HEADERS,
            response_body='{"error":"order_not_found","message":"no such order"}',
        ),
        _call(
            PAYMENT_WEBHOOK,
            CREATE_VA,
            "bank",
            "marketplace",
            "POST",
            "/webhooks/snap/payment",
            200,
            2.0,
            60.0,
            request_headers=JSON_HEADERS,
            request_body='{"virtualAccountNo":"8890800001","paidAmount":{"value":"150000.00"}}',
            response_headers=(("content-type", "text/plain; charset=utf-8"),),
            response_body="OK",
        ),
        _call(
            ORDER_WEBHOOK,
            PAYMENT_WEBHOOK,
            "marketplace",
            "social",
            "POST",
            "/webhooks/orders",
            204,
            2.010,
            30.0,
            request_headers=(("content-type", "text/plain"),),
            request_body="order ORD-1 paid; " + "x" * 40 + "…[truncated 120 characters]",
            truncated=True,
        ),
    ]
