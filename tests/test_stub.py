"""MetaTrader5/__init__.pyi names exactly what ``import MetaTrader5`` offers."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import ModuleType

import MetaTrader5
from MetaTrader5 import constants
from MetaTrader5.extras import FACE_EXTRAS

STUB = Path(MetaTrader5.__file__).with_name("__init__.pyi")


def _stub_names() -> dict[str, str]:
    """Public names the stub declares -> kind ('function', 'class', 'value', 'import')."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names[node.name] = "function"
        elif isinstance(node, ast.ClassDef):
            names[node.name] = "class"
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = "value"
        elif isinstance(node, ast.Assign):
            names.update((t.id, "value") for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*" and node.module == "constants":
                    names.update(dict.fromkeys(constants.__all__, "import"))
                elif alias.asname == alias.name:  # explicit re-export
                    names[alias.name] = "import"
    return {n: k for n, k in names.items() if not n.startswith("_") or n.startswith("__")}


def _runtime_names() -> set[str]:
    return {
        name
        for name, value in vars(MetaTrader5).items()
        if not isinstance(value, ModuleType)
        and (not name.startswith("_") or name in ("__version__", "__author__", "__all__"))
    }


def test_stub_and_module_name_the_same_things() -> None:
    assert set(_stub_names()) == _runtime_names()


def test_stub_covers_the_official_surface_and_the_extras() -> None:
    names = _stub_names()
    assert set(MetaTrader5.__all__) <= set(names)
    assert set(FACE_EXTRAS) <= set(names)


def test_stub_functions_are_runtime_callables_and_vice_versa() -> None:
    names = _stub_names()
    for name, kind in names.items():
        value = getattr(MetaTrader5, name)
        if kind == "function":
            assert inspect.isfunction(value), name
    for name in _runtime_names():
        if inspect.isfunction(getattr(MetaTrader5, name)):
            assert names[name] == "function", name


def test_every_failure_return_type_admits_the_sentinel() -> None:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    never_none = {"shutdown", "version", "last_error", "initialize", "login", "symbol_select",
                  "market_book_add", "market_book_release"}  # fmt: skip
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            returns = ast.unparse(node.returns) if node.returns else ""
            if node.name in never_none:
                continue  # their sentinel is False / (0, 0, '') / always succeeds
            assert returns.endswith("| None"), (node.name, returns)
