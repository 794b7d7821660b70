"""Signature dialects, one module per callee: what a caller signs and a callee verifies.

- `bank`: SNAP-style (Bank Indonesia's open-API payment standard): HMAC-SHA512 over
  method, path, token, body hash and timestamp. Real SNAP signs the token request with
  SHA256withRSA; the sandbox uses HMAC-SHA256 over the same string, as its docs say.
- `marketplace`: open-platform style: sorted query parameters, path and body wrapped in the
  app secret, hex HMAC-SHA256; webhooks signed over app key + raw body.
- `identity`: the civil registry's partner scheme: HMAC-SHA256 over method, path, body hash
  and timestamp, with the client id in a header.
"""
