"""Each dialect's credentials as the OpenAPI documents declare them, next to `signing/`.

The descriptions hold the exact string to sign, the same recipe `signing/` implements, so a
developer can write a client from `/openapi.json` alone. Institutions mark the dependency
that checks a credential with `contract.secured(...)` and one of these.
"""

from __future__ import annotations

from sandbox.dialects.signing.bank import NOTIFICATION_PROBLEMS
from sandbox.framework.contract import Security, api_key, bearer, header, query

_TIMESTAMP_ISO = (
    "Local ISO-8601 time with offset, e.g. 2024-03-01T15:00:00+07:00; 5 minutes of skew."
)

SNAP_TOKEN = Security(
    {"snapClientKey": api_key("snapClientKey", "header", "X-CLIENT-KEY", "Your client key.")},
    (
        header("X-TIMESTAMP", _TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA256(client secret, X-CLIENT-KEY + '|' + X-TIMESTAMP)). "
            "(Real SNAP signs the same string with SHA256withRSA.)",
        ),
    ),
)
"""SNAP's B2B access-token request (service 73)."""

SNAP_TRANSACTION = Security(
    {"snapAccessToken": {"type": "http", "scheme": "bearer", "description": "The B2B token."}},
    (
        header("X-TIMESTAMP", _TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA512(client secret, METHOD + ':' + path + ':' + access token + ':' "
            "+ lowerhex(sha256(minified body)) + ':' + X-TIMESTAMP)).",
        ),
        header("X-PARTNER-ID", "Your client key."),
        header("X-EXTERNAL-ID", "Unique per partner and day: a repeat is 409xx00."),
        header("CHANNEL-ID", "SNAP channel id, e.g. 95221."),
    ),
)
"""A SNAP transaction signed with the B2B token."""

SNAP_CUSTOMER = Security(
    {
        **SNAP_TRANSACTION.schemes,
        "snapCustomerToken": api_key(
            "snapCustomerToken",
            "header",
            "Authorization-Customer",
            "'Bearer <customer token>' from the account binding.",
        ),
    },
    SNAP_TRANSACTION.parameters,
)
"""A SNAP transaction on behalf of a bound customer."""

SNAP_NOTIFICATION = Security(
    {"snapPartnerId": api_key("snapPartnerId", "header", "X-PARTNER-ID", "The sender's id.")},
    (
        header("X-TIMESTAMP", _TIMESTAMP_ISO),
        header(
            "X-SIGNATURE",
            "base64(HMAC-SHA512(notification secret, METHOD + ':' + path + ':' + "
            "lowerhex(sha256(minified body)) + ':' + X-TIMESTAMP)).",
        ),
        header("X-EXTERNAL-ID", "The notification's unique id."),
    ),
    errors={401: NOTIFICATION_PROBLEMS},
)
"""A SNAP notification the bank sends a biller."""

MARKETPLACE_TOKEN = Security(
    {
        "appKeyBasic": {
            "type": "http",
            "scheme": "basic",
            "description": "app_key:app_secret; form body grant_type=client_credentials.",
        }
    }
)
"""The open platform's token endpoint (OAuth 2 client credentials, client_secret_basic)."""

MARKETPLACE_SIGNED = Security(
    {
        "appKey": api_key("appKey", "query", "app_key", "Your app key."),
        "accessToken": api_key(
            "accessToken", "header", "x-tts-access-token", "The token from POST /oauth/token."
        ),
    },
    (
        query("timestamp", "Unix seconds; 5 minutes of skew.", pattern="^[0-9]{1,12}$"),
        query("nonce", "Fresh for every request (a replay is refused)."),
        query(
            "sign",
            "hex(HMAC-SHA256(app secret, app secret + path + every query parameter but sign "
            "and access_token sorted by name as name+value + raw body + app secret)).",
        ),
    ),
)
"""A signed open-platform request."""

MARKETPLACE_WEBHOOK = Security(
    {
        "webhookSignature": api_key(
            "webhookSignature",
            "header",
            "Authorization",
            "hex(HMAC-SHA256(app secret, app_key + raw body)).",
        )
    }
)
"""A webhook the marketplace sends a partner."""

REGISTRY_SIGNED = Security(
    {"registryClientId": api_key("registryClientId", "header", "X-Client-Id", "Client id.")},
    (
        header("X-Timestamp", _TIMESTAMP_ISO),
        header("X-Nonce", "Fresh for every request, at most 64 characters."),
        header(
            "X-Signature",
            "hex(HMAC-SHA256(client secret, METHOD + ':' + path + ':' + "
            "lowerhex(sha256(minified body)) + ':' + X-Timestamp + ':' + X-Nonce)).",
        ),
    ),
)
"""A partner's signed request to the civil registry."""

REGISTRY_WEBHOOK = Security(
    {
        "registryWebhook": api_key(
            "registryWebhook",
            "header",
            "X-Client-Id",
            "Your own client id at the registry: it signs the webhook with your client secret.",
        )
    },
    REGISTRY_SIGNED.parameters,
)
"""A webhook from the civil registry (the person's answer to a consent request), signed as a
partner signs its requests there, with the receiving partner's own secret."""

IKD_LOGIN = Security({}, in_body="nik and pin in the JSON body.")
"""The IKD app's log-in: the person's NIK and IKD PIN are the credentials."""

IKD_SESSION = bearer("ikdSession", "The person's IKD session (POST /ikd/v1/sessions).")
"""The person in her IKD app (Dukcapil's digital ID app): her 15-minute session."""

REGISTRY_ADMIN = Security(
    {"adminKey": api_key("adminKey", "header", "X-Admin-Key", "The registry's own staff key.")}
)
"""The registry's admin API (fixtures and lessons)."""

RECORDS_TOKEN = Security({}, in_body="Form fields client_id and client_secret.")
"""The token endpoint itself: client_id and client_secret travel in its form body."""

PIN_LOGIN = Security({}, in_body="account_no and pin in the JSON body.")
"""The bank app's log-in: the person's account number and PIN are the credentials."""

RECORDS_BEARER = Security(
    {
        "satusehatOAuth": {
            "type": "oauth2",
            "description": "Client credentials in the form body; the token lasts 3599 s.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/oauth2/v1/accesstoken?grant_type=client_credentials",
                    "scopes": {},
                }
            },
        }
    }
)
"""A facility's bearer token at the records platform (OAuth 2 client credentials)."""

VCLAIM = Security(
    {"consId": api_key("consId", "header", "X-cons-id", "Your consumer id.")},
    (
        header("X-timestamp", "Unix seconds, as a string.", pattern="^[0-9]{1,12}$"),
        header(
            "X-signature",
            "base64(HMAC-SHA256(consumer secret, X-cons-id + '&' + X-timestamp)).",
        ),
        header("user_key", "Your user key."),
    ),
)
"""VClaim's four headers."""

SESSION = bearer("session", "A person's session token.")
"""A person's bearer session (the social app, the bank's mobile app)."""

DESK = bearer("deskToken", "A desk clerk's token.")
"""A hospital desk clerk's token."""
