"""The composer: pick an endpoint from a service's OpenAPI document and send it as someone.

Students learn an API by calling it. The composer lists every operation a service documents,
pre-fills a body the service would accept, and sends it as a persona, a partner or nobody, so
the same request can be watched succeeding for the marketplace and failing for a stranger.
The call goes through the injected `Actor`, which records it like any other: it shows up on
the map and in the log without the composer knowing either exists.

`edit_call` opens a recorded call instead (`e` on the map): its institution, endpoint,
parameters, body and plain headers, with the original caller chosen when it is an identity
here. Nothing that authenticated the recorded call is copied (it was redacted anyway): the
`Actor` signs the request afresh, in the callee's dialect, for whoever is chosen.

Everything a service wrote - OpenAPI summaries and descriptions, answers, headers, errors -
is shown as text, never read as markup (`[b]` in a summary stays `[b]`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import Button, Input, Select, Static, TextArea

from sandbox.scenarios.identities import Actor
from sandbox.scenarios.openapi import FORM, Endpoint, Parameter, example_body
from sandbox.scenarios.openapi import endpoints as list_endpoints
from sandbox.scenarios.openapi import fill_path as _fill_path
from sandbox.trace.events import HttpCall
from sandbox.trace.snippets import resend_draft
from sandbox.tui.i18n import Lazy, _
from sandbox.tui.resend import Opened, open_draft
from sandbox.tui.widgets.call_row import format_time
from sandbox.tui.widgets.composer_reply import Reply, ReplyView


@dataclass(frozen=True, slots=True)
class _Request:
    """One request ready to send, built and checked before any worker starts."""

    service: str
    identity: str
    method: str
    path: str
    json_body: Any
    content: bytes | None
    headers: dict[str, str]


class Composer(Vertical):
    """Pick a service, an endpoint and an identity; edit the body; send; read the answer."""

    HELP = Lazy("""\
## Composer

Choose a **service**, one of its **endpoints** and **who** sends the request: a persona
(the buyer), a partner institution (credentials are added for you) or `anonymous`.
The body is pre-filled from the service's OpenAPI example; edit it freely.
Add headers as `Name: value; Other: value`. Press **F5** (or ctrl+enter) to send.
The call appears on the map and in the log like any other.

