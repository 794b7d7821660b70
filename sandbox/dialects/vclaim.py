"""Client side of the insurer's VClaim-style API: an httpx `Auth` that stamps every request.

It lives apart from `sandbox.dialects.auth` only because it was added later; it is used the
same way:

    auth = InsuranceAuth(cons_id, secret, user_key, clock)
    await client.get("/vclaim-rest/Peserta/nik/9971015403960001/tglSEP/2024-03-01", auth=auth)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx

from sandbox.dialects.signing import insurance as vclaim

Clock = Callable[[], float]


class InsuranceAuth(httpx.Auth):
    """Adds `X-cons-id`, `X-timestamp`, `X-signature` and `user_key` to every request."""

    def __init__(self, cons_id: str, secret: str, user_key: str, clock: Clock = time.time) -> None:
        self.cons_id = str(cons_id)
        self.secret = secret
        self.user_key = user_key
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ts = str(int(self.clock()))  # whole Unix seconds, sent as a string
        request.headers["X-cons-id"] = self.cons_id
        request.headers["X-timestamp"] = ts
        request.headers["X-signature"] = vclaim.signature(self.cons_id, self.secret, ts)
        request.headers["user_key"] = self.user_key
        yield request
