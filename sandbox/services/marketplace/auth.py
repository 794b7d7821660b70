"""Who may call the open platform, and proof that a request really comes from them.

A partner app holds an `app_key` and `app_secret`. It trades them for an
access token at `POST /oauth/token` (HTTP Basic), then signs every request: the query carries
`app_key`, `timestamp` (Unix seconds), `nonce` and `sign`, the header `x-tts-access-token`.
Each check below fails with its own 401 so an integrator knows exactly what to fix.

Partners have a role: a "channel" (a storefront such as the social app) places and reads
orders; a "courier" picks paid orders up and reports tracking events. Each endpoint is for one
role, and the other gets a 403 `wrong_partner_role`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from sandbox.dialects import open_platform as platform
from sandbox.dialects.common import FRESHNESS_SECONDS, ReplayGuard, digits
from sandbox.dialects.snap import payment as snap_payment
from sandbox.framework.partner_book import PartnerBook
from sandbox.services.marketplace import errors
from sandbox.services.marketplace.rules import APP_CHANNEL, PARTNER_ROLES, TOKEN_LIFETIME_SECONDS
from sandbox.services.marketplace.store import MarketplaceStore
from sandbox.wire import attribution


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner app allowed to call us (from our `PartnerBook`)."""

    name: str
    """The partner's service slug, e.g. "social": where its webhooks go."""
    app_key: str
    app_secret: str
    fs_id: int
    """The partner's id in our paths: /api/v2/fs/{fs_id}/..."""
    webhook_path: str
    role: str = "channel"
    """"channel" (places orders) or "courier" (carries paid orders)."""


def _partner(name: str, creds: Mapping[str, Any]) -> Partner:
    """A partner from its credentials; a ValueError names what is wrong with them."""
    role = creds.get("role", "channel")
    if role not in PARTNER_ROLES:
        raise ValueError(
            f"marketplace partner {name!r} has role {role!r}; use one of {', '.join(PARTNER_ROLES)}"
        )
    if name == APP_CHANNEL:
        raise ValueError(
            f"a marketplace partner may not be named {APP_CHANNEL!r}: that channel is "
            "Pasarloka's own buyer app"
        )
    return Partner(
        name,
        creds["app_key"],
        creds["app_secret"],
        int(creds["fs_id"]),
        creds["webhook_path"],
        role,
    )


WEBHOOK_KIND = "order_status"


def webhook_kind(partner: Partner) -> str:
    """Outbox kind per partner, so each partner's webhooks are signed with its own secret."""
    return f"{WEBHOOK_KIND}:{partner.name}"