**e** on a call in the map's log or detail opens that recorded request here: the same
endpoint, parameters, body and headers, and its caller as the identity when it is one.
Credentials are never copied: sending signs the request again for whoever you choose.
""")

    DEFAULT_CSS = """
    Composer {
        height: 1fr;
        #composer-pickers { height: auto; }
        #composer-service { width: 18; }
        #composer-endpoint { width: 1fr; }
        #composer-endpoint SelectCurrent #label { text-wrap: nowrap; text-overflow: ellipsis; }
        #composer-identity { width: 22; }
        #composer-params { height: auto; }
        #composer-params.-empty { display: none; }
        #composer-params Input { width: 1fr; }
        #composer-main { height: 1fr; }
        #composer-request { width: 1fr; }
        #composer-body { height: 1fr; }
        #composer-send-row { height: auto; }
        #composer-headers { width: 1fr; }
        #composer-send { min-width: 10; }
        #composer-error { height: auto; color: $text-error; padding: 0 1; }
        #composer-error.-empty { display: none; }
        #composer-origin { height: auto; color: $text-muted; padding: 0 1; }
        #composer-origin.-empty { display: none; }
        #composer-response { width: 1fr; border: round $border; padding: 0 1; }
    }
    """

    BINDINGS = [
        Binding(
            "f5,ctrl+enter",
            "send",
            Lazy("Send"),
            id="composer.send",
            tooltip=Lazy("Send the request as the chosen identity"),
        ),
    ]

    reply: var[Reply | None] = var(None)
    """The last answer shown in the response panel (None before the first send)."""

    class Sent(Message):
        """A request went out (status None when it got no answer)."""

        def __init__(self, service: str, method: str, path: str, status: int | None) -> None:
            super().__init__()
            self.service = service
            self.method = method
            self.path = path
            """The path as sent, with the query string."""
            self.status = status

    def __init__(
        self,
        services: list[str],
        actor_for: Callable[[str], Actor],
        openapi_for: Callable[[str], Awaitable[dict[str, Any]]],
        identities_for: Callable[[str], list[str]],
        *,
        timer: Callable[[], float] = time.perf_counter,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Args:
        services: service slugs to offer, in display order.
        actor_for: who sends, by identity name.
        openapi_for: fetches a service's OpenAPI document (cached here after the first time).
        identities_for: who may be chosen for a service.
        timer: seconds for measuring durations (fixed in snapshots).
        """
        super().__init__(name=name, id=id, classes=classes)
        self._services = list(services)
        self._actor_for = actor_for
        self._openapi_for = openapi_for
        self._identities_for = identities_for
        self._timer = timer
        self._docs: dict[str, dict[str, Any]] = {}
        self._endpoints: dict[str, Endpoint] = {}
        self._service: str | None = None
        self._endpoint: Endpoint | None = None
        self._params: list[tuple[Parameter, Input]] = []
        self._identities: tuple[str, ...] = ()
        """Who may be chosen for the service shown."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="composer-pickers"):
            yield Select(
                [(name, name) for name in self._services],
                id="composer-service",
                prompt=_("Service"),
                allow_blank=not self._services,
                tooltip=_("The institution to call"),
            )
            yield Select[str](
                [],
                id="composer-endpoint",
                prompt=_("Endpoint"),
                tooltip=_("What to call"),
            )
            yield Select[str](
                [],
                id="composer-identity",
                prompt=_("As"),
                tooltip=_("Who calls"),
            )
        yield Static("", id="composer-origin", classes="-empty", markup=False)
        yield Horizontal(id="composer-params", classes="-empty")
        with Horizontal(id="composer-main"):
            with Vertical(id="composer-request"):
                yield _body_editor()
                with Horizontal(id="composer-send-row"):
                    yield Input(
                        id="composer-headers",
                        placeholder=_("Headers (Name: value; …)"),
                        tooltip=_("Extra request headers, e.g. Idempotency-Key: pay-001"),
                    )
                    yield Button(
                        _("Send F5"),
                        id="composer-send",
                        variant="primary",
                        tooltip=_("Send the request (F5 or ctrl+enter)"),
                    )
                yield Static("", id="composer-error", classes="-empty", markup=False)
            yield ReplyView(id="composer-response")

    def on_mount(self) -> None:
        if self._services:
            self._choose_service(self._services[0])

    # --- choosing -------------------------------------------------------------------------

    @on(Select.Changed, "#composer-service")
    def _service_changed(self, message: Select.Changed) -> None:
        value = message.select.value
        if isinstance(value, str) and value != self._service:
            self._choose_service(value)

    @on(Select.Changed, "#composer-endpoint")
    async def _endpoint_changed(self, message: Select.Changed) -> None:
        value = message.select.value
        current = self._endpoint.key if self._endpoint else None
        if isinstance(value, str) and value != current and value in self._endpoints:
            self._show_error("")
            await self._show_endpoint(self._endpoints[value])

    def _choose_service(self, service: str) -> None:
        self._service = service
        self._show_origin("")
        self._set_identities(service)
        self._load_service(service)

    def _set_identities(self, service: str) -> None:
        picker: Select[str] = self.query_one("#composer-identity", Select)
        previous = picker.value
        try:
            names = list(self._identities_for(service))
        except Exception as error:  # an odd world must not take the composer down
            self._show_error(
                _("Could not list identities for {service}: {error}").format(
                    service=service, error=error
                )
            )
            names = []
        self._identities = tuple(names)
        picker.set_options([(Text(_("as {name}").format(name=name)), name) for name in names])
        if isinstance(previous, str) and previous in names:
            picker.value = previous
        elif names:
            picker.value = names[0]

    @work(exclusive=True, group="composer-doc", exit_on_error=False)
    async def _load_service(self, service: str) -> None:
        """List the service's endpoints and show the first."""
        self._show_error("")
        listed = list_endpoints(await self._document(service))
        self._list_endpoints(listed)
        self._endpoint = None
        if listed:
            self._endpoint = listed[0]  # before the picker's Changed message is handled
            self.query_one("#composer-endpoint", Select).value = listed[0].key
            await self._show_endpoint(listed[0])
        else:
            await self._show_endpoint(None)

    async def _document(self, service: str) -> dict[str, Any]:
        """Fetch the document once per service (it does not change while the sandbox runs);
        an empty one, with the reason shown, when it cannot be read."""
        doc = self._docs.get(service)
        if doc is None:
            try:
                doc = await self._openapi_for(service)
            except Exception as error:
                self._show_error(
                    _("Could not read {service}'s OpenAPI document: {error}").format(
                        service=service, error=error
                    )
                )
                return {}
            self._docs[service] = doc
        return doc

    def _list_endpoints(self, listed: list[Endpoint]) -> None:
        self._endpoints = {endpoint.key: endpoint for endpoint in listed}
        picker: Select[str] = self.query_one("#composer-endpoint", Select)
        # A summary is the service's own text: shown as written, never read as markup.
        picker.set_options([(Text(endpoint.label), endpoint.key) for endpoint in listed])

    # --- a recorded call ------------------------------------------------------------------

    def edit_call(self, call: HttpCall) -> None:
        """Open a recorded call to change and send again (credentials are not copied)."""
        self._open_call(call)

    @work(exclusive=True, group="composer-doc", exit_on_error=False)
    async def _open_call(self, call: HttpCall) -> None:
        draft = resend_draft(call)
        if draft.service not in self._services:
            self._show_error(
                _("{service} is not a service the composer can call.").format(service=draft.service)
            )
            return
        self._show_error("")
        self._service = draft.service  # before the picker's Changed message is handled
        self.query_one("#composer-service", Select).value = draft.service
        self._set_identities(draft.service)
        identity: Select[str] = self.query_one("#composer-identity", Select)
        known = draft.caller in self._identities
        if known:
            identity.value = draft.caller
        else:
            identity.clear()
        listed = list_endpoints(await self._document(draft.service))
        opened = open_draft(draft, listed)
        if not opened.documented:
            listed = [opened.endpoint, *listed]
        else:
            listed = [opened.endpoint if e.key == opened.endpoint.key else e for e in listed]
        self._list_endpoints(listed)
        self._endpoint = opened.endpoint
        self.query_one("#composer-endpoint", Select).value = opened.endpoint.key
        await self._show_endpoint(opened.endpoint)
        self._fill(opened)
        self._show_origin(_origin_text(call, opened, known))

    def _fill(self, opened: Opened) -> None:
        """Put the recorded values where the endpoint's example values were."""
        for param, field in self._params:
            if param.name in opened.values:
                field.value = opened.values[param.name]
        editor = self.query_one("#composer-body", TextArea)
        editor.load_text(opened.body)
        self.query_one("#composer-headers", Input).value = opened.headers

    def _show_origin(self, text: str) -> None:
        origin = self.query_one("#composer-origin", Static)
        origin.update(text)
        origin.set_class(not text, "-empty")

    async def _show_endpoint(self, endpoint: Endpoint | None) -> None:
        """Parameters as inputs and the example body in the editor."""
        self._endpoint = endpoint
        row = self.query_one("#composer-params", Horizontal)
        await row.remove_children()
        self._params = [(param, _param_input(param)) for param in _inputs_for(endpoint)]
        await row.mount_all([field for _, field in self._params])
        row.set_class(not self._params, "-empty")
        editor = self.query_one("#composer-body", TextArea)
        doc = self._docs.get(self._service or "", {})
        body = example_body(doc, endpoint) if endpoint and endpoint.has_body else None
        editor.load_text("" if body is None else json.dumps(body, indent=2, ensure_ascii=False))
        editor.border_title = Content(_body_title(endpoint))  # the path is the service's text
        editor.disabled = endpoint is None or not endpoint.has_body
        headers = self.query_one("#composer-headers", Input)
        named = endpoint.header_params if endpoint else ()
        headers.placeholder = (
            _("Headers: {names}").format(names="; ".join(f"{p.name}: …" for p in named))
            if named
            else _("Headers (Name: value; …)")
        )

    # --- sending --------------------------------------------------------------------------

    @on(Button.Pressed, "#composer-send")
    @on(Input.Submitted)
    def _send_pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        """Check what the editor holds and send it; nothing goes out when it is wrong."""
        try:
            request = self._build_request()
        except ValueError as error:
            self._show_error(_("{error} Nothing was sent.").format(error=error))
            return
        self._show_error("")
        self._send(request)

    def _build_request(self) -> _Request:
        if self._service is None or self._endpoint is None:
            raise ValueError(_("Pick a service and an endpoint first."))
        identity = self.query_one("#composer-identity", Select).value
        if not isinstance(identity, str):
            raise ValueError(_("Pick who sends the request."))
        endpoint = self._endpoint
        values = {p.name: field.value for p, field in self._params}
        path = _fill_path(endpoint.path, {p.name: values[p.name] for p in endpoint.path_params})
        query = {p.name: values[p.name].strip() for p in endpoint.query_params}
        query = {name: value for name, value in query.items() if value}
        if query:
            path = f"{path}?{urlencode(query)}"
        headers = parse_headers(self.query_one("#composer-headers", Input).value)
        body = self._parsed_body(endpoint)
        content = None
        if body is not None and endpoint.media_type == FORM:
            if not isinstance(body, dict):
                raise ValueError(_("This endpoint takes a form: write it as one JSON object."))
            content = urlencode({k: _form_value(v) for k, v in body.items()}).encode()
            headers.setdefault("Content-Type", FORM)
            body = None
        return _Request(self._service, identity, endpoint.method, path, body, content, headers)

    def _parsed_body(self, endpoint: Endpoint) -> Any:
        """The editor's JSON; an empty editor sends no body at all (a lesson in itself)."""
        text = self.query_one("#composer-body", TextArea).text
        if not endpoint.has_body or not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(
                _("Invalid JSON at line {line}, column {column}: {reason}.").format(
                    line=error.lineno, column=error.colno, reason=error.msg
                )
            ) from error

    @work(exclusive=True, group="composer", exit_on_error=False)
    async def _send(self, request: _Request) -> None:
        """Send in a worker: the UI keeps drawing arrows while the services answer."""
        self._show_pending(request)
        started = self._timer()
        try:
            response = await self._actor_for(request.identity).request(
                request.service,
                request.method,
                request.path,
                json=request.json_body,
                content=request.content,
                headers=request.headers,
            )
        except Exception as error:  # refused connections, failed logins: shown, not raised
            elapsed = (self._timer() - started) * 1000
            self.reply = Reply(None, elapsed, error=f"{type(error).__name__}: {error}")
        else:
            elapsed = (self._timer() - started) * 1000
            headers = tuple(response.headers.multi_items())
            self.reply = Reply(
                response.status_code,
                elapsed,
                response.text,
                response.reason_phrase,
                headers=headers,
            )
        self.post_message(
            self.Sent(request.service, request.method, request.path, self.reply.status)
        )

    # --- showing --------------------------------------------------------------------------

    def _show_pending(self, request: _Request) -> None:
        self.query_one(ReplyView).show_pending(
            _("Sending {method} {path} as {identity}…").format(
                method=request.method, path=request.path, identity=request.identity
            )
        )

    def watch_reply(self, reply: Reply | None) -> None:
        self.query_one(ReplyView).reply = reply

    def _show_error(self, text: str) -> None:
        error = self.query_one("#composer-error", Static)
        error.update(text)
        error.set_class(not text, "-empty")

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        """The endpoints offered for the chosen service, in list order."""
        return tuple(self._endpoints.values())

    @property
    def endpoint(self) -> Endpoint | None:
        """The endpoint being edited."""
        return self._endpoint

    @property
    def error(self) -> str:
        """The inline error under the editor ("" when there is none)."""
        return str(self.query_one("#composer-error", Static).content)


