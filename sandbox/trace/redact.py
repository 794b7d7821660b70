"""Secrets never reach the store, an export, a log or the screen: they are removed when a call is
recorded.

Redacted: credential headers (Authorization, signatures, client keys, tokens, cookies, the
recorder's own proof), signing query parameters and form fields, and JSON fields that hold
secrets (tokens, PINs, client secrets). Every NIK (16 digits, also written 4-4-4-4, 6-6-4 or
2-2-2-6-4) is masked to its last four digits, as the registry's rules ask of any log.

A secret must not slip through because of how a body is written, so a body is read the way the
institutions themselves read it: JSON whatever its leading whitespace, byte-order mark or
encoding (UTF-8, 16 or 32, detected as `json.loads` does), with `\\u` escapes decoded before a
field name is compared; form bodies and query strings pair by pair (percent-escapes decoded
for the comparison, the rest kept byte for byte); anything else (invalid JSON, multipart, plain
text) by pattern. A body nested deeper than the parser can follow is replaced by a plain mark.
Field names are compared without case, `_`, `-`, `.` or spaces, so `clientSecret`,
`Client-Secret` and `client_secret` are the same name.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MASK = "[redacted]"
UNREADABLE = "[body not recorded: nested too deeply to redact safely ({size} bytes)]"
"""What replaces a body the recorder cannot read: the call is kept, its content is not."""
_SEPARATORS = str.maketrans("", "", " _-.")
SECRET_NAMES = frozenset(
    {
        "pin",
        "otp",
        "password",
        "passwd",
        "passcode",
        "secret",
        "sign",
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "userkey",
        "apikey",
        "xapikey",
        "adminkey",
        "xadminkey",
        "clientkey",
        "xclientkey",
        "privatekey",
        "xsandboxrecorded",
        "xsandboxtoken",
    }
)
"""Normalized names (lower case, no `_ - .` or spaces) whose values are always secret."""
SECRET_SUFFIXES = ("secret", "password", "token", "signature", "passcode")
"""A name ending in one of these is secret too (`access_token`, `X-SIGNATURE`, `app_secret`)."""
_FRAGMENTS = ("pin", "otp", "pass", "secret", "sign", "auth", "cookie", "key", "token", "recorded")
"""Every secret name contains one of these words: a body without any skips the slow paths."""
SECRET_FIELDS = frozenset(
    {
        "accesstoken",
        "access_token",
        "refreshtoken",
        "refresh_token",
        "client_secret",
        "clientsecret",
        "app_secret",
        "pin",
        "password",
        "secret",
        "session_token",
        "token",
        "notification_secret",
    }
)
"""Kept for callers that used the old exact-name list; `secret_name` is the rule now."""
_NIK = re.compile(
    # The first digit comes first, so the engine can skip quickly to digits; the lookbehind
    # after it makes sure no digit stands right before the NIK.
    r"\d(?<!\d\d)(?:\d{11}(\d{4})"
    r"|\d{3}([ -])\d{4}\2\d{4}\2(\d{4})"
    r"|\d{5}([ -])\d{6}\4(\d{4})"
    r"|\d([ .-])\d{2}\6\d{2}\6\d{6}\6(\d{4}))(?!\d)"
)
"""A NIK: 16 digits on their own, or grouped the ways people write them."""
_SHAPE = bytes(
    ord("0") if 48 <= c <= 57 else ord("s") if chr(c) in " .-" else ord("x") for c in range(256)
)
"""ASCII text's shape for `_could_hold_nik`: each digit a `0`, each separator an `s`."""
_NIK_SHAPES = (b"0" * 16, b"0000s0000", b"00s00s00s0000")
"""What the shape of every NIK `_NIK` matches contains: 16 digits, or 4-4-4-4 (and 6-6-4,
whose 6-6 holds a 4-4), or 2-2-2-6-4."""
_SECRET_TOKENS = re.compile(r"\b(sess|lnk|tok|adm)_[0-9a-zA-Z]{8,}")
_TOKEN_PREFIXES = ("sess_", "lnk_", "tok_", "adm_")
_CHECKOUT = re.compile(r"(\\?/checkout\\?/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}")
"""A checkout link's token: whoever holds the link may pay (and, once her account is bound,
debit her without a code), so like a session token it is kept to its first four characters -
enough to tell two orders apart on a projected map, not enough to use."""
_CREDENTIAL_VALUE = re.compile(r"(?i)\s*(bearer|basic|digest|hmac[-\w]*)\s+\S")
_JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.){1,100})"\s*:\s*("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)')
_KEY = re.compile(r"([A-Za-z0-9_.%\-]{1,100})[ \t]*([=:])[ \t]*")
"""A name followed by `=` or `:`; only a secret one's value is then read and masked, so the
value of any other name cannot hide a secret assignment that follows inside it."""
_VALUE = re.compile(r"""("[^"\r\n]*"?|'[^'\r\n]*'?|[^\s&,;"']+)""")
_MULTIPART = re.compile(
    r'(?i)name="([^"\r\n]{1,100})"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)'
)
_JSON_START = ("{", "[")
_FORM_TYPE = "application/x-www-form-urlencoded"
_FORM_LIKE = re.compile(r"[^\s=&{}\[\]\"]{1,200}=[^\s&]*(?:&[^\s=&]{1,200}(?:=[^\s&]*)?)*")


