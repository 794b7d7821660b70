"""What happened: recorded calls, the live event stream, the trace store and its exporters.

Imports nothing else from the sandbox, so every other layer may use it.
"""
