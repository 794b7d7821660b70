"""An institution's OpenAPI document as the service really behaves, built in one place.

FastAPI's own document knows the routes, their parameters and bodies, but not the sandbox's
conventions: validation errors answer 400 in each dialect (never FastAPI's 422
`HTTPValidationError`), credentials are checked by dependencies it cannot see into, and errors
are raised as `ApiError`s. So `new_app` replaces `app.openapi` with `document`, which takes
FastAPI's document and, for every operation:

- declares the credentials of every `@secured` dependency or endpoint (`contract.py`): the
  security scheme and the signing headers or query parameters, with the string to sign;
- lists every status it can answer with the institution's error schema, and the codes behind
  each (`x-error-codes` and the description): the ones its code raises (`error_scan.py`), 400
  for a malformed request, 405 (with `Allow`) for another method on its path, 413 for a body
  over the limit, and the wire's own 500 and 503 (a crash, an injected fault, offline).

Routes added later are covered the same way, with no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from sandbox.framework.contract import FRAMEWORK_ERROR, MARK, Security
from sandbox.framework.error_scan import OPEN, errors_of

VALIDATION_CODES = ("invalid_json", "missing_field", "invalid_field", "invalid_body")
"""What `errors.describe_validation` calls a malformed request."""
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_REASONS = {
    400: "Malformed request",
    401: "Missing or wrong credentials",
    403: "Known caller, not allowed",
    404: "Not found",
    405: "Another method on this path",
    409: "Conflicts with the current state",
    410: "Gone",
    413: "Request body over 1 MB",
    422: "Well formed, but refused by the institution's rules",
    429: "Quota used up",
    500: "The service failed",
    502: "A back end the service relies on refused or failed",
    503: "The service (or a back end it needs) is offline",
}
_ALLOW = {
    "Allow": {
        "description": "The methods this path takes.",
        "schema": {"type": "string"},
    }
}


Guard = Callable[[str], tuple[Sequence[Security], dict[int, set[str]]]]
"""What a middleware in front of every route adds to an operation, by its method: the
credentials it checks and the errors it answers (the control API's token and origin checks)."""


def install(
    app: FastAPI, error_schema: dict[str, Any], guard: Guard | None = None, faults: bool = True
) -> None:
    """Serve `document(app, ...)` as the app's `/openapi.json` (built once); `faults` when the
    wire's injected faults can reach the app (an institution, not the control API)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if not app.openapi_schema:
            app.openapi_schema = document(app, original(), error_schema, guard, faults)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(
    app: FastAPI,
    base: dict[str, Any],
    error_schema: dict[str, Any],
    guard: Guard | None = None,
    faults: bool = True,
) -> dict[str, Any]:
    """FastAPI's document `base` of `app`, made to tell the truth (see the module's doc)."""
    components = base.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = error_schema
    schemas["FrameworkError"] = FRAMEWORK_ERROR
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    validation = _validation_codes(app)
    for route in _api_routes(app):
        item = base.get("paths", {}).get(route[0], {})
        for method in route[1].methods or ():
            operation = item.get(method.lower())
            if operation is not None:
                extra = guard(method) if guard else ((), {})
                _describe(operation, route[1], components, validation, extra)
                _add_failures(operation["responses"], faults)
    if not components.get("securitySchemes"):
        components.pop("securitySchemes", None)
    return base


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
            yield context.path_format, route


def _validation_codes(app: FastAPI) -> set[str]:
    """The codes of a malformed request: the framework's, and the institution's own handler's
    (the bank answers SNAP's invalid_mandatory_field and invalid_field_format)."""
    handlers = [h for h in app.exception_handlers.values() if callable(h)]
    codes = set(VALIDATION_CODES)
    codes.update(errors_of(handlers).get(400, set()))
    codes.discard(OPEN)  # the handler passes on what describe_validation said: listed above
    return codes


def _callables(route: APIRoute) -> list[Callable[..., Any]]:
    """The endpoint and every dependency it runs, depth first."""
    found: list[Callable[..., Any]] = [route.endpoint]
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        if dependant.call is not None:
            found.append(dependant.call)
        pending.extend(dependant.dependencies)
    return found


def _describe(
    operation: dict[str, Any],
    route: APIRoute,
    components: dict[str, Any],
    validation: set[str],
    extra: tuple[Sequence[Security], dict[int, set[str]]] = ((), {}),
) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("schema", {}).pop("x-sandbox-required", False):
            parameter["required"] = True
    functions = _callables(route)
    declared = [*extra[0], *(s for fn in functions for s in getattr(fn, MARK, ()))]
    _declare_security(operation, declared, components)
    responses = operation.setdefault("responses", {})
    if "HTTPValidationError" in str(responses.get("422", "")):
        del responses["422"]  # never sent: a malformed request answers 400 in the dialect
    errors = errors_of(functions)
    for status, codes in extra[1].items():
        errors.setdefault(status, set()).update(codes)
    for security in declared:
        for status, listed in security.errors.items():
            errors.setdefault(status, set()).update(listed)
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    if takes_input:
        errors.setdefault(400, set()).update(validation)
    if operation.get("requestBody"):
        errors.setdefault(413, set()).add("body_too_large")
    errors.setdefault(405, set()).add("method_not_allowed")
    for status, codes in sorted(errors.items()):
        if "content" not in responses.get(str(status), {}):  # else the route said it itself
            responses[str(status)] = _error_response(status, codes, _ERROR)
    responses["405"]["headers"] = _ALLOW


def _add_failures(responses: dict[str, Any], faults: bool) -> None:
    """The wire's own answers: a crash (500), and where faults can be injected, an injected
    failure (500) or an institution taken offline (503)."""
    crashes = {"internal_error", "injected_fault"} if faults else {"internal_error"}
    _add_wire_response(responses, _error_response(500, crashes, _FRAMEWORK), "500")
    if faults:
        offline = _error_response(503, {"service_offline"}, _FRAMEWORK)
        _add_wire_response(responses, offline, "503")


def _add_wire_response(responses: dict[str, Any], wire: dict[str, Any], status: str) -> None:
    """The wire's answer for `status`, joined to the endpoint's own when it has one: either
    body can come (the bank's registration answers 503 itself, and the wire answers 503 when
    the bank is offline), so the codes are both lists and the body is any of the two schemas.
    `anyOf`, not `oneOf`: an open list of the endpoint's codes would match the wire's body too."""
    own = responses.get(status)
    if own is None or "content" not in own:
        responses[status] = wire
        return
    codes = sorted({*own.get("x-error-codes", ()), *wire["x-error-codes"]})
    schemas = [own["content"]["application/json"]["schema"],
               wire["content"]["application/json"]["schema"]]  # fmt: skip
    reason = _REASONS.get(int(status), "Error")
    own_text = own.get("description", "")
    others = ", and others the service computes" if "and others" in own_text else ""
    own["description"] = f"{reason}. Codes: {', '.join(codes)}{others}."
    own["x-error-codes"] = codes
    own["content"]["application/json"]["schema"] = {"anyOf": schemas}


_ERROR = "#/components/schemas/Error"
_FRAMEWORK = "#/components/schemas/FrameworkError"


def _error_response(status: int, codes: set[str], schema: str) -> dict[str, Any]:
    """The answer for `status`: the error schema, its `code` an enum when every code is known
    (a client or a mock can rely on the list), else the known ones said as examples."""
    listed = sorted(c for c in codes if c != OPEN)
    closed = bool(listed) and OPEN not in codes
    reason = _REASONS.get(status, "Error")
    description = f"{reason}."
    if listed:
        others = "" if closed else ", and others the service computes"
        description = f"{reason}. Codes: {', '.join(listed)}{others}."
    body: dict[str, Any] = {"$ref": schema}
    if closed:
        body = {"allOf": [body, {"properties": {"code": {"enum": listed}}}]}
    return {
        "description": description,
        "x-error-codes": listed,
        "content": {"application/json": {"schema": body}},
    }


def _declare_security(
    operation: dict[str, Any], declared: list[Security], components: dict[str, Any]
) -> None:
    if not declared:
        return
    # A declaration that another one includes (the SNAP transaction under a bound customer's)
    # is not an alternative to it. One without schemes (a consent quoted in a header, a PIN in
    # the body) includes nothing and is never included: its parameters are always declared.
    declared = [
        d
        for d in {id(d): d for d in declared}.values()
        if not d.schemes
        or not any(o is not d and set(d.schemes) < set(o.schemes) for o in declared)
    ]
    schemes = components.setdefault("securitySchemes", {})
    alternatives: list[dict[str, list[str]]] = []
    parameters = operation.setdefault("parameters", [])
    present = {(p.get("name", "").lower(), p.get("in")) for p in parameters}
    for security in declared:
        if security.in_body:
            operation["x-credentials-in-body"] = security.in_body
        if security.schemes:
            schemes.update(security.schemes)
            alternatives.append({name: [] for name in security.schemes})
        for parameter in security.parameters:
            key = (parameter["name"].lower(), parameter["in"])
            if key not in present:
                parameters.append(dict(parameter))
                present.add(key)
    if alternatives:
        operation["security"] = alternatives
    if not parameters:
        operation.pop("parameters")
