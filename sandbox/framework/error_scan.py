"""Which errors an endpoint can answer with, read from its own service's source code.

An OpenAPI document should list every status an operation can answer and the error codes
behind each, and it must stay true when someone adds a route or a refusal next year. Writing
the list by hand beside each decorator would drift; so the document is built from the code
that raises the errors. Every institution raises `ApiError(status, code, ...)`, usually through
small helpers in its `errors.py` (`errors.not_found("order_not_found", ...)`), from the
endpoint, its dependencies (authentication) or the functions they call.

This module reads the project's source (Python's `ast`, nothing is run) and follows calls:
a function's errors are the `ApiError`s it builds plus those of the functions it calls or
names without calling (a callback, a handler in a table, a property it reads), with literal
arguments put in for a helper's `status` and `code` parameters, and the refusals rules
return as `(status, code, message)` for their caller to raise. Which function a call means
is read the way a reader would, from imports and the types the code declares
(`call_types.py`): `store.claim_external_id` is `BankStore`'s, not any other `claim`. A call
whose receiver's type is not said resolves to nothing, never to every namesake; `unresolved`
lists those that could hide an error, and a test keeps that list empty for every
institution, the framework and the dialects. A status or code computed at run time is left
out (a route declares it with FastAPI's own `responses=`), or marked `OPEN` when only the
code is.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.framework.call_types import CallResolver
from sandbox.framework.code_index import Function, own_nodes

Spec = tuple[str, object]
"""("lit", 404) a literal, ("param", "code") the enclosing function's parameter, ("?", None)."""
Entry = tuple[Spec, Spec]
"""(status, code) one error a function may raise."""

_UNKNOWN: Spec = ("?", None)
OPEN = ""
"""Among an answer's codes: one the source does not spell out (computed at run time)."""
_ERROR_CLASS = "ApiError"
_MAX_ROUNDS = 100
"""A guard only: the errors only grow from round to round, so they settle (in about 5)."""
_READ_FIRST = ("sandbox.wire", "sandbox.framework", "sandbox.dialects", "sandbox.services")
_FRAMEWORK = frozenset({"fastapi", "starlette", "pydantic"})
"""Their own dependencies (HTTPBearer...) raise no ApiError."""


class _Scan:
    """What every function read so far may raise, settled over the calls between them."""

    def __init__(self) -> None:
        self.index = CallResolver()
        self.raises: dict[int, frozenset[Entry]] = {}
        self._sites: dict[int, list[tuple[Function | None, dict[str, ast.expr], set[str]]]] = {}
        self._direct: dict[int, set[Entry]] = {}
        self._unresolved: dict[int, list[tuple[str, int]]] = {}
        self.rounds = 0
        """How many rounds the last settling took."""
        for package in _READ_FIRST:
            # Every class an override or a Protocol's implementation may sit in is read before
            # any call is resolved, so what an endpoint lists never depends on which document
            # was built first.
            self.index.read_tree(package)

    def settle(self) -> None:
        """Read the calls of every function not read yet (which may read more modules), then
        spread the errors along them until nothing changes."""
        if len(self._sites) == len(self.index.functions):
            return  # nothing new read since the last time
        while len(self._sites) < len(self.index.functions):
            for function in list(self.index.functions):
                if id(function.node) not in self._sites:
                    self._read_calls(function)
        for self.rounds in range(1, _MAX_ROUNDS + 1):
            changed = False
            for function in self.index.functions:
                found = frozenset(self._entries(function))
                if found != self.raises.get(id(function.node), frozenset()):
                    self.raises[id(function.node)] = found
                    changed = True
            if not changed:
                return

    def _read_calls(self, function: Function) -> None:
        own = set(function.params) | {a.arg for a in function.node.args.kwonlyargs}
        sites: list[tuple[Function | None, dict[str, ast.expr], set[str]]] = []
        direct: set[Entry] = set()
        unresolved: list[tuple[str, int]] = []
        self._sites[id(function.node)] = sites
        nodes = own_nodes(function.node)
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for node in nodes:
            if isinstance(node, ast.Name | ast.Attribute) and _is_reference(node, called):
                # A function named without being called here (a callback, a handler in a
                # table): it may run later, with arguments unseen.
                for callback in self.index.referenced(node, function):
                    sites.append((callback, {}, own))
                continue
            problem = _returned_problem(node)
            if problem is not None:
                direct.add(problem)
            if not isinstance(node, ast.Call):
                continue
            if _called_name(node) == _ERROR_CLASS:
                args = _arguments(node, ("status", "code"))
                direct.add((_spec(args.get("status"), own), _spec(args.get("code"), own)))
                continue
            callees, resolved = self.index.callees(node, function)
            if not resolved:
                unresolved.append((_called_name(node) or "", node.lineno))
            for callee, _ in callees:
                if callee.node is not function.node:
                    sites.append((callee, _arguments(node, callee.params), own))
        self._direct[id(function.node)] = direct
        self._unresolved[id(function.node)] = unresolved

    def _entries(self, function: Function) -> Iterable[Entry]:
        yield from self._direct.get(id(function.node), ())
        for callee, args, own in self._sites.get(id(function.node), ()):
            if callee is None:
                continue
            for status, code in self.raises.get(id(callee.node), ()):
                yield _put(status, args, own), _put(code, args, own)

    def unresolved(self, module_prefix: str) -> list[str]:
        """Calls in modules under `module_prefix` whose receiver's type the code does not
        say, and whose name a function that raises bears: an error they may lose."""
        root = module_prefix.partition(".")[0]
        raising = {
            f.node.name
            for f in self.index.functions
            if self.raises.get(id(f.node)) and f.module.name.partition(".")[0] == root
        }
        found = []
        for function in self.index.functions:
            module = function.module.name
            if module != module_prefix and not module.startswith(module_prefix + "."):
                continue
            for name, line in self._unresolved.get(id(function.node), ()):
                if name in raising:
                    found.append(f"{module}:{line} {function.node.name}() calls .{name}()")
        return sorted(found)

    def errors_of(self, fn: Callable[..., Any]) -> dict[int, set[str]]:
        """{status: codes} the function `fn` may answer with; "" among the codes stands for
        one computed at run time."""
        function = self._find(fn)
        if function is None:
            return {}
        self.settle()
        found: dict[int, set[str]] = {}
        for (kind, status), (code_kind, code) in self.raises.get(id(function.node), ()):
            if kind == "lit" and isinstance(status, int) and 400 <= status < 600:
                literal = code_kind == "lit" and isinstance(code, str)
                found.setdefault(status, set()).add(str(code) if literal else OPEN)
        return found

    def _find(self, fn: Callable[..., Any]) -> Function | None:
        code = getattr(fn, "__code__", None)
        name = getattr(fn, "__module__", None)
        if not name or name.partition(".")[0] in _FRAMEWORK:
            return None
        self.index.add_root(name)
        if code is None or self.index.module(name) is None:
            return None
        for function in self.index.functions:
            node = function.node
            lines = {node.lineno, *(d.lineno for d in node.decorator_list)}
            if (
                function.module.name == name
                and node.name == code.co_name
                and code.co_firstlineno in lines
            ):
                return function
        return None


