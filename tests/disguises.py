"""Secrets and NIKs written every way a client could write them, to prove redaction holds.

Each disguise is a request a client could send (body, content type, extra headers, query) with
the secret or NIK it hides. The unit test feeds them to `redact` directly; the reliability
test sends them over real HTTP and scans every place a call is kept: trace.db, each export,
the log, copy-as-curl/httpx and the control API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

PIN = "444444"
"""A PIN no persona has, so a hit can only come from a disguise."""
SECRET = "zq9-Sekret-Tersembunyi-7731"
"""A client secret of no partner."""
TOKEN = "Vk3yT0kenRahasia0d9f2c1b"
"""An access token of nobody."""
NIK = "9971014107900042"
"""A well-formed synthetic NIK (province 99), not a seeded person's."""
NIK_LAST4 = NIK[-4:]


@dataclass(frozen=True, slots=True)
class Disguise:
    """One way to hide `secret` in a request."""

    name: str
    secret: str
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""


def _escaped(word: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in word)


def _fullwidth(digits: str) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def disguises() -> list[Disguise]:
    """At least 30 ways to hide a PIN, a secret, a token or a NIK in one request."""
    pin = json.dumps({"account_no": "9900000001", "pin": PIN})
    form = "application/x-www-form-urlencoded"
    grouped = "-".join(NIK[i : i + 4] for i in range(0, 16, 4))
    multipart = f'--xx\r\nContent-Disposition: form-data; name="pin"\r\n\r\n{PIN}\r\n--xx--\r\n'
    escaped = f'{{"{_escaped("pin")}":"{_escaped(PIN)}"}}'
    wide = json.dumps({"nik": _fullwidth(NIK)}, ensure_ascii=False)
    found = [
        Disguise("json pin", PIN, pin.encode()),
        Disguise("leading space", PIN, b" " + pin.encode()),
        Disguise("leading newline", PIN, b"\n\r\n\t" + pin.encode()),
        Disguise("utf-8 bom", PIN, b"\xef\xbb\xbf" + pin.encode()),
        Disguise("utf-16 json", PIN, pin.encode("utf-16")),
        Disguise("escaped key", PIN, b'{"\\u0070in":"' + PIN.encode() + b'"}'),
        Disguise("escaped key and value", PIN, escaped.encode()),
        Disguise("upper-case key", PIN, f'{{"PIN":"{PIN}"}}'.encode()),
        Disguise("pin as number", PIN, f'{{"pin":{PIN}}}'.encode()),
        Disguise("nested deep", PIN, json.dumps({"a": [{"b": {"c": [{"pin": PIN}]}}]}).encode()),
        Disguise(
            "nested beyond recursion",
            PIN,
            b'{"pin":"' + PIN.encode() + b'","x":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        ),
        Disguise("invalid json", PIN, f'{{"pin": "{PIN}",,}}'.encode()),
        Disguise("json in a string", PIN, json.dumps({"note": json.dumps({"pin": PIN})}).encode()),
        Disguise("form in a string", PIN, json.dumps({"note": f"pin={PIN}"}).encode()),
        Disguise("camel-case secret", SECRET, json.dumps({"clientSecret": SECRET}).encode()),
        Disguise("dashed secret", SECRET, json.dumps({"Client-Secret": SECRET}).encode()),
        Disguise("form secret", SECRET, f"client_id=x&client_secret={SECRET}".encode(), form),
        Disguise(
            "form key escaped", SECRET, f"client_id=x&client%5Fsecret={SECRET}".encode(), form
        ),
        Disguise("form without type", PIN, f"account_no=1&pin={PIN}".encode(), ""),
        Disguise(
            "multipart",
            PIN,
            multipart.encode(),
            "multipart/form-data; boundary=xx",
        ),
        Disguise("yaml text", PIN, f"account_no: 1\npin: {PIN}\n".encode(), "text/plain"),
        Disguise("query token", TOKEN, query=f"access_token={TOKEN}"),
        Disguise("query sign", TOKEN, query=f"app_key=k&sign={TOKEN}"),
        Disguise("query escaped name", TOKEN, query=f"acc%65ss_token={TOKEN}"),
        Disguise("bearer header", TOKEN, headers={"Authorization": f"Bearer {TOKEN}"}),
        Disguise("underscore header", TOKEN, headers={"X_Signature": TOKEN}),
        Disguise("bearer in other header", TOKEN, headers={"X-Forwarded-Auth": f"Bearer {TOKEN}"}),
        Disguise("api key header", TOKEN, headers={"X-Api-Key": TOKEN}),
        Disguise("cookie header", TOKEN, headers={"Cookie": f"session={TOKEN}"}),
        Disguise("nik in json", NIK, json.dumps({"nik": NIK}).encode()),
        Disguise("nik as number", NIK, f'{{"nik":{NIK}}}'.encode()),
        Disguise("nik escaped", NIK, f'{{"nik":"{_escaped(NIK[:3])}{NIK[3:]}"}}'.encode()),
        Disguise("nik 4-4-4-4", NIK, json.dumps({"nik": grouped}).encode()),
        Disguise("nik 6-6-4", NIK, f'{{"ktp":"{NIK[:6]} {NIK[6:12]} {NIK[12:]}"}}'.encode()),
        Disguise("nik fullwidth", _fullwidth(NIK[:12]), wide.encode()),
        Disguise("nik in query", NIK, query=f"nik={NIK}"),
        Disguise("nik percent-encoded", NIK, query="nik=" + "".join(f"%3{d}" for d in NIK)),
        Disguise("nik in a header", NIK, headers={"X-Customer": NIK}),
        Disguise("nik in form", NIK, f"nik={NIK}&name=x".encode(), form),
        Disguise("nik in text", NIK, f"customer {NIK} called".encode(), "text/plain"),
    ]
    return found


def exposed(secret: str, text: str) -> bool:
    """Whether `secret` shows in `text`, as written or once JSON/percent escapes are decoded.

    A digit secret counts only where it stands on its own (see `tests.leaks`): six digits of
    a PIN inside a nanosecond timestamp are chance, not a leak.
    """
    from urllib.parse import unquote

    from tests.leaks import leaks

    views = [text, unquote(text)]
    if "\\u" in text:
        views.append(_unescaped(text))
    return any(leaks(secret, view) for view in views)


def _unescaped(text: str) -> str:
    import re

    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