def secret_name(name: str) -> bool:
    """Whether a header, parameter, field or column called `name` holds a secret."""
    known = _NAMES_SEEN.get(name)
    if known is not None:
        return known
    key = name.lower().translate(_SEPARATORS)
    secret = key in SECRET_NAMES or key.endswith(SECRET_SUFFIXES)
    if len(_NAMES_SEEN) < 4096:  # the same few dozen names come back on every call
        _NAMES_SEEN[name] = secret
    return secret


_NAMES_SEEN: dict[str, bool] = {}


def mask_nik(text: str) -> str:
    """Replace every NIK with twelve asterisks and its last four digits."""
    if not _could_hold_nik(text):
        return text
    return _NIK.sub(_masked, text)


def _could_hold_nik(text: str) -> bool:
    """False only when `text` surely holds no NIK: a quick look before the regex.

    `_NIK` tries a match at every digit, about 6 us for a product card with its prices and
    ids, on every recorded call. Mapping ASCII text to its shape (`bytes.translate`, in C) and
    looking for the shapes every NIK has costs a tenth of that. Text beyond ASCII goes to the
    regex, whose `\\d` also matches other scripts' digits.
    """
    if not text.isascii():
        return True
    shape = text.encode().translate(_SHAPE)
    a, b, c = _NIK_SHAPES
    return a in shape or b in shape or c in shape


def _masked(match: re.Match[str]) -> str:
    last4 = next(group for group in match.groups()[::-1] if group and group[0].isdigit())
    return "*" * 12 + last4


def _may_hold_secret(text: str) -> bool:
    """A quick look for any secret name (or a `\\u` escape that could spell one).

    Plain substring tests: a case-insensitive regex alternation over the same names measured
    several times slower than the JSON round trip it is meant to avoid.
    """
    probe = text.lower()
    return "\\u" in probe or any(fragment in probe for fragment in _FRAGMENTS)


def _tidy(text: str) -> str:
    """NIKs masked and prefixed tokens (sessions, link tokens) and checkout links' tokens
    cut, in any text."""
    text = mask_nik(text)
    if "_" in text and any(prefix in text for prefix in _TOKEN_PREFIXES):
        text = _SECRET_TOKENS.sub(lambda m: f"{m.group(1)}_{MASK}", text)
    return mask_checkout(text)


