"""One way to ask whether a secret shows in an export, shared by the leak tests."""

from __future__ import annotations

import re


def leaks(secret: str, text: str) -> bool:
    """Whether `secret` shows in `text`; a digit secret only where it stands on its own.

    A six-digit PIN turns up by chance inside a nanosecond timestamp now and then, which
    is no leak; the same digits between quotes or spaces are.
    """
    if secret.isdigit():
        return re.search(rf"(?<!\d){secret}(?!\d)", text) is not None
    return secret in text
