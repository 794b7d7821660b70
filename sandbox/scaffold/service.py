"""Write a new service into the user's folder and register it in their `sandbox.toml`.

The generated service works at once: its test passes, `sandbox up` runs it, and it already makes
one authenticated call to each institution it was asked to call, so the developer starts from
a working integration and changes it, instead of starting from a blank page.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.runtime.config_file import CONFIG_NAME, NAME, taken_name
from sandbox.runtime.credentials import DIALECTS, generate, missing_fields, to_toml
from sandbox.runtime.registry import BUILTIN

TEMPLATES = Path(__file__).parent / "template"
UNKNOWN_NIK = "9999990101909999"
"""A well-formed NIK that belongs to nobody in the seeded world (region 99.99.99 is not in the
sandbox's region table), so the example calls get a clean "not found", not a 400."""


HEADER = "# Services of this sandbox: see `sandbox new service --help`.\n"
ROLES = ("channel", "courier")
"""What a new service is to the marketplace: a storefront that places orders, or a courier."""


class ScaffoldError(Exception):
    """The service cannot be generated; the message says why and what to do."""


@dataclass(frozen=True)
class Example:
    """One partner call the generated service makes, and the test that checks it."""

    path: str
    code: str
    status: int
    """What the institution answers the example (the generated test checks it)."""


EXAMPLES: dict[str, Example] = {
    "marketplace": Example(
        "/v1/partners/marketplace",
        """
        fs_id = env.seed["holds"]["marketplace"]["fs_id"]
        response = await partner_client(env, "marketplace").get(
            f"/api/v2/fs/{fs_id}/products", params={"page_size": 3})""",
        200,
    ),
    "bank": Example(
        "/v1/partners/bank",
        """
        creds = env.seed["holds"]["bank"]
        prefix = creds["partner_service_id"]
        response = await partner_client(env, "bank").post("/v1.0/transfer-va/status", json={
            "partnerServiceId": prefix, "customerNo": "1", "virtualAccountNo": prefix + "1",
            "inquiryRequestId": "example-1"})  # a VA that was never made: a clean 404""",
        404,
    ),
    "identity": Example(
        "/v1/partners/identity",
        """
        # Withdrawing a consent that does not exist: harmless, and proves the token works.
        response = await partner_client(env, "identity").delete(
            "/v1/consents/CNS-EXAMPLE")""",
        404,
    ),
    "records": Example(
        "/v1/partners/records",
        f"""
        # No patient's consent quoted (X-Consent-Id): refused with 403 once the credentials
        # are accepted (a wrong one is 401), and nothing about anyone is read.
        response = await partner_client(env, "records").get(
            "/fhir-r4/v1/Patient",
            params={{"identifier": "https://fhir.kemkes.go.id/id/nik|{UNKNOWN_NIK}"}})""",
        403,
    ),
    "insurance": Example(
        "/v1/partners/insurance",
        f"""
        # No member's consent quoted (X-Consent-Id): 403 once the credentials are accepted.
        response = await partner_client(env, "insurance").get(
            "/vclaim-rest/Peserta/nik/{UNKNOWN_NIK}/tglSEP/2026-01-01")""",
        403,
    ),
}
COURIER_EXAMPLE = Example(
    "/v1/partners/marketplace",
    """
        # A courier reports where parcels are; order 0 has none with us: a clean 404.
        fs_id = env.seed["holds"]["marketplace"]["fs_id"]
        response = await partner_client(env, "marketplace").post(
            f"/api/v2/fs/{fs_id}/shipments/0/tracking",
            json={"event_id": "example-1", "status": "PICKED_UP", "tracking_no": "EX0"})""",
    404,
)
"""A courier may not browse products; its example call is a tracking update instead."""


def package_of(name: str) -> str:
    """The Python package for service `name` (dashes become underscores)."""
    return name.replace("-", "_")


def new_service(
    folder: Path, name: str, calls: list[str], title: str | None = None, role: str | None = None
) -> list[Path]:
    """Generate service `name` in `folder`; returns the files written.

    `role` is what the service is to the marketplace (ROLES; "channel" by default).
    """
    _check_name(folder, name)
    for callee in calls:
        if callee not in DIALECTS:
            raise ScaffoldError(
                f"{callee!r} takes no partners; a new service can call: "
                f"{', '.join(sorted(DIALECTS))}"
            )
    role = _check_role(role, calls)
    package = folder / package_of(name)
    if package.exists():
        raise ScaffoldError(f"{package} already exists; choose another name or remove it")
    title = title or name.replace("-", " ").title()
    hooks = "marketplace" in calls
    fill = {
        "name": name,
        "title": title,
        "package": package_of(name),
        "imports": _imports(calls),
        "partner_calls": "".join(_partner_call(c, role) for c in calls)
        + (WEBHOOK_RECEIVER if hooks else ""),
        "partner_tests": "".join(_partner_test(name, c, role) for c in calls)
        + (_webhook_tests(name, role) if hooks else ""),
        "partner_sentence": _sentence(calls, role if hooks else None),
    }
    package.mkdir(parents=True)
    written = [package / "__init__.py"]
    written[0].write_text(f'"""{title}: a service of yours in the integration sandbox."""\n')
    for template, target in (
        ("app.py", "app.py"),
        ("test_app.py", "test_app.py"),
        ("README.md", "README.md"),
    ):
        text = (TEMPLATES / f"{template}.tmpl").read_text(encoding="utf-8").format(**fill)
        path = package / target
        path.write_text(text, encoding="utf-8")
        written.append(path)
    config = folder / CONFIG_NAME
    block = [
        f"\n[services.{name}]",
        f'app = "{package_of(name)}.app:create_app"',
        f'title = "{title}"',
        'description = "your service"',
        "calls = [" + ", ".join(f'"{c}"' for c in calls) + "]",
        "",
    ]
    taken = _taken(config)
    block += [to_toml(name, callee, _generate(callee, name, taken, role)) for callee in calls]
    _append(config, "\n".join(block))
    written.append(config)
    return written


@dataclass(frozen=True)
class Written:
    """What `new_credentials` wrote."""

    added: list[str]
    """Institutions where the service had no credentials before."""
    replaced: list[str]
    """Institutions whose credentials were incomplete and were made anew."""


def new_credentials(config: Path, name: str, calls: list[str], role: str | None = None) -> Written:
    """Generate `name`'s credentials at each of `calls` where it has none, or incomplete ones.

    Works on a configuration the runtime refuses (that is what it repairs): the file is only
    parsed as TOML, never checked as a whole. Raises ScaffoldError for anything it cannot do.
    """
    from sandbox.runtime.plugins import PluginError, discover

    _check_calls(calls)
    if name in {s.name for s in BUILTIN}:
        raise ScaffoldError(
            f"{name!r} is a built-in institution: it holds its credentials "
            "in the seeded world, not in a configuration file"
        )
    why = taken_name(name)
    if why:
        raise ScaffoldError(f"{why}; it cannot hold credentials")
    _check_role(role, calls)
    text = _read(config)
    data = _parse(config, text)
    try:
        plugin = name in {s.name for s in discover()}
    except PluginError as exc:
        raise ScaffoldError(str(exc)) from None
    table = re.search(rf"^\s*\[services\.{re.escape(name)}\]\s*$", text, re.M)
    if table is None and not plugin and _held(data, "clients", name):
        raise ScaffoldError(
            f"{name!r} is a client of {config}; `sandbox new client {name} "
            f"--calls {','.join(calls)}` gives it more credentials"
        )
    if table is None and not plugin:
        raise ScaffoldError(
            f"{config} declares no service {name!r} and no installed plugin "
            f"has it; create it first with `sandbox new service {name}`, or "
            f"make credentials for a plain script with `sandbox new client "
            f"{name} --calls {','.join(calls)}`"
        )
    text, written = _fill(text, data, "services", name, calls, role)
    if table is not None:
        text = _add_calls(text, name, calls)
    _write(config, text)
    return written


def new_client(config: Path, name: str, calls: list[str]) -> Written:
    """Credentials for `name`, a script of the user's with no service, at each of `calls`.

    Written as `[clients.NAME.partners.CALLEE]`; like `new_credentials`, a callee where the
    client already holds complete credentials is left alone and incomplete ones are made anew.
    An institution that verifies them records the call as `name`.
    """
    from sandbox.runtime.plugins import PluginError, discover

    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"client name {name!r}: use 2-31 lower-case letters, digits and "
            "dashes, starting with a letter (e.g. my-script)"
        )
    if name in {s.name for s in BUILTIN}:
        raise ScaffoldError(f"{name!r} is a built-in institution; choose another name")
    why = taken_name(name)
    if why:
        raise ScaffoldError(f"{why}; choose another name")
    _check_calls(calls)
    text = _read(config)
    data = _parse(config, text)
    try:
        plugins = {s.name for s in discover()}
    except PluginError as exc:
        raise ScaffoldError(str(exc)) from None
    services = data.get("services")
    if name in plugins or (isinstance(services, dict) and name in services):
        raise ScaffoldError(
            f"{name!r} is a service; give a service more credentials with "
            f"`sandbox new credentials {name}`, or choose another client name"
        )
    text, written = _fill(text, data, "clients", name, calls, None)
    _write(config, text)
    return written


