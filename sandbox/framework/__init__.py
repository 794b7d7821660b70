"""The service framework every institution is built on; it imports no dialect.

`new_app` (app.py) gives an app offline docs, `/health`, the error frame (errors.py, with the
last-resort RequestGuard in guard.py) and its OpenAPI document as the service really behaves
(openapi.py, from the `@secured` marks in contract.py and the errors its code raises,
error_scan.py, which follows calls as call_types.py and code_index.py resolve them).
`ServiceEnv` (service.py) is what the runtime hands an institution: its wire, its seed slice,
its database path and its PartnerBook (partner_book.py). storage.py opens an institution's
SQLite file; forcing.py holds the states a developer forces on it.

Below it is `sandbox.wire` (transport and recording); above it, `sandbox.dialects` (each
institution's signing, httpx `Auth` and payload formats) and the services.
"""
