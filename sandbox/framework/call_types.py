"""Which function a call in the project's source means, read the way a reader (or mypy) would.

`error_scan.py` lists the errors an endpoint can answer by following its calls. Following them
by name alone is wrong both ways: the bank's `store.claim_external_id` and a route helper
`claim` are different functions, and a marketplace helper `settle` is not `Orders.settle`. So a
call is resolved from what the code declares:

- `name(...)`: a function nested in an enclosing one, else of its module, else imported;
  a class's name calls its `__init__`;
- `module.name(...)`: the function of that imported module;
- `receiver.method(...)`: the method of the class the receiver is, known from annotations
  (parameters, `x: Cls = ...`, class attributes and dataclass fields, `self.x: Cls`,
  properties' and functions' return types, `Annotated[Cls, Depends(...)]` aliases), from
  `x = Cls(...)`, `for x in xs` with `xs: tuple[Cls, ...]`, `super()`, and for
  `request.app.state.x` from what the service assigns to `app.state.x`. The method is looked
  up through the class's bases, and the overrides of its subclasses count too (the receiver
  may be one of them); on a `Protocol`, the methods of the classes that have all of its
  methods. An object of a library's class (`Request`, `dict`) has no method that raises.

A call whose receiver's type the code does not say (or through a callable kept in a field)
resolves to nothing: it never stands for every same-named function. `callees` says it was
not resolved, and `error_scan.unresolved` lists those that could hide an error (named like a
function that raises); a test keeps that list empty for every institution, the framework and
the dialects (add the annotation a reader would need anyway).
"""

from __future__ import annotations

import ast
import builtins

from sandbox.framework.code_index import (
    NOTHING,
    OUTSIDE,
    Alias,
    Class,
    CodeIndex,
    Function,
    Module,
    Ref,
    Symbol,
    Type,
    decorator_names,
    is_static,
    own_nodes,
    service_of,
)