def _check_calls(calls: list[str]) -> None:
    if not calls:
        raise ScaffoldError("--calls names no institution; e.g. --calls marketplace,bank")
    for callee in calls:
        if callee not in DIALECTS:
            raise ScaffoldError(
                f"{callee!r} takes no partners; partners are accepted by: "
                f"{', '.join(sorted(DIALECTS))}"
            )


def _fill(
    text: str, data: dict[str, Any], section: str, name: str, calls: list[str], role: str | None
) -> tuple[str, Written]:
    """`text` with `[SECTION.NAME.partners.CALLEE]` credentials for each of `calls` that has
    none or incomplete ones (made anew, the rest kept), and what was written."""
    held = _held(data, section, name)
    taken = _taken_in(data)
    if not text.strip():
        text = HEADER
    added, replaced = [], []
    for callee in calls:
        old = held.get(callee)
        if isinstance(old, dict) and not missing_fields(callee, old):
            continue
        if old is not None:  # incomplete (or not a table): made anew, the rest kept
            text = _drop_table(text, f"{section}.{name}.partners.{callee}")
            replaced.append(callee)
        else:
            added.append(callee)
        kept_role = old.get("role") if isinstance(old, dict) else None
        chosen = role or (kept_role if kept_role in ROLES else None) or "channel"
        creds = _generate(callee, name, taken, chosen)
        text = text.rstrip("\n") + "\n\n" + to_toml(name, callee, creds, section)
    return text, Written(added, replaced)


