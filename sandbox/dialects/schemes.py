"""Credentials that belong to no partner dialect: a person's session or PIN, a clerk's token.

Each partner dialect declares its own credentials in its module (`snap.SNAP_TRANSACTION`,
`open_platform.MARKETPLACE_SIGNED`, `registry.REGISTRY_SIGNED`, `vclaim.VCLAIM`,
`fhir.RECORDS_BEARER`), next to the code that signs; these are the people's and the staff's
ways in. Institutions mark the dependency that checks a credential with
`contract.secured(...)` and one of these.
"""

from __future__ import annotations

from sandbox.framework.contract import Security, api_key, bearer

IKD_LOGIN = Security({}, in_body="nik and pin in the JSON body.")
"""The IKD app's log-in: the person's NIK and IKD PIN are the credentials."""

IKD_SESSION = bearer("ikdSession", "The person's IKD session (POST /ikd/v1/sessions).")
"""The person in her IKD app (Dukcapil's digital ID app): her 15-minute session."""

REGISTRY_ADMIN = Security(
    {"adminKey": api_key("adminKey", "header", "X-Admin-Key", "The registry's own staff key.")}
)
"""The registry's admin API (fixtures and lessons)."""

PIN_LOGIN = Security({}, in_body="account_no and pin in the JSON body.")
"""The bank app's log-in: the person's account number and PIN are the credentials."""

SESSION = bearer("session", "A person's session token.")
"""A person's bearer session (the social app, the bank's mobile app)."""

DESK = bearer("deskToken", "A desk clerk's token.")
"""A hospital desk clerk's token."""
