"""A person's phone: what the institutions texted her, read from their own records.

The telephone network is not an API between institutions, so a text is never a recorded call.
An institution that sends texts keeps them and offers a reader on its app's state
(`app.state.sms_to(phone)`: the bank); the control API (`GET /sms`) and tests read through
`texts_to`, so a story can show her phone without the trace showing a call that never was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.runtime.models import IkdNotice, Sms


def texts_to(apps: Mapping[str, Any], phone: str) -> list[Sms]:
    """Every text any of these institutions sent to `phone`, oldest first."""
    found: list[Sms] = []
    for name, app in apps.items():
        read = getattr(getattr(app, "state", None), "sms_to", None)
        if not callable(read):
            continue
        found += [
            Sms(
                sender=name, phone=str(m["phone"]), text=str(m["text"]), sent_at=float(m["sent_at"])
            )
            for m in read(phone)
        ]
    return sorted(found, key=lambda m: m.sent_at)


def ikd_notices(apps: Mapping[str, Any], nik: str) -> list[IkdNotice]:
    """What the registry's IKD app showed the person with this NIK, oldest first
    (`app.state.ikd_notices_to(nik)`)."""
    found: list[IkdNotice] = []
    for app in apps.values():
        read = getattr(getattr(app, "state", None), "ikd_notices_to", None)
        if callable(read):
            found += [
                IkdNotice(
                    notification_id=str(n["notification_id"]),
                    request_id=n["request_id"],
                    title=str(n["title"]),
                    body=str(n["body"]),
                    status=n["status"],
                    created_at=float(n["created_at"]),
                )
                for n in read(nik)
            ]
    return sorted(found, key=lambda n: n.created_at)