def _is_reference(node: ast.Name | ast.Attribute, called: set[int]) -> bool:
    """A name or attribute read and not called here (`rules.check_pin`, a property): maybe a
    function passed on, or run by reading it."""
    return isinstance(node.ctx, ast.Load) and id(node) not in called


def _returned_problem(node: ast.AST) -> Entry | None:
    """`return 404, "consent_not_found", message`: a rule's refusal, which its caller raises
    (`errors.refusal(*problem)`), so it counts as raised where it is returned."""
    if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Tuple):
        return None
    items = node.value.elts
    if len(items) < 2 or not all(isinstance(i, ast.Constant) for i in items[:2]):
        return None
    status, code = (i.value for i in items[:2] if isinstance(i, ast.Constant))
    if isinstance(status, int) and 400 <= status < 600 and isinstance(code, str):
        return ("lit", status), ("lit", code)
    return None


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _arguments(call: ast.Call, params: tuple[str, ...]) -> dict[str, ast.expr]:
    """The call's argument expressions by the callee's parameter names."""
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(params, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    for keyword in call.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return bound


def _spec(expr: ast.expr | None, own: set[str]) -> Spec:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int | str):
        return ("lit", expr.value)
    if isinstance(expr, ast.Name) and expr.id in own:
        return ("param", expr.id)
    return _UNKNOWN


def _put(spec: Spec, args: dict[str, ast.expr], own: set[str]) -> Spec:
    """A callee's spec seen from the caller: its parameter replaced by what the caller passed."""
    if spec[0] != "param":
        return spec
    return _spec(args.get(str(spec[1])), own)


@functools.cache
def _scan() -> _Scan:
    return _Scan()


def errors_of(functions: Iterable[Callable[..., Any]]) -> dict[int, set[str]]:
    """{status: codes} the given functions (an endpoint and its dependencies) may answer
    with; `OPEN` among the codes stands for one computed at run time."""
    found: dict[int, set[str]] = {}
    for fn in functions:
        for status, codes in _scan().errors_of(fn).items():
            found.setdefault(status, set()).update(codes)
    return found


def unresolved(package: str) -> list[str]:
    """The calls in `package` that may lose an error: their receiver's type is not said, and a
    function of their name raises one (`code_index.py`). Built-in institutions have none."""
    scan = _scan()
    scan.index.add_root(package)
    scan.index.module(package)
    scan.index.read_package(package)
    scan.settle()
    return scan.unresolved(package)
