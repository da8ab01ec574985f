"""The package's import graph: arrows point down, no cycles, no reaching into private names.

Every import counts, whether at module level, inside a function or under TYPE_CHECKING: a late
import hides a cycle, it does not remove it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crossborder_crm"
# Feature packages whose pure/domain modules must not know the web layer.
DOMAIN_PACKAGES = ("accounts", "buyers", "outbox", "timing", "i18n", "feedback", "campaigns")
ADAPTER_PACKAGES = ("api", "panel")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_adapter(module: str) -> bool:
    """CLI commands and web views: the modules of a feature allowed to import Flask."""
    last = module.rsplit(".", 1)[-1]
    return last == "cli" or last.endswith("_views")


def _resolve(name: str) -> str | None:
    """The module of ours that `import name` loads, or None if it is not ours."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in the module."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.append((sub, None, node.lineno) if sub in MODULES else (base, a.name, node.lineno))
    return found


def _edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in _imports(module):
            ours = _resolve(target)
            if ours and ours != module:
                graph[module].add(ours)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def _in(module: str, package: str) -> bool:
    return module == f"crossborder_crm.{package}" or module.startswith(f"crossborder_crm.{package}.")


def test_the_import_graph_has_no_cycle():
    cycles = _cycles(_edges())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_imports_the_package_root():
    offenders = [m for m, targets in _edges().items()
                 if "crossborder_crm" in targets and m != "crossborder_crm.__main__"]
    assert offenders == []


def test_timing_imports_nothing_of_ours():
    offenders = {m: sorted(t for t in targets if not _in(t, "timing"))
                 for m, targets in _edges().items() if _in(m, "timing")}
    assert {m: t for m, t in offenders.items() if t} == {}


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_packages_never_import_the_web_layer(package):
    offenders = {m: sorted(t for t in targets if any(_in(t, a) for a in ADAPTER_PACKAGES))
                 for m, targets in _edges().items() if _in(m, package)}
    assert {m: t for m, t in offenders.items() if t} == {}


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_modules_do_not_import_flask(package):
    offenders = sorted(m for m in MODULES if _in(m, package) and not _is_adapter(m)
                       and m != f"crossborder_crm.{package}"
                       and any(t == "flask" or t.startswith(("flask.", "flask_")) for t, _, _ in _imports(m)))
    assert offenders == []


def test_no_module_imports_a_private_name_of_another():
    offenders = [f"{m}:{line} imports {target}.{name}" for m in MODULES for target, name, line in _imports(m)
                 if name and name.startswith("_") and not name.startswith("__") and _resolve(target)]
    assert not offenders, "\n".join(offenders)
