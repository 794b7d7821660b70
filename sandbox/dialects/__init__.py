"""Each institution's dialect, one module (or small package) per dialect, used by both sides.

A dialect module holds how a caller signs and a callee verifies (the string to sign and the
check), the httpx `Auth` a partner sends its calls with, its credentials as the OpenAPI
documents declare them (`contract.Security`) and its own error schema and payload formats:

- `snap/`: the bank's SNAP BI (token, transaction and notification signatures, `SnapAuth`,
  `SNAP_ERROR`); `snap/payment.py`: the payment notification every biller receives;
- `open_platform`: the marketplace's open platform (app_key and `sign`, its webhook signature,
  `MarketplaceAuth`);
- `registry`: the civil registry's partner signature (`IdentityAuth`);
- `vclaim`: the insurer's VClaim headers (`InsuranceAuth`, `VCLAIM_ERROR`);
- `fhir`: the records platform's OAuth 2 token (`RecordsAuth`, `FHIR_ERROR`).

Shared by them: `common` (body hashing, timestamps, freshness, the replay guard, token expiry).
Across dialects: `partners` picks the right `Auth` from a partner's credentials; `schemes`
declares the credentials that are no partner's (sessions, PIN log-ins, desk and admin keys);
`consent_check` asks the registry whether a consent quoted to the records platform or the
insurer holds; `nik` is a NIK's public layout.

The same code serves both sides, so a caller and a callee can never disagree on a recipe. It
sits on `sandbox.framework` (errors, OpenAPI declarations) and `sandbox.wire`.
"""
