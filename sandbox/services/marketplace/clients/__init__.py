"""Whom the marketplace calls: one client per institution, each in its own dialect.

`bank.py`: the bank's SNAP API (virtual accounts, direct debits, refunds), throttling and
retries included; `identity.py`: the civil registry (a seller's identity check).
"""