def _read(config: Path) -> str:
    """The configuration's text ("" if there is none yet); ScaffoldError if unreadable."""
    if not config.exists():
        return ""
    try:
        return config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScaffoldError(f"cannot read {config}: {exc}") from None


def _write(config: Path, text: str) -> None:
    try:
        config.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write {config}: {exc}") from None


def _parse(config: Path, text: str) -> dict[str, Any]:
    """The file as TOML, checked for nothing else; ScaffoldError if it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScaffoldError(f"{config} is not valid TOML ({exc}); fix that first") from None


def _held(data: dict[str, Any], section: str, name: str) -> dict[str, Any]:
    """The partner tables of `[SECTION.NAME]`, as written (maybe incomplete)."""
    tables = data.get(section)
    table = tables.get(name) if isinstance(tables, dict) else None
    partners = table.get("partners") if isinstance(table, dict) else None
    return partners if isinstance(partners, dict) else {}


def _drop_table(text: str, dotted: str) -> str:
    """`text` without the `[<dotted>]` table (its header and keys)."""
    parts = r"\s*\.\s*".join(re.escape(p) for p in dotted.split("."))
    header = re.search(rf"^\s*\[\s*{parts}\s*\][^\n]*\n?", text, re.M)
    if header is None:
        return text
    following = re.search(r"^\s*\[", text[header.end() :], re.M)
    stop = header.end() + following.start() if following else len(text)
    return text[: header.start()] + text[stop:]


def _check_role(role: str | None, calls: list[str]) -> str:
    if role is None:
        return "channel"
    if role not in ROLES:
        raise ScaffoldError(f"role {role!r}: the marketplace knows the roles {' and '.join(ROLES)}")
    if "marketplace" not in calls:
        raise ScaffoldError(
            f"a role ({role}) is what a service is to the marketplace; add marketplace to --calls"
        )
    return role


def _generate(callee: str, name: str, taken: set[str], role: str) -> dict[str, Any]:
    creds = generate(callee, name, taken)
    if callee == "marketplace":
        creds["role"] = role
    return creds


def _check_name(folder: Path, name: str) -> None:
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"service name {name!r}: use 2-31 lower-case letters, digits and "
            "dashes, starting with a letter (e.g. courier, lab-prima)"
        )
    if name in {s.name for s in BUILTIN}:
        raise ScaffoldError(f"{name!r} is a built-in institution; choose another name")
    taken = taken_name(name)
    if taken:
        raise ScaffoldError(f"{taken}; choose another name")
    config = folder / CONFIG_NAME
    if config.is_file():
        text = config.read_text(encoding="utf-8")
        if re.search(rf"^\s*\[services\.{re.escape(name)}[\].]", text, re.M):
            raise ScaffoldError(f"{config} already declares a service {name!r}")


def _taken(config: Path) -> set[str]:
    """Ids already in use (so generated partner ids, accounts and org ids never collide)."""
    return _taken_in(_parse(config, _read(config)))


def _taken_in(data: dict[str, Any]) -> set[str]:
    """Ids in use in the seeded world and in the configuration `data` (parsed, unchecked)."""
    from sandbox.world import load_world

    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str | int) and not isinstance(node, bool):
            values.add(str(node))

    world = load_world()
    walk(world["partners"])
    walk([a["account_no"] for a in world["bank"]["accounts"]])
    services = data.get("services")
    for table in services.values() if isinstance(services, dict) else ():
        if isinstance(table, dict):
            walk(table.get("partners"))
    return values


def _append(config: Path, block: str) -> None:
    if not config.exists():
        config.write_text(HEADER, encoding="utf-8")
    with config.open("a", encoding="utf-8") as out:
        out.write(block)


def _add_calls(text: str, name: str, calls: list[str]) -> str:
    """Add `calls` to the `calls = [...]` of `[services.NAME]` (or write one)."""
    header = re.search(rf"^\s*\[services\.{re.escape(name)}\]\s*$", text, re.M)
    assert header is not None
    end = re.search(r"^\s*\[", text[header.end() :], re.M)
    stop = header.end() + (end.start() if end else len(text) - header.end())
    body = text[header.end() : stop]
    found = re.search(r"^calls\s*=\s*\[(.*?)\]", body, re.M | re.S)
    have = re.findall(r'"([^"]+)"', found.group(1)) if found else []
    merged = have + [c for c in calls if c not in have]
    line = "calls = [" + ", ".join(f'"{c}"' for c in merged) + "]"
    body = body.replace(found.group(0), line) if found else "\n" + line + body
    return text[: header.end()] + body + text[stop:]


def _example(callee: str, role: str) -> Example:
    return COURIER_EXAMPLE if (callee, role) == ("marketplace", "courier") else EXAMPLES[callee]


def _partner_call(callee: str, role: str) -> str:
    example = _example(callee, role)
    doc = f'"""Calls {callee} as a partner, signed in its own dialect by `partner_client`."""'
    answer = (
        "{" + f'"callee": "{callee}", "status": response.status_code, '
        '"answer": response.json()' + "}"
    )
    return f'''
    @app.get("{example.path}", summary="Example: an authenticated call to {callee}")
    async def call_{callee}() -> dict[str, Any]:
        {doc}{example.code}
        return {answer}
'''


def _partner_test(name: str, callee: str, role: str) -> str:
    example = _example(callee, role)
    return f'''

@pytest.mark.asyncio
async def test_calls_{callee}(sandbox: Harness) -> None:
    response = await sandbox.client("{name}").get("{example.path}")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == {example.status}, answer  # our credentials were accepted
    assert any(c.caller == "{name}" and c.callee == "{callee}" for c in sandbox.calls)
'''


def _sentence(calls: list[str], role: str | None) -> str:
    if not calls:
        return ""
    sentence = ", and one authenticated call to each of: " + ", ".join(calls)
    if role == "courier":
        sentence += (
            ". As the marketplace's courier it receives a signed SHIPMENT_REQUEST "
            "webhook for every paid order (`POST /webhooks/marketplace`)"
        )
    elif role is not None:
        sentence += (
            ". The marketplace's signed webhooks about the orders it places arrive "
            "at `POST /webhooks/marketplace`"
        )
    return sentence


def _imports(calls: list[str]) -> str:
    """The generated app's imports: only what its code uses, so linters stay quiet."""
    hooks = "marketplace" in calls
    stdlib = ["import json"] if hooks else []
    names = [
        "ApiError",
        "ServiceEnv",
        *(["marketplace_webhook_ok"] if hooks else []),
        "new_app",
        *(["partner_client"] if calls else []),
    ]
    line = f"from sandbox.extend import {', '.join(names)}"
    if len(line) > 100:
        line = "from sandbox.extend import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    return "\n".join(
        [
            *stdlib,
            "from typing import Any",
            "",
            f"from fastapi import FastAPI{', Request' if hooks else ''}",
            "",
            line,
        ]
    )