def parse_headers(text: str) -> dict[str, str]:
    """`Name: value; Other: value` (or one per line) as a dict.

    Raises:
        ValueError: for a piece that is not `Name: value`.
    """
    headers: dict[str, str] = {}
    for piece in text.replace("\n", ";").split(";"):
        if not piece.strip():
            continue
        name, colon, value = piece.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise ValueError(
                _("Header {header} should read Name: value.").format(header=repr(piece.strip()))
            )
        headers[name.strip()] = value.strip()
    return headers


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _inputs_for(endpoint: Endpoint | None) -> tuple[Parameter, ...]:
    return (endpoint.path_params + endpoint.query_params) if endpoint else ()


def _param_input(param: Parameter) -> Input:
    """One input per parameter, titled by its name so a filled value stays explained."""
    required = param.required or param.location == "path"
    hint = _("required") if required else _("optional")
    if param.default:
        hint = _("default {value}").format(value=param.default)
    field = Input(
        value=param.example,
        placeholder=_("{name} ({location}, {hint})").format(
            name=param.name, location=param.location, hint=hint
        ),
        tooltip=Content(param.description) if param.description else None,
    )
    field.border_title = Content(param.name)  # names and descriptions are the service's text
    return field


def _body_title(endpoint: Endpoint | None) -> str:
    if endpoint is None:
        return _("Body")
    if not endpoint.has_body:
        return _("No body for {method} {path}").format(method=endpoint.method, path=endpoint.path)
    return _("Body (form, written as JSON)") if endpoint.media_type == FORM else _("Body (JSON)")


