"""The shape of fo_lite/core and fo_lite/utils: no import cycles (type-only imports included),
and no module reaching into another module's underscore names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fo_lite"
CHECKED = ("core", "utils")


def _modules() -> dict[str, ast.Module]:
    out = {}
    for package in CHECKED:
        for path in sorted((PACKAGE / package).glob("*.py")):
            out[f"fo_lite.{package}.{path.stem}"] = ast.parse(path.read_text(), str(path))
    return out


MODULES = _modules()


def _imports(tree: ast.Module) -> set[str]:
    """Every fo_lite.core/utils module imported anywhere in ``tree`` (TYPE_CHECKING blocks and
    function bodies too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in MODULES:
                found.add(node.module)
            for alias in node.names:  # from fo_lite.core import columns
                if f"{node.module}.{alias.name}" in MODULES:
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
    return found


def test_no_import_cycles():
    graph = {name: _imports(tree) - {name} for name, tree in MODULES.items()}
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def _defined_names(tree: ast.Module) -> set[str]:
    """Underscore names a module defines: functions, classes, assignments, attributes it sets
    on ``self``/``cls``, slots."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__ entries, setattr names
    return {n for n in names if n.startswith("_")}


def _base_modules(tree: ast.Module, modules: dict[str, ast.Module]) -> set[str]:
    """Modules defining the base classes of this module's classes (their protected names are
    this module's to use, as a subclass's)."""
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in modules:
            for alias in node.names:
                imported[alias.asname or alias.name] = node.module
    bases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in imported:
                    bases.add(imported[base.id])
    return bases


def _reaches(modules: dict[str, ast.Module]) -> list[str]:
    """Uses of another module's underscore names (dunders aside)."""
    defined = {name: _defined_names(tree) for name, tree in modules.items()}
    problems = []
    for name, tree in modules.items():
        allowed = set(defined[name])
        for base in _base_modules(tree, modules):
            allowed |= defined[base]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fo_"):
                problems += [
                    f"{name}: imports {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.endswith("__")
                ]
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            attr = node.attr
            if attr.startswith("__") and attr.endswith("__"):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if attr not in allowed:
                problems.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return problems


def test_no_module_reaches_into_another_modules_underscore_names():
    assert _reaches(MODULES) == []


def test_the_checker_sees_reaches_but_not_a_subclass_using_its_base():
    modules = {
        "fo_lite.core.a": ast.parse("class A:\n    def f(self):\n        self._x = 1\n"),
        "fo_lite.core.b": ast.parse(
            "from fo_lite.core.a import A, _hidden\n"
            "class B(A):\n    def g(self, other):\n        return other._x\n"
            "def h(store):\n    return store._frame\n"
        ),
    }
    assert _reaches(modules) == [
        "fo_lite.core.b: imports fo_lite.core.a._hidden",
        "fo_lite.core.b:6: store._frame",
    ]
