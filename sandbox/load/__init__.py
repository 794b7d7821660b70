"""Load on the integration: `sandbox run flash-sale` (Harbolnas 12.12).

`sale.py` plans a flash sale from the seeded world, runs its buyers through Locust in a child
process (`locustfile.py`, never imported here: Locust patches the standard library with gevent)
and checks the invariants over the institutions' tables; `report.py` turns the recorded calls
and the buyers' answers into the report.
"""
