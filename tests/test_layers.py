"""Layer rules of ARCHITECTURE.md, proved by walking every import in the package.

Arrows point down only: face -> terminal -> bridge -> client -> protocol; server -> protocol
and trademath; client -> trademath. Pure data modules (constants, records) may be imported by
every layer. The face may reach the simulator only lazily (inside a function), so that
``import MetaTrader5`` never loads it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "MetaTrader5"
DATA = {"MetaTrader5.constants", "MetaTrader5.records", "MetaTrader5._version"}

#: layer -> the layers (package prefixes) its module-level imports may reach.
ALLOWED: dict[str, set[str]] = {
    "protocol": {"MetaTrader5.protocol"},
    "trademath": {"MetaTrader5.trademath"},
    "client": {"MetaTrader5.client", "MetaTrader5.protocol", "MetaTrader5.trademath"},
    "server": {"MetaTrader5.server", "MetaTrader5.protocol", "MetaTrader5.trademath"},
    "_bridge": set(),
}
#: Lazy (function-level) imports the face may make in addition to its own allowances.
FACE_LAZY_EXTRA = {"MetaTrader5.server"}


def _layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return "_bridge" if rel.stem == "_bridge" else "face"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, node.module] if node.module else base)


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import of ours in ``path``."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue  # annotations only: never imported at run time
            nested = top and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(child, module, is_package)
                # `from MetaTrader5 import constants` imports the submodule, not the face.
                submodules = [a.name for a in child.names if _is_module(f"{target}.{a.name}")]
                if len(submodules) < len(child.names):
                    found.append((target, top))
                found.extend((f"{target}.{name}", top) for name in submodules)
            visit(child, nested)

    visit(tree, True)
    return [(name, top) for name, top in found if name.startswith("MetaTrader5")]


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _allowed(layer: str, target: str, top: bool) -> bool:
    if target in DATA or any(target.startswith(d + ".") for d in DATA):
        return True
    if target == "MetaTrader5":
        return layer == "face"
    if layer == "face":
        # The face may use everything below it, but the simulator only lazily.
        return not target.startswith("MetaTrader5.server") or (
            not top and any(target.startswith(p) for p in FACE_LAZY_EXTRA)
        )
    return any(target == p or target.startswith(p + ".") for p in ALLOWED[layer])


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    layer = _layer_of(path)
    bad = [
        target
        for target, top in _imports(path)
        if not _allowed(layer, target, top)
    ]
    assert not bad, f"{path.relative_to(PACKAGE)} ({layer} layer) imports upward: {bad}"


def test_the_walk_sees_real_imports() -> None:
    # Guards the test itself: a walker that found nothing would pass everything.
    client_imports = {t for p in (PACKAGE / "client").rglob("*.py") for t, _ in _imports(p)}
    assert any(t.startswith("MetaTrader5.protocol") for t in client_imports)
    assert not _allowed("protocol", "MetaTrader5.client", True)
    assert not _allowed("server", "MetaTrader5.client.transport", True)
    assert not _allowed("face", "MetaTrader5.server", True)
    assert _allowed("face", "MetaTrader5.server", False)
    assert _is_module("MetaTrader5.constants") and not _is_module("MetaTrader5.nothing_here")
    guarded = ast.parse("if TYPE_CHECKING:\n    import x\n").body[0]
    assert _is_type_checking_block(guarded)