def _body_editor() -> TextArea:
    """A code editor, JSON-highlighted when this Textual build has tree-sitter's JSON."""
    language = "json" if _has_json_grammar() else None
    editor = TextArea.code_editor(
        "",
        language=language,
        id="composer-body",
        soft_wrap=False,
        show_line_numbers=False,
        tab_behavior="focus",
        placeholder=_("No body"),
    )
    editor.border_title = _("Body")
    return editor


def _has_json_grammar() -> bool:
    """True when tree-sitter and its JSON grammar are installed (Textual's `syntax` extra)."""
    try:
        from textual._tree_sitter import TREE_SITTER, get_language
    except ImportError:  # a private module: tolerate its moving in a later Textual
        return False
    return bool(TREE_SITTER) and get_language("json") is not None


def _origin_text(call: HttpCall, opened: Opened, known: bool) -> str:
    """Where the request in the composer came from, and what sending it does."""
    parts = [
        _("Editing {caller} → {callee} {method} {path}, recorded at {time}.").format(
            caller=call.caller,
            callee=call.callee,
            method=call.method,
            path=call.path,
            time=format_time(call.started_at),
        ),
        _("Sending signs it afresh as the identity chosen; recorded credentials are not copied.")
        if known
        else _("{caller} is not an identity here: choose who sends it.").format(caller=call.caller),
    ]
    if not opened.documented:
        parts.append(_("No endpoint in the document matches: it is sent as recorded."))
    if resend_draft(call).has_masks:
        parts.append(_("Fill in each [redacted] value, or leave the field out."))
    return " ".join(parts)