def mask_checkout(text: str) -> str:
    """Every checkout link's token cut to its first four characters."""
    if "checkout" not in text:
        return text
    return _CHECKOUT.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def _needs_tidy(text: str) -> bool:
    """Whether `_tidy` would change anything in `text` (one scan for many short values)."""
    return (
        (_could_hold_nik(text) and _NIK.search(text) is not None)
        or ("_" in text and any(prefix in text for prefix in _TOKEN_PREFIXES))
        or ("checkout" in text and _CHECKOUT.search(text) is not None)
    )


# -- headers -------------------------------------------------------------------------------------


def headers(pairs: tuple[tuple[str, str], ...], limit: int = 0) -> tuple[tuple[str, str], ...]:
    """Header pairs with every credential value masked; with `limit`, at most that many
    characters of names and values in all (the rest cut with a visible mark)."""
    kept: list[tuple[str, str]] = []
    used = 0
    # One scan of every value at once: most calls carry no NIK or token in any header, and a
    # scan per value costs more than the scan itself.
    tidy = _needs_tidy("\n".join(value for _, value in pairs))
    for index, (name, value) in enumerate(pairs):
        if secret_name(name) or (" " in value and _CREDENTIAL_VALUE.match(value)):
            value = MASK
        elif tidy and len(value) >= 13:  # shorter values hold neither a NIK nor a token
            value = _tidy(value)
        if limit:
            room = limit - used - len(name)
            if room <= 0:
                left = len(pairs) - index
                kept.append(("x-sandbox-truncated", f"{left} more header(s) not recorded"))
                break
            if len(value) > room:
                value = f"{value[:room]}…[truncated {len(value) - room} characters]"
            used += len(name) + len(value)
        kept.append((name, value))
    return tuple(kept)


def headers_cut(recorded: tuple[tuple[str, str], ...]) -> bool:
    """Whether `headers(..., limit)` had to cut anything (it only ever cuts at the end)."""
    if not recorded:
        return False
    name, value = recorded[-1]
    return name == "x-sandbox-truncated" or "…[truncated " in value


# -- paths, query strings and forms --------------------------------------------------------------


def path(raw: str) -> str:
    """A path with query string: NIKs masked (also percent-encoded ones), signing and secret
    parameters masked; everything else kept exactly as sent."""
    base, question, query = raw.partition("?")
    base = mask_checkout(mask_nik(base))
    if "%" in base:
        base = "/".join(_masked_escape(part, unquote, quote) for part in base.split("/"))
    if not question:
        return base
    return f"{base}?{form(query)}"


def form(text: str) -> str:
    """`key=value&...` with secret values masked and NIKs masked, the rest kept as sent."""
    out = []
    for part in text.split("&"):
        key, equals, value = part.partition("=")
        if equals and secret_name(unquote_plus(key)):
            out.append(f"{key}={MASK}")
            continue
        part = mask_nik(part)
        if "%" in part:
            key, equals, value = part.partition("=")
            part = (
                _masked_escape(key, unquote_plus, quote_plus)
                + equals
                + _masked_escape(value, unquote_plus, quote_plus)
            )
        out.append(part)
    return "&".join(out)


def _masked_escape(piece: str, decode: Any, encode: Any) -> str:
    """`piece` unchanged, unless decoding its percent-escapes reveals a NIK to mask."""
    if "%" not in piece:
        return piece
    decoded = decode(piece)
    masked = mask_nik(decoded)
    return piece if masked == decoded else str(encode(masked, safe="*"))


# -- bodies --------------------------------------------------------------------------------------


def body(raw: bytes, limit: int, content_type: str = "") -> tuple[str, bool]:
    """A redacted, size-capped text of a body; returns (text, truncated)."""
    if not raw:
        return "", False
    text = _decoded(raw)
    kind = content_type.partition(";")[0].strip().lower()
    lead = text.lstrip(" \t\r\n")[:1]
    if lead in _JSON_START or kind.endswith(("json", "+json")):
        text = _json_body(text, len(raw))
    elif kind == _FORM_TYPE or (not kind and _FORM_LIKE.fullmatch(text)):
        text = form(text)
    elif _may_hold_secret(text):
        text = scrub_text(text)
    text = _tidy(text)
    if len(text) > limit:
        cut = len(text) - limit
        return f"{text[:limit]}…[truncated {cut} characters]", True
    return text, False


