"""The project's own modules as read by Python's `ast`: functions, classes, imports, types.

`call_types.py` builds on this to tell which function a call means; `error_scan.py` on that
to list the errors an endpoint can answer. A module is read once, on demand, and only if it
is the project's own (`sandbox`, or the package of an app a test made): a library's methods
raise no `ApiError`, and an object of a library's class is `OUTSIDE`.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Ref = tuple[str, str, str]
"""("inst", module, class) an instance, ("cls", module, class) the class, ("mod", module, "")
a module, ("ext", "", "") an object of a library's class."""
Type = frozenset[Ref]
_ROOT = "sandbox"
_UNWRAP = frozenset({"Annotated", "Optional", "Final", "ClassVar", "Required", "NotRequired"})
_UNION = frozenset({"Union"})
_UNKNOWN = frozenset({"Any", "object"})
"""Annotations that say nothing of the type: a call on such a receiver is not resolved."""
_CONTAINERS = frozenset(
    {"tuple", "list", "set", "frozenset", "Sequence", "Iterable", "Iterator", "Collection"}
)
"""Generics whose first argument is what iterating over them gives."""
_PROPERTIES = frozenset({"property", "cached_property"})
NOTHING: Type = frozenset()
OUTSIDE: Type = frozenset({("ext", "", "")})
"""An object of a class from outside `sandbox` (`Request`, `dict`, `sqlite_utils.Database`):
its methods raise no `ApiError`, and neither do those of what is reached through it."""


@dataclass(eq=False)
class Function:
    """One `def` (a method or nested one too), and where it sits."""

    node: FunctionNode
    module: Module
    cls: str | None
    """The class it is a method of (its name in the module)."""
    parent: Function | None
    """The function it is nested in."""
    params: tuple[str, ...] = ()
    """Positional parameter names, without `self`/`cls`."""
    nested: dict[str, Function] = field(default_factory=dict)

    @property
    def is_method(self) -> bool:
        return self.cls is not None and self.parent is None


@dataclass(eq=False)
class Class:
    """One class: its methods, the types its attributes are declared with, its bases."""

    node: ast.ClassDef
    module: Module
    methods: dict[str, Function] = field(default_factory=dict)
    attributes: dict[str, list[tuple[ast.expr, bool, Function | None]]] = field(
        default_factory=dict
    )
    """name: (expression, is an annotation, the method it is assigned in)."""


@dataclass(eq=False)
class Module:
    """One parsed module: its top-level names and imports."""

    name: str
    path: Path
    tree: ast.Module
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    aliases: dict[str, ast.expr] = field(default_factory=dict)
    """Module-level `Name = expression` (type aliases such as `Bank = Annotated[...]`)."""
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    """local name: (module, name in it), or (module, "") for the module itself."""


@dataclass(frozen=True, eq=False)
class Alias:
    """A module-level `Name = expression` or `Name: annotation` (`Bank = Annotated[...]`)."""

    expr: ast.expr
    module: Module


Symbol = Function | Class | Module | Alias | None


