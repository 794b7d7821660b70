"""Each institution's dialect: how a caller signs and a callee verifies, its payload formats.

- `signing/`: the signature strings, one module per callee (bank: SNAP; marketplace: the open
  platform; identity: the civil registry; insurance: VClaim), with `common` (body hashing,
  timestamps, freshness, replays);
- `auth.py` (SNAP, open platform, registry), `fhir.py` (the records platform's token) and
  `vclaim.py` (the insurer): the httpx `Auth` a partner sends its calls with; `partners.py`
  picks the right one from a partner's credentials;
- `schemes.py`: each dialect's credentials as the OpenAPI documents declare them;
- `snap_payment.py`: the SNAP payment notification every biller receives; `nik.py`: a NIK's
  public layout; `consent_check.py`: asking the registry whether a quoted consent holds.

The same code serves both sides, so a caller and a callee can never disagree on a recipe. It
sits on `sandbox.framework` (errors, OpenAPI declarations) and `sandbox.wire`.
"""