def _decoded(raw: bytes) -> str:
    """The body as text, in the encoding a JSON parser would detect (BOM dropped)."""
    if len(raw) >= 4 and 0 < raw[0] < 0x80 and raw[1]:
        # What `detect_encoding` answers without a BOM (each starts with 0xEF, 0xFE, 0xFF
        # or 0) or a zero byte among the first two: most bodies, without its Python code.
        encoding = "utf-8"
    else:
        try:
            encoding = json.detect_encoding(raw)
        except Exception:  # detection is a guess; UTF-8 is the default
            encoding = "utf-8"
    return raw.decode(encoding, errors="replace")


def _json_body(text: str, size: int) -> str:
    """JSON with secret fields masked; unparsable JSON is scrubbed by pattern instead."""
    if not _may_hold_secret(text):
        return text
    try:
        parsed = json.loads(text.lstrip(" \t\r\n"))
        scrubbed = json.dumps(_scrub(parsed), ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        return UNREADABLE.format(size=size)
    except ValueError:
        return scrub_text(text)
    if isinstance(parsed, str):
        scrubbed = scrub_text(scrubbed)
    if not scrubbed.isascii():
        # A lone surrogate (from a "\ud800" escape) cannot be stored or written as UTF-8.
        scrubbed = scrubbed.encode("utf-8", "replace").decode("utf-8")
    return scrubbed


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: MASK if secret_name(k) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str) and len(value) > 3 and _may_hold_secret(value):
        # "pin=444444" or an embedded JSON document inside a string; not `name: value`,
        # which an error message explaining a signature ("accessToken:...") reads like.
        return scrub_text(value, colons=False)
    return value


def scrub_text(text: str, colons: bool = True) -> str:
    """Secret values masked in text that is not clean JSON or a form: `"name": value` pairs,
    `name=value` (and with `colons`, `name: value`) assignments and multipart fields."""
    if not _may_hold_secret(text):
        return text
    text = _JSON_PAIR.sub(_json_pair, text)
    text = _MULTIPART.sub(_multipart_field, text)
    return _assignments(text, "=:" if colons else "=")


def _json_pair(match: re.Match[str]) -> str:
    name = match.group(1)
    if "\\" in name:
        with contextlib.suppress(ValueError):
            name = json.loads(f'"{name}"')
    if not secret_name(name):
        return match.group(0)
    return f'"{match.group(1)}":"{MASK}"'


def _multipart_field(match: re.Match[str]) -> str:
    if not secret_name(match.group(1)):
        return match.group(0)
    whole, value = match.group(0), match.group(2)
    return whole[: len(whole) - len(value)] + MASK


def _assignments(text: str, separators: str) -> str:
    """`name=value` (and `name: value`) with a secret name: the value masked."""
    out: list[str] = []
    done = 0
    for key in _KEY.finditer(text):
        if key.start() < done or key.group(2) not in separators:
            continue
        if not secret_name(unquote_plus(key.group(1))):
            continue
        value = _VALUE.match(text, key.end())
        if value is None or value.group(0) == f'"{MASK}"':
            continue
        out.append(text[done : value.start()] + MASK)
        done = value.end()
    return "".join(out) + text[done:] if out else text


_ESCAPED_RUN = re.compile(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")


def text(line: str) -> str:
    """Free text (a log line, a message) with URLs' secret parameters, `name=value` secrets,
    NIKs (also percent-encoded ones) and prefixed tokens masked."""
    line = scrub_text(line)
    if "%" in line:
        line = _ESCAPED_RUN.sub(
            lambda m: _masked_escape(m.group(0), unquote_plus, quote_plus), line
        )
    return _tidy(line)