class CodeIndex:
    """The modules read so far, and the types and callees read from them."""

    def __init__(self) -> None:
        self.roots = {_ROOT}
        """The top-level packages that are the project's own (read); the rest is outside."""
        self.modules: dict[str, Module | None] = {}
        self.functions: list[Function] = []
        self.state: dict[str, list[tuple[ast.expr, Function]]] = {}
        """Per service package, what its code assigns to `app.state.x` (and where)."""

    # Reading modules

    def own(self, module: str) -> bool:
        """Whether a module is the project's own (read), not a library's."""
        return module.partition(".")[0] in self.roots

    def add_root(self, module: str) -> None:
        """Count the package of `module` as the project's own (an app made in a test): unless
        it is installed as a library."""
        spec = importlib.util.find_spec(module.partition(".")[0])
        origin = spec.origin if spec is not None else None
        if origin is not None and "site-packages" not in Path(origin).parts:
            self.roots.add(module.partition(".")[0])

    def module(self, name: str) -> Module | None:
        """The module of that dotted name, read once; None outside `sandbox` or not found."""
        if name in self.modules:
            return self.modules[name]
        self.modules[name] = None
        if not self.own(name):
            return None
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return None
        path = Path(spec.origin)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            return None
        module = Module(name, path, tree)
        self.modules[name] = module
        self._read(module, spec.submodule_search_locations is not None)
        return module

    def _read(self, module: Module, is_package: bool) -> None:
        package = module.name if is_package else module.name.rpartition(".")[0]
        for node in module.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.partition(".")[0]
                    target = alias.name if alias.asname else local
                    module.imports[local] = (target, "")
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (base, alias.name)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                module.functions[node.name] = self._function(node, module, None, None)
            elif isinstance(node, ast.ClassDef):
                module.classes[node.name] = self._class(node, module)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                if isinstance(node.targets[0], ast.Name):
                    module.aliases[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                module.aliases[node.target.id] = node.annotation

    def _function(
        self, node: FunctionNode, module: Module, cls: str | None, parent: Function | None
    ) -> Function:
        names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        if cls is not None and parent is None and names and not is_static(node):
            names = names[1:]
        function = Function(node, module, cls, parent, tuple(names))
        self.functions.append(function)
        for inner in own_nodes(node):
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                function.nested[inner.name] = self._function(inner, module, cls, function)
        for inner in own_nodes(node):
            if isinstance(inner, ast.Assign | ast.AnnAssign):
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                for target in targets:
                    self._note_state(target, inner.value, function)
        return function

    def _note_state(self, target: ast.expr, value: ast.expr | None, where: Function) -> None:
        """`app.state.x = value`: what `request.app.state.x` holds, per service package."""
        if value is None or not isinstance(target, ast.Attribute):
            return
        holder = target.value
        if isinstance(holder, ast.Attribute) and holder.attr == "state":
            self.state.setdefault(service_of(where.module.name), []).append((value, where))

    def _class(self, node: ast.ClassDef, module: Module) -> Class:
        cls = Class(node, module)
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                method = self._function(item, module, node.name, None)
                cls.methods[item.name] = method
                if decorator_names(item) & _PROPERTIES and item.returns is not None:
                    cls.attributes.setdefault(item.name, []).append((item.returns, True, None))
                for inner in own_nodes(item):
                    self._note_self(cls, method, inner)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                cls.attributes.setdefault(item.target.id, []).append((item.annotation, True, None))
        return cls

    def _note_self(self, cls: Class, method: Function, node: ast.AST) -> None:
        """`self.x: Cls = ...` or `self.x = value` in a method: an attribute's type."""
        first = method.node.args.args[0].arg if method.node.args.args else None
        target: ast.expr
        if isinstance(node, ast.AnnAssign):
            target, expr, annotated = node.target, node.annotation, True
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, expr, annotated = node.targets[0], node.value, False
        else:
            return
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == first
        ):
            cls.attributes.setdefault(target.attr, []).append((expr, annotated, method))

    # Names

    def lookup(self, module: Module, name: str, depth: int = 0) -> Symbol:
        """What a module-level name is: a function, a class, a module, or an alias (its
        expression and module), through imports."""
        if depth > 8:
            return None
        if name in module.functions:
            return module.functions[name]
        if name in module.classes:
            return module.classes[name]
        if name in module.aliases:
            return Alias(module.aliases[name], module)
        if name in module.imports:
            source, attr = module.imports[name]
            if not attr:
                return self.module(source)
            found = self.module(source)
            if found is not None:
                inner = self.lookup(found, attr, depth + 1)
                if inner is not None:
                    return inner
            return self.module(f"{source}.{attr}")
        return None

    def annotation(
        self, expr: ast.expr | None, module: Module, depth: int = 0, element: bool = False
    ) -> Type:
        """The classes an annotation names (`Cls`, `Cls | None`, `Annotated[Cls, ...]`, an
        alias of those); nothing for what is not read. With `element`, the classes of what
        iterating over it gives (`tuple[Cls, ...]`, `list[Cls]`, `Sequence[Cls]`)."""
        if expr is None or depth > 8:
            return NOTHING
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                parsed = ast.parse(expr.value, mode="eval").body
            except SyntaxError:
                return NOTHING
            return self.annotation(parsed, module, depth + 1, element)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            left = self.annotation(expr.left, module, depth + 1, element)
            return left | self.annotation(expr.right, module, depth + 1, element)
        if isinstance(expr, ast.Subscript):
            outer = _decorator_name(expr.value)
            items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            if outer in _UNWRAP:
                return self.annotation(items[0], module, depth + 1, element)
            if outer in _UNION:
                inner = (self.annotation(i, module, depth + 1, element) for i in items)
                return frozenset().union(*inner)
            if element:
                contained = outer in _CONTAINERS
                return self.annotation(items[0], module, depth + 1) if contained else NOTHING
            return OUTSIDE if _is_outside(expr.value, module, self) else NOTHING
        if element or _decorator_name(expr) in _UNKNOWN:
            return NOTHING
        found = self._symbol(expr, module, depth)
        if isinstance(found, Class):
            return frozenset({("inst", found.module.name, found.node.name)})
        if isinstance(found, Alias):
            return self.annotation(found.expr, found.module, depth + 1)
        return OUTSIDE if found is None and _is_outside(expr, module, self) else NOTHING

    def _symbol(self, expr: ast.expr, module: Module, depth: int = 0) -> Symbol:
        if isinstance(expr, ast.Name):
            return self.lookup(module, expr.id)
        if isinstance(expr, ast.Attribute):
            owner = self._symbol(expr.value, module, depth + 1)
            if isinstance(owner, Module):
                return self.lookup(owner, expr.attr)
        return None

    def cls(self, ref: Ref) -> Class | None:
        module = self.module(ref[1])
        return module.classes.get(ref[2]) if module is not None else None

    def ancestors(self, cls: Class) -> list[Class]:
        """The class and its bases that are read, in lookup order."""
        found: list[Class] = []
        pending = [cls]
        while pending:
            current = pending.pop(0)
            if current in found:
                continue
            found.append(current)
            for base in current.node.bases:
                symbol = self._symbol(base, current.module)
                if isinstance(symbol, Class):
                    pending.append(symbol)
        return found

    def methods(self, cls: Class, name: str) -> list[Function]:
        """`name` on an instance of `cls`: the one it inherits, and its subclasses' overrides;
        on a `Protocol`, the method of every class read that has all of its methods."""
        found = [c.methods[name] for c in self.ancestors(cls) if name in c.methods][:1]
        protocol = _is_protocol(cls)
        if protocol:
            self.read_package(cls.module.name)  # its implementations sit beside it
        for module in list(self.modules.values()):
            for other in module.classes.values() if module is not None else ():
                if other is cls or name not in other.methods:
                    continue
                if cls in self.ancestors(other) or (
                    protocol
                    and not _is_protocol(other)
                    and cls.methods.keys() <= other.methods.keys()
                ):
                    found.append(other.methods[name])
        return found

    def read_package(self, module: str) -> None:
        """Read every module of the service package `module` is in (its `app.state`)."""
        package = self.module(service_of(module))
        if package is not None and package.path.name == "__init__.py":
            for path in sorted(package.path.parent.glob("*.py")):
                if path.stem != "__init__":
                    self.module(f"{package.name}.{path.stem}")

    def read_tree(self, package: str) -> None:
        """Read every module under `package`, subpackages too."""
        top = self.module(package)
        if top is None or top.path.name != "__init__.py":
            return
        for path in sorted(top.path.parent.rglob("*.py")):
            parts = path.relative_to(top.path.parent).with_suffix("").parts
            names = parts[:-1] if parts[-1] == "__init__" else parts
            self.module(".".join((package, *names)))


def _is_protocol(cls: Class) -> bool:
    return any(_decorator_name(base) == "Protocol" for base in cls.node.bases)


def _is_outside(expr: ast.expr, module: Module, index: CodeIndex) -> bool:
    """An annotation naming a builtin or something imported from a library."""
    root = expr
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    imported = module.imports.get(root.id)
    if imported is not None:
        return not index.own(imported[0])
    return root.id not in module.aliases and hasattr(builtins, root.id)


def service_of(module: str) -> str:
    """The package a module belongs to, for `app.state`: `sandbox.services.bank`."""
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == [_ROOT, "services"] else module


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def own_nodes(function: FunctionNode) -> list[ast.AST]:
    """The nodes of a function's body, without those of the functions nested in it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        found.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))
    return found


def _decorator_name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Call):
        expr = expr.func
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return ""


def decorator_names(node: FunctionNode) -> set[str]:
    return {_decorator_name(d) for d in node.decorator_list}


def is_static(node: FunctionNode) -> bool:
    return "staticmethod" in decorator_names(node)