class CallResolver(CodeIndex):
    """The project's modules, and the types of expressions and the callees of calls in them."""

    def __init__(self) -> None:
        super().__init__()
        self._locals: dict[int, dict[str, list[tuple[ast.expr, bool]]]] = {}
        self._typing: set[int] = set()
        self._empty: dict[int, Function] = {}

    # Types of expressions

    def type_of(self, expr: ast.expr, where: Function, depth: int = 0) -> Type:
        """The classes (or modules) an expression in `where` may hold, as far as the code says."""
        key = id(expr)
        if depth > 12 or key in self._typing:
            return NOTHING
        self._typing.add(key)
        try:
            return self._type_of(expr, where, depth + 1)
        finally:
            self._typing.discard(key)

    def _type_of(self, expr: ast.expr, where: Function, depth: int) -> Type:
        if isinstance(expr, ast.Await):
            return self.type_of(expr.value, where, depth)
        if isinstance(expr, ast.Name):
            return self._name_type(expr.id, where, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute_type(expr, where, depth)
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Name)
            and expr.func.id == "super"
        ):
            return self._super(where)
        if isinstance(expr, ast.Call):
            found: set[Ref] = set()
            for callee, constructed in self.callees(expr, where)[0]:
                if constructed is not None:
                    found.add(("inst", constructed.module.name, constructed.node.name))
                else:
                    found.update(self.annotation(callee.node.returns, callee.module))
            return frozenset(found)
        if isinstance(expr, ast.Starred):
            return self._element_type(expr.value, where)
        if isinstance(expr, ast.IfExp):
            return self.type_of(expr.body, where, depth) | self.type_of(expr.orelse, where, depth)
        if isinstance(expr, ast.BoolOp):
            return frozenset().union(*(self.type_of(v, where, depth) for v in expr.values))
        return NOTHING

    def _name_type(self, name: str, where: Function, depth: int) -> Type:
        scope: Function | None = where
        while scope is not None:
            if scope.is_method and scope.node.args.args and scope.node.args.args[0].arg == name:
                kind = "cls" if decorator_names(scope.node) & {"classmethod"} else "inst"
                if not is_static(scope.node):
                    return frozenset({(kind, scope.module.name, scope.cls or "")})
            bindings = self._bindings(scope)
            if name in bindings:  # an unannotated parameter too: it hides any outer name
                return self._bound_type(bindings[name], scope, depth)
            if name in scope.nested:
                return NOTHING
            scope = scope.parent
        found = self.lookup(where.module, name)
        if isinstance(found, Class):
            return frozenset({("cls", found.module.name, found.node.name)})
        if isinstance(found, Module):
            return frozenset({("mod", found.name, "")})
        if isinstance(found, Alias):  # a module-level `name: Cls = ...`
            return self.annotation(found.expr, found.module)
        return NOTHING

    def _bound_type(self, bindings: list[tuple[ast.expr, bool]], scope: Function, d: int) -> Type:
        annotated = [expr for expr, is_annotation in bindings if is_annotation]
        if annotated:
            return frozenset().union(*(self.annotation(a, scope.module) for a in annotated))
        types = [self.type_of(expr, scope, d) for expr, _ in bindings]
        return frozenset().union(*types) if all(types) else NOTHING

    def _bindings(self, function: Function) -> dict[str, list[tuple[ast.expr, bool]]]:
        """A function's names: parameters and annotated locals (their annotations), and
        plainly assigned locals (their values)."""
        key = id(function.node)
        if key in self._locals:
            return self._locals[key]
        found: dict[str, list[tuple[ast.expr, bool]]] = {}
        arguments = function.node.args
        for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            if arg.annotation is not None:
                found.setdefault(arg.arg, []).append((arg.annotation, True))
            else:
                found.setdefault(arg.arg, [])
        for node in own_nodes(function.node):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, []).append((node.annotation, True))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                for name, value in _pairs(node.targets[0], node.value):
                    found.setdefault(name, []).append((value, False))
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                found.setdefault(node.optional_vars.id, []).append((ast.Constant(None), False))
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                # `for x in xs`: x is an element of xs, marked as `*xs` for _type_of.
                element = ast.Starred(value=node.iter, ctx=ast.Load())
                if not isinstance(node.target, ast.Name):
                    element = ast.Starred(value=ast.Constant(None), ctx=ast.Load())
                for bound in ast.walk(node.target):
                    if isinstance(bound, ast.Name):
                        found.setdefault(bound.id, []).append((element, False))
        self._locals[key] = found
        return found

    def _attribute_type(self, expr: ast.Attribute, where: Function, depth: int) -> Type:
        if isinstance(expr.value, ast.Attribute) and expr.value.attr == "state":
            return self._state_type(expr.attr, where, depth)
        found: set[Ref] = set()
        for kind, module_name, name in self.type_of(expr.value, where, depth):
            if kind == "ext":
                found.update(OUTSIDE)
            elif kind == "mod":
                module = self.module(module_name)
                symbol = self.lookup(module, expr.attr) if module is not None else None
                if isinstance(symbol, Class):
                    found.add(("cls", symbol.module.name, symbol.node.name))
                elif isinstance(symbol, Module):
                    found.add(("mod", symbol.name, ""))
                continue
            cls = self.cls((kind, module_name, name))
            for owner in self.ancestors(cls) if cls is not None else ():
                for value, annotated, method in owner.attributes.get(expr.attr, ()):
                    if annotated:
                        found.update(self.annotation(value, owner.module))
                    elif method is not None:
                        found.update(self.type_of(value, method, depth))
        return frozenset(found)

    def _super(self, where: Function) -> Type:
        """`super()` in a method: its class's bases."""
        method: Function | None = where
        while method is not None and not method.is_method:
            method = method.parent
        module = where.module
        cls = module.classes.get(method.cls or "") if method is not None else None
        if cls is None:
            return NOTHING
        return frozenset().union(*(self.annotation(b, module) for b in cls.node.bases))

    def _element_type(self, iterable: ast.expr, where: Function) -> Type:
        """What iterating over `iterable` gives, as its declared annotation says."""
        found: set[Ref] = set()
        if isinstance(iterable, ast.Name):
            scope: Function | None = where
            while scope is not None and iterable.id not in self._bindings(scope):
                scope = scope.parent
            bindings = self._bindings(scope).get(iterable.id, []) if scope is not None else []
            for value, annotated in bindings:
                if annotated:
                    found.update(self.annotation(value, where.module, element=True))
        elif isinstance(iterable, ast.Attribute):
            for ref in self.type_of(iterable.value, where):
                cls = self.cls(ref) if ref[0] in ("inst", "cls") else None
                for owner in self.ancestors(cls) if cls is not None else ():
                    for value, annotated, _ in owner.attributes.get(iterable.attr, ()):
                        if annotated:
                            found.update(self.annotation(value, owner.module, element=True))
        return frozenset(found)

    def _state_type(self, name: str, where: Function, depth: int) -> Type:
        """`request.app.state.x`: what the service assigns to `app.state.x`."""
        self.read_package(where.module.name)
        found: set[Ref] = set()
        for value, assigned_in in self.state.get(service_of(where.module.name), ()):
            parent = _parent_target(value, assigned_in)
            if parent == name:
                found.update(self.type_of(value, assigned_in, depth))
        return frozenset(found)

    # Calls

    def callees(
        self, call: ast.Call, where: Function
    ) -> tuple[list[tuple[Function, Class | None]], bool]:
        """The functions a call may run (with the class when it constructs one), and whether
        the call was resolved (False: the receiver's type is not said anywhere)."""
        func = call.func
        if isinstance(func, ast.Name):
            return self._named(func.id, where)
        if not isinstance(func, ast.Attribute):
            return [], True
        receiver = self.type_of(func.value, where)
        if not receiver:
            return [], _is_external(func.value, where, self)
        found: list[tuple[Function, Class | None]] = []
        resolved = True
        for kind, module_name, name in receiver:
            if kind == "ext":
                continue
            if kind == "mod":
                module = self.module(module_name)
                if module is not None:
                    found.extend(self._symbol_callees(self.lookup(module, func.attr)))
                continue
            cls = self.cls((kind, module_name, name))
            if cls is not None:
                methods = self.methods(cls, func.attr)
                found.extend((m, None) for m in methods)
                # A callable kept in a field (`refresh_partners: Callable[[], None]`): what it
                # holds is not said where it is called.
                declared = any(func.attr in c.attributes for c in self.ancestors(cls))
                resolved = resolved and bool(methods or not declared)
        return found, resolved

    def _named(
        self, name: str, where: Function
    ) -> tuple[list[tuple[Function, Class | None]], bool]:
        scope: Function | None = where
        while scope is not None:
            if name in scope.nested:
                return [(scope.nested[name], None)], True
            if name in self._bindings(scope):
                return [], True  # a local holding a callable: a reference, counted where named
            scope = scope.parent
        symbol = self.lookup(where.module, name)
        if symbol is None:
            return [], hasattr(builtins, name) or name in where.module.imports
        return self._symbol_callees(symbol), True

    def _symbol_callees(self, symbol: Symbol) -> list[tuple[Function, Class | None]]:
        if isinstance(symbol, Function):
            return [(symbol, None)]
        if isinstance(symbol, Class):
            init = self.methods(symbol, "__init__")[:1]
            return [(f, symbol) for f in init] or [(self._no_init(symbol), symbol)]
        return []

    def _no_init(self, cls: Class) -> Function:
        """A stand-in `__init__` raising nothing, for a class that defines none."""
        if id(cls) not in self._empty:
            node = ast.parse("def __init__(): pass").body[0]
            assert isinstance(node, ast.FunctionDef)
            self._empty[id(cls)] = Function(node, cls.module, cls.node.name, None)
        return self._empty[id(cls)]

    def referenced(self, expr: ast.expr, where: Function) -> list[Function]:
        """The function a name or attribute passed as a value stands for (a callback)."""
        if isinstance(expr, ast.Name):
            found, _ = self._named(expr.id, where)
        elif isinstance(expr, ast.Attribute):
            found, _ = self.callees(ast.Call(func=expr, args=[], keywords=[]), where)
        else:
            return []
        return [f for f, constructed in found if constructed is None]


def _is_external(receiver: ast.expr, where: Function, index: CodeIndex) -> bool:
    """A receiver named after something outside `sandbox` (`json.loads`, `asyncio.gather`)."""
    root = receiver
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    imported = where.module.imports.get(root.id)
    return imported is not None and not index.own(imported[0])


def _pairs(target: ast.expr, value: ast.expr) -> list[tuple[str, ast.expr]]:
    """The names an assignment binds, each with its value where the code spells it out
    (`store, now = _store(request), _now(request)`), else with nothing known."""
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if isinstance(target, ast.Tuple | ast.List):
        values = value.elts if isinstance(value, ast.Tuple | ast.List) else []
        if len(values) == len(target.elts):
            return [pair for t, v in zip(target.elts, values, strict=True) for pair in _pairs(t, v)]
        unknown = ast.Constant(None)
        return [(n.id, unknown) for n in ast.walk(target) if isinstance(n, ast.Name)]
    return []


def _parent_target(value: ast.expr, where: Function) -> str | None:
    for node in own_nodes(where.node):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute):
                    return target.attr
    return None