def require_role(partner: Partner, needed: str) -> Partner:
    """The partner, if it has the role an endpoint needs; else a 403 `wrong_partner_role`."""
    if partner.role != needed:
        raise errors.wrong_partner_role(needed, partner.role)
    return partner


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PartnerGate:
    """Issues access tokens and verifies signed partner requests."""

    def __init__(
        self, book: PartnerBook, store: MarketplaceStore, clock: Callable[[], float]
    ) -> None:
        self.book = book
        self.by_key: dict[str, Partner] = {}
        self.by_name: dict[str, Partner] = {}
        self.load(book.accepts)
        book.on_change(self.load)  # a partner registered while we run is let in at once
        self.store = store
        self.clock = clock
        self.replays = ReplayGuard(store.db)  # kept in our database: survives a restart

    def load(self, accepts: Mapping[str, Mapping[str, Any]]) -> None:
        """Take these partners (all of them, or none if one is wrong: a ValueError says why)."""
        by_key = {
            creds["app_key"]: _partner(name, creds)
            for name, creds in accepts.items()
            if "app_key" in creds
        }
        self.by_key, self.by_name = by_key, {p.name: p for p in by_key.values()}

    def courier(self) -> Partner | None:
        """The courier paid orders go to: the first courier partner by name, if any."""
        couriers = sorted(
            (p for p in self.by_name.values() if p.role == "courier"), key=lambda p: p.name
        )
        return couriers[0] if couriers else None

    # --- POST /oauth/token ------------------------------------------------------------------

    def issue_token(self, authorization: str | None, form: bytes) -> dict[str, Any]:
        """Client-credentials grant: Basic app_key:app_secret -> a 2-hour bearer token."""
        partner = self._basic_auth(authorization)
        grant = parse_qs(form.decode("utf-8", "replace")).get("grant_type", [None])[0]
        if grant != "client_credentials":
            raise errors.bad_request(
                "unsupported_grant_type",
                "Send the form field grant_type=client_credentials "
                "(Content-Type: application/x-www-form-urlencoded).",
            )
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.store.save_token(_hash(token), partner.app_key, now + TOKEN_LIFETIME_SECONDS, now)
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}

    def _basic_auth(self, authorization: str | None) -> Partner:
        if not authorization or not authorization.lower().startswith("basic "):
            raise errors.unauthorized(
                "missing_basic_auth",
                "Send HTTP Basic auth: your app_key as user name, your app_secret as password.",
            )
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 inside
            decoded = ""
        app_key, colon, app_secret = decoded.partition(":")
        if not colon:
            raise errors.unauthorized(
                "invalid_basic_auth", "The Basic credentials are not base64 of app_key:app_secret."
            )
        self.book.refresh()  # a partner registered a moment ago is known now
        partner = self.by_key.get(app_key)
        if partner is None:
            raise errors.unauthorized("unknown_app_key", f"No partner app has app_key {app_key!r}.")
        if not hmac.compare_digest(partner.app_secret.encode(), app_secret.encode()):
            raise errors.unauthorized(
                "invalid_app_secret", "The app_secret does not match this app_key."
            )
        attribution.verified(partner.name)
        return partner

    # --- every signed partner request -------------------------------------------------------

    def verify(
        self,
        path: str,
        params: Mapping[str, str],
        body: bytes,
        access_token: str | None,
        fs_id: int,
    ) -> Partner:
        """The partner behind a signed request, or ApiError (401 bad proof, 403 wrong fs_id)."""
        partner = self._app(params.get("app_key"))
        self._check_timestamp(params.get("timestamp"))
        nonce = params.get("nonce")
        if not nonce:
            raise errors.unauthorized(
                "missing_nonce", "Add a random `nonce` query parameter, new for each request."
            )
        self._check_sign(partner, path, params, body)
        self._check_token(partner, access_token)
        # Only a request that proved everything else uses up its nonce. A captured request sent
        # again within the freshness window has the same nonce (changing it breaks the sign).
        if not self.replays.first_time(f"{partner.app_key}:{nonce}", self.clock()):
            raise errors.unauthorized(
                "replayed_request", "This nonce was already used; sign each request anew."
            )
        # A replay proves nothing about who sends it, so only a first use names the partner.
        attribution.verified(partner.name)
        if fs_id != partner.fs_id:
            raise errors.wrong_shop_scope(fs_id, partner.fs_id)
        return partner

    def _app(self, app_key: str | None) -> Partner:
        if not app_key:
            raise errors.unauthorized("missing_app_key", "Add the `app_key` query parameter.")
        self.book.refresh()
        partner = self.by_key.get(app_key)
        if partner is None:
            raise errors.unauthorized("unknown_app_key", f"No partner app has app_key {app_key!r}.")
        return partner

    def _check_timestamp(self, value: str | None) -> None:
        if not value:
            raise errors.unauthorized(
                "missing_timestamp", "Add the `timestamp` query parameter (Unix seconds)."
            )
        if not digits(value, 12):
            raise errors.unauthorized(
                "invalid_timestamp", f"timestamp {value!r} is not Unix seconds (e.g. 1709280000)."
            )
        if abs(self.clock() - int(value)) > FRESHNESS_SECONDS:
            raise errors.unauthorized(
                "stale_timestamp",
                f"timestamp is more than {FRESHNESS_SECONDS} seconds away from "
                "the server's clock; sign with the current time.",
            )

    def _check_sign(
        self, partner: Partner, path: str, params: Mapping[str, str], body: bytes
    ) -> None:
        given = params.get("sign")
        if not given:
            raise errors.unauthorized("missing_sign", "Add the `sign` query parameter.")
        expected = platform.request_signature(partner.app_secret, path, params, body)
        if not platform.matches(expected, given):
            raise errors.unauthorized(
                "invalid_sign",
                "sign does not match: HMAC-SHA256 with your app_secret over "
                "secret + path + sorted key+value params (without sign and access_token) + raw "
                "body + secret, in lower-case hex.",
            )

    def _check_token(self, partner: Partner, access_token: str | None) -> None:
        if not access_token:
            raise errors.unauthorized(
                "missing_access_token",
                "Add the x-tts-access-token header with a token from POST /oauth/token.",
            )
        row = self.store.token(_hash(access_token))
        if row is None:
            raise errors.unauthorized(
                "invalid_access_token", "The access token is unknown; get one at POST /oauth/token."
            )
        if row["app_key"] != partner.app_key:
            raise errors.unauthorized(
                "token_app_mismatch", "The access token was issued to another app_key."
            )
        if self.clock() >= row["expires_at"]:
            raise errors.unauthorized(
                "expired_access_token", "The access token has expired; get a new one."
            )


class BankNotifications(snap_payment.NotificationGate):
    """Verifies that a payment notification really comes from our bank (SNAP signature).

    The check is every biller's (dialects/snap/payment.py: NotificationGate): our partner id,
    a fresh timestamp, then the signature made with the notification secret we share with the
    bank. The direct-debit notification (service 56) asks the same gate for the problem and
    answers it in its own SNAP service code.
    """