WEBHOOK_RECEIVER = '''
    @app.post("/webhooks/marketplace", summary="The marketplace's signed webhooks")
    async def marketplace_webhook(request: Request) -> dict[str, Any]:
        """Check the marketplace's signature, then acknowledge at once.

        Answer 2xx quickly and do slow work later: the marketplace retries anything else
        (the audit's WEBHOOK-ACK rule flags a webhook never acknowledged). Retries repeat the
        same `notification_id`: handle each one once.
        """
        raw = await request.body()
        if not marketplace_webhook_ok(env, raw, request.headers.get("authorization")):
            raise ApiError(401, "invalid_signature",
                           "The Authorization header is not the marketplace's signature.")
        try:
            note = json.loads(raw)
        except ValueError:
            note = None
        if not isinstance(note, dict):
            raise ApiError(400, "invalid_json", "Expected a JSON object.")
        return {"code": "ok", "type": note.get("type"),
                "notification_id": note.get("notification_id")}
'''
"""Generated when the service calls the marketplace: the marketplace then calls it back."""


def _webhook_tests(name: str, role: str) -> str:
    forged = f'''

@pytest.mark.asyncio
async def test_a_forged_marketplace_webhook_is_refused(sandbox: Harness) -> None:
    forged = await sandbox.client("{name}", "stranger").post(
        "/webhooks/marketplace", json={{"type": "SHIPMENT_REQUEST", "data": {{}}}},
        headers={{"authorization": "0" * 64}})
    assert forged.status_code == 401
'''
    if role != "courier":
        return forged
    return (
        forged
        + f'''

@pytest.mark.asyncio
async def test_a_paid_order_books_a_shipment_with_us(sandbox: Harness) -> None:
    await sandbox.story("checkout")  # a buyer pays for an order; the marketplace books us
    booked = [c for c in sandbox.calls if c.caller == "marketplace" and c.callee == "{name}"]
    assert booked and booked[0].status == 200  # the signature checked out, we acknowledged
    assert '"SHIPMENT_REQUEST"' in booked[0].request_body
'''
    )
