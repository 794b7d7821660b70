"""Small stand-ins for the bank, the registry and the storefront, used by marketplace tests.

They speak just enough of each contract (docs/contracts.md) to let the marketplace's behaviour
be checked exactly: what it sent, whether it signed it right, and how it reacts to failures.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sandbox.dialects import registry, snap


class FakeBank:
    """A SNAP bank whose create-va can succeed, fail (500/400) or time out."""

    TOKEN = "fake-bank-token"

    def __init__(self, creds: dict[str, Any], create: str = "ok", status: str = "none") -> None:
        self.creds = creds
        self.create = create
        """ok | error500 | refuse400 | timeout"""
        self.status = status
        """none (VA unknown) | unpaid (VA exists)"""
        self.delete = "ok"
        """ok | timeout | paid (the VA was paid: SNAP 4043114)"""
        self.calls: list[tuple[str, dict[str, Any], bool]] = []
        """(path, body, signature valid) of every transaction call."""
        self.app = FastAPI()
        self.app.add_api_route("/v1.0/access-token/b2b", self.token, methods=["POST"])
        self.app.add_api_route("/v1.0/transfer-va/create-va", self.create_va, methods=["POST"])
        self.app.add_api_route("/v1.0/transfer-va/status", self.va_status, methods=["POST"])
        self.app.add_api_route("/v1.0/transfer-va/delete-va", self.delete_va, methods=["DELETE"])

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.calls]

    async def token(self) -> dict[str, Any]:
        return {
            "responseCode": "2007300",
            "responseMessage": "Successful",
            "accessToken": self.TOKEN,
            "tokenType": "Bearer",
            "expiresIn": "900",
        }

    async def _record(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        expected = snap.transaction_signature(
            self.creds["client_secret"],
            request.method,
            request.url.path,
            self.TOKEN,
            raw,
            request.headers.get("x-timestamp", ""),
        )
        valid = (
            snap.matches(expected, request.headers.get("x-signature"))
            and request.headers.get("x-partner-id") == self.creds["partner_id"]
        )
        body: dict[str, Any] = json.loads(raw)
        self.calls.append((request.url.path, body, valid))
        return body

    async def create_va(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        if self.create == "timeout":
            raise httpx.ReadTimeout("the fake bank took too long")
        if self.create == "error500":
            return JSONResponse(
                {
                    "responseCode": "5002700",
                    "responseMessage": "General Error",
                    "code": "general_error",
                    "message": "down",
                },
                status_code=500,
            )
        if self.create == "refuse400":
            return JSONResponse(
                {
                    "responseCode": "4002702",
                    "responseMessage": "Invalid Mandatory Field expiredDate",
                    "code": "missing_field",
                    "message": "expiredDate",
                },
                status_code=400,
            )
        return JSONResponse(
            {"responseCode": "2002700", "responseMessage": "Successful", "virtualAccountData": body}
        )

    async def va_status(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        if self.status == "unpaid":
            return JSONResponse(
                {
                    "responseCode": "2002600",
                    "responseMessage": "Successful",
                    "virtualAccountData": {**body, "paymentFlagStatus": "01"},
                }
            )
        return JSONResponse(
            {
                "responseCode": "4042612",
                "responseMessage": "Invalid Bill/Virtual Account [Not Found]",
                "code": "va_not_found",
                "message": "no such VA",
            },
            status_code=404,
        )

    async def delete_va(self, request: Request) -> JSONResponse:
        await self._record(request)
        if self.delete == "timeout":
            raise httpx.ReadTimeout("the fake bank took too long")
        if self.delete == "paid":
            return JSONResponse(
                {
                    "responseCode": "4043114",
                    "responseMessage": "Paid Bill",
                    "code": "va_already_paid",
                    "message": "paid",
                },
                status_code=404,
            )
        return JSONResponse({"responseCode": "2003100", "responseMessage": "Successful"})


class FakeRegistry:
    """A civil registry that takes consent requests, answers them as `answer` says (her answer
    in her IKD app), and answers verify with preset flags."""

    def __init__(
        self,
        creds: dict[str, Any],
        flags: dict[str, str] | None = None,
        found: bool = True,
        fail: bool = False,
        answer: str = "APPROVED",
    ) -> None:
        self.creds = creds
        self.flags = flags
        self.found = found
        self.fail = fail
        self.answer = answer
        """How she answered the request: PENDING, APPROVED, DECLINED or EXPIRED."""
        self.calls: list[tuple[str, dict[str, Any], bool]] = []
        self.app = FastAPI()
        self.app.add_api_route("/v1/consent-requests", self.consent, methods=["POST"])
        self.app.add_api_route(
            "/v1/consent-requests/{request_id}", self.consent_request, methods=["GET"]
        )
        self.app.add_api_route("/v1/verify", self.verify, methods=["POST"])

    async def _record(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        h = request.headers
        expected = registry.signature(
            self.creds["client_secret"],
            request.method,
            request.url.path,
            raw,
            h.get("x-timestamp", ""),
            h.get("x-nonce", ""),
        )
        valid = h.get("x-client-id") == self.creds["client_id"] and registry.matches(
            expected, h.get("x-signature")
        )
        body: dict[str, Any] = json.loads(raw) if raw else {}
        self.calls.append((request.url.path, body, valid))
        return body

    async def consent(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        if self.fail:
            return JSONResponse({"code": "internal_error", "message": "down"}, status_code=500)
        return JSONResponse(
            {
                "request_id": "CRQ-0001",
                "status": "PENDING",
                "nik_last4": body["nik"][-4:],
                "purpose": body["purpose"],
                "scopes": body["scopes"],
                "partner": "marketplace",
            },
            status_code=202,
        )

    async def consent_request(self, request: Request) -> JSONResponse:
        await self._record(request)
        approved = self.answer == "APPROVED"
        return JSONResponse(
            {
                "request_id": request.path_params["request_id"],
                "status": self.answer,
                "consent_id": "CNS-0001" if approved else None,
            }
        )

    async def verify(self, request: Request) -> dict[str, Any]:
        body = await self._record(request)
        sent = [k for k in ("nama_lgkp", "tmpt_lhr", "tgl_lhr", "jenis_klmin") if k in body]
        fields = {
            k: (self.flags or {}).get(k, "SESUAI" if self.found else "TIDAK SESUAI") for k in sent
        }
        return {
            "verification_id": "VRF-0001",
            "nik_last4": body["nik"][-4:],
            "found": self.found,
            "fields": fields,
            "name_score": 100,
            "purpose": body["purpose"],
            "consent_id": body["consent_id"],
        }


class FakeStorefront:
    """Receives the marketplace's webhooks and keeps them (headers and raw body)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = FastAPI()
        self.app.add_api_route("/webhooks/marketplace", self.webhook, methods=["POST"])

    async def webhook(self, request: Request) -> dict[str, str]:
        self.received.append((dict(request.headers), await request.body()))
        return {"code": "ok"}

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]
