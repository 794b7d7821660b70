"""Turn what a person types in the filter box into a CallFilter.

`service:bank status:4xx checkout` means: calls to or from the bank, answered 4xx, whose
method, path or parties contain "checkout". Words without a prefix are the free text.
"""

from __future__ import annotations

from sandbox.runtime.models import CallFilter

OUTCOMES = ("2xx", "3xx", "4xx", "5xx", "failed")


def parse_filter(text: str) -> CallFilter:
    """Parse `service:NAME`, `status:CLASS` (or `outcome:`), `trace:ID` and free text."""
    service = outcome = trace_id = ""
    words: list[str] = []
    for word in text.split():
        key, _, value = word.partition(":")
        key = key.lower()
        if value and key in ("service", "svc", "s"):
            service = value.lower()
        elif value and key in ("status", "outcome") and value.lower() in OUTCOMES:
            outcome = value.lower()
        elif value and key == "trace":
            trace_id = value.lower()
        elif word.lower() in OUTCOMES:
            outcome = word.lower()
        else:
            words.append(word)
    return CallFilter(service=service, outcome=outcome, text=" ".join(words), trace_id=trace_id)
