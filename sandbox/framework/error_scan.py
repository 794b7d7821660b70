"""Which errors an endpoint can answer with, read from its own service's source code.

An OpenAPI document should list every status an operation can answer and the error codes
behind each, and it must stay true when someone adds a route or a refusal next year. Writing
the list by hand beside each decorator would drift; so the document is built from the code
that raises the errors. Every institution raises `ApiError(status, code, ...)`, usually through
small helpers in its `errors.py` (`errors.not_found("order_not_found", ...)`), from the
endpoint, its dependencies (authentication) or the functions they call.

This module parses the endpoint's package once (Python's `ast`, nothing is run) and follows
calls by name: a function's errors are the `ApiError`s it builds plus those of the functions
it calls, with literal arguments put in for a helper's `status` and `code` parameters, and
the refusals rules return as `(status, code, message)` for their caller to raise. Names
are matched without types, so a method called `verify` stands for every `verify` in the
package: the answer may list an error an endpoint never reaches, never the other way round,
except where a status or code is computed at run time (those are left out: a route declares
them with FastAPI's own `responses=`).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Spec = tuple[str, object]
"""("lit", 404) a literal, ("param", "code") the enclosing function's parameter, ("?", None)."""
Entry = tuple[Spec, Spec]
"""(status, code) one error a function may raise."""

_UNKNOWN: Spec = ("?", None)
OPEN = ""
"""Among an answer's codes: one the source does not spell out (computed at run time)."""
_ERROR_CLASS = "ApiError"
_SHARED_MODULES = ("sandbox.framework.errors", "sandbox.dialects.snap.payment")
"""Helpers every institution may call besides its own (the SNAP notification's errors)."""
_MAX_ROUNDS = 12
_MAX_NAMESAKES = 6
"""A name defined more often than this (`get`, `run`) says nothing about which one is meant."""

_FRAMEWORK = frozenset({"fastapi", "starlette", "pydantic"})
"""Their own dependencies (HTTPBearer...) raise no ApiError."""

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class _Function:
    node: _FunctionNode
    params: tuple[str, ...]
    """Positional parameter names, without `self`/`cls`."""
    file: Path


class _Package:
    """Every function of one package (and the shared helpers), and what each may raise."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.functions: list[_Function] = []
        self.by_name: dict[str, list[_Function]] = {}
        self.by_file: dict[str, list[_Function]] = {}
        self.aliases: dict[Path, dict[str, str]] = {}
        for path in files:
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, UnicodeDecodeError):
                continue
            self.aliases[path] = {
                alias.asname: alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)
                for alias in node.names
                if alias.asname
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
                    if names and names[0] in ("self", "cls"):
                        names = names[1:]
                    function = _Function(node, tuple(names), path)
                    self.functions.append(function)
                    self.by_name.setdefault(node.name, []).append(function)
                    self.by_file.setdefault(str(path), []).append(function)
        self.raises: dict[int, frozenset[Entry]] = {id(f.node): frozenset() for f in self.functions}
        self._settle()

    def _settle(self) -> None:
        for _ in range(_MAX_ROUNDS):
            changed = False
            for function in self.functions:
                found = frozenset(self._entries(function))
                if found != self.raises[id(function.node)]:
                    self.raises[id(function.node)] = found
                    changed = True
            if not changed:
                return

    def _entries(self, function: _Function) -> Iterable[Entry]:
        own = set(function.params) | {a.arg for a in function.node.args.kwonlyargs}
        for node in ast.walk(function.node):
            problem = _returned_problem(node)
            if problem is not None:
                yield problem
        for call in ast.walk(function.node):
            if not isinstance(call, ast.Call):
                continue
            name = _called_name(call)
            if name == _ERROR_CLASS:
                args = _arguments(call, ("status", "code"))
                yield _spec(args.get("status"), own), _spec(args.get("code"), own)
                continue
            callees = self._callees(function, call, name)
            if len(callees) > _MAX_NAMESAKES:
                continue
            for callee in callees:
                if callee.node is function.node:
                    continue
                args = _arguments(call, callee.params)
                for status, code in self.raises[id(callee.node)]:
                    yield _put(status, args, own), _put(code, args, own)

    def _callees(self, caller: _Function, call: ast.Call, name: str | None) -> list[_Function]:
        """The functions a call may mean: one of its own module first (a helper is often
        named like another module's), else of the module it is reached through
        (`errors.not_found`), else any of that name."""
        name = self.aliases.get(caller.file, {}).get(name or "", name or "")
        found = self.by_name.get(name, [])
        local = [f for f in found if f.file == caller.file]
        if local and isinstance(call.func, ast.Name):
            return local
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            through = [f for f in found if f.file.stem == call.func.value.id]
            if through:
                return through
        return found

    def errors_of(self, fn: Callable[..., Any]) -> dict[int, set[str]]:
        """{status: codes} the function `fn` may answer with; "" among the codes stands for
        one computed at run time."""
        function = self._find(fn)
        if function is None:
            return {}
        found: dict[int, set[str]] = {}
        for (kind, status), (code_kind, code) in self.raises[id(function.node)]:
            if kind == "lit" and isinstance(status, int) and 400 <= status < 600:
                literal = code_kind == "lit" and isinstance(code, str)
                found.setdefault(status, set()).add(str(code) if literal else OPEN)
        return found

    def _find(self, fn: Callable[..., Any]) -> _Function | None:
        code = getattr(fn, "__code__", None)
        try:
            source = inspect.getsourcefile(fn)
        except TypeError:
            return None
        if code is None or source is None:
            return None
        for function in self.by_file.get(str(Path(source)), []):
            node = function.node
            lines = {node.lineno, *(d.lineno for d in node.decorator_list)}
            if node.name == code.co_name and code.co_firstlineno in lines:
                return function
        return None


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
def _package(package: str) -> _Package:
    files: list[Path] = []
    for name in (package, *_SHARED_MODULES):
        module = sys.modules.get(name) or importlib.import_module(name)
        origin = getattr(module, "__file__", None)
        if origin is None:
            continue
        path = Path(origin)
        files.extend(sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path])
    return _Package(dict.fromkeys(files))


def errors_of(functions: Iterable[Callable[..., Any]]) -> dict[int, set[str]]:
    """{status: codes} the given functions (an endpoint and its dependencies) may answer
    with; `OPEN` among the codes stands for one computed at run time."""
    found: dict[int, set[str]] = {}
    for fn in functions:
        module = getattr(fn, "__module__", None)
        if not module or module not in sys.modules or module.split(".")[0] in _FRAMEWORK:
            continue
        parent = module.rpartition(".")[0] if module.count(".") > 1 else module
        package = module if _is_package(module) else parent
        for status, codes in _package(package).errors_of(fn).items():
            found.setdefault(status, set()).update(codes)
    return found


def _is_package(module: str) -> bool:
    loaded = sys.modules.get(module)
    return bool(loaded is not None and getattr(loaded, "__path__", None))
