"""The layout rules of src/gaitload, checked on the source with ``ast`` (nothing is imported).

(a) no source file over 800 lines; (b) no module imports a ``_private`` name or a ``_private``
module of gaitload, its own package's included; (c) no import cycle among gaitload modules,
an import inside a function included (it runs later, but the two modules still depend on each
other); (d) ``gaitload.analysis`` imports neither ``gaitload.io.watch`` nor a reader module
(it reads through ``gaitload.io``'s public functions).

``KNOWN_VIOLATIONS`` is empty: every rule holds. A violation accepted for a while would be listed
there, and the list may only shrink: a violation that is not listed fails, and so does a listed
one that no longer exists.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import gaitload

PACKAGE_DIR = Path(gaitload.__file__).resolve().parent
MAX_LINES = 800

# (rule, where, what): "lines" (file, line count is not listed), "private-import" (importer,
# private module or module.name imported), "cycle" (the modules of one cycle, sorted),
# "analysis-import" (analysis, module imported).
KNOWN_VIOLATIONS: set[tuple[str, ...]] = set()


# ------------------------------------------------------------------------------------------------
# The source, parsed
# ------------------------------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _resolve(node: ast.ImportFrom, module: str, path: Path) -> str:
    """The absolute module a ``from ... import`` statement names."""
    if not node.level:
        return node.module or ""
    base = _package_of(module, path).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(tree: ast.AST, module: str, path: Path, top_level_only: bool):
    """``(target module, imported names or None)`` of every gaitload import in ``tree``; with
    ``top_level_only`` the ones executed on import (not inside a function, nor under
    ``if TYPE_CHECKING``)."""

    def walk(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if not top_level_only:
                    yield from walk(child, True)
                continue
            if (isinstance(child, ast.If) and top_level_only and isinstance(child.test, (ast.Name, ast.Attribute))
                    and ast.unparse(child.test).endswith("TYPE_CHECKING")):
                yield from walk(ast.Module(body=child.orelse, type_ignores=[]), in_function)
                continue
            if isinstance(child, ast.ImportFrom):
                target = _resolve(child, module, path)
                if target == "gaitload" or target.startswith("gaitload."):
                    yield target, [a.name for a in child.names]
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == "gaitload" or alias.name.startswith("gaitload."):
                        yield alias.name, None
            yield from walk(child, in_function)

    yield from walk(tree, False)


def _parsed():
    sources = _sources()
    return sources, {m: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for m, p in sources.items()}


def _import_graph(sources, trees) -> dict[str, set[str]]:
    """Module -> gaitload modules it imports, at import time or inside a function (a ``from
    package import name`` reaches the submodule when ``name`` is one, else the package)."""
    modules = set(sources)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, tree in trees.items():
        for target, names in _imports(tree, module, sources[module], top_level_only=False):
            if names is None:
                graph[module].add(target)
                continue
            for name in names:
                sub = f"{target}.{name}"
                graph[module].add(sub if sub in modules else target)
    for module in graph:
        graph[module] = {t for t in graph[module] if t in modules and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(tuple(sorted(comp)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _reader_modules(trees) -> set[str]:
    """Modules that register a file reader (they call ``register_reader``)."""
    return {m for m, tree in trees.items()
            if any(isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) == "register_reader"
                   for n in ast.walk(tree)) and not m.endswith(".registry")}


def find_violations() -> set[tuple[str, ...]]:
    sources, trees = _parsed()
    found: set[tuple[str, ...]] = set()
    # (a) file length
    for module, path in sources.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            found.add(("lines", str(path.relative_to(PACKAGE_DIR.parent))))
    # (b) private names and private modules, wherever the import statement is
    for module, tree in trees.items():
        for target, names in _imports(tree, module, sources[module], top_level_only=False):
            parts = target.split(".")
            private_at = next((i for i, p in enumerate(parts) if _private(p)), None)
            if private_at is not None:
                found.add(("private-import", module, ".".join(parts[: private_at + 1])))
                continue
            for name in names or ():
                if _private(name):
                    found.add(("private-import", module, f"{target}.{name}"))
    # (c) cycles at import time
    for comp in _cycles(_import_graph(sources, trees)):
        found.add(("cycle",) + comp)
    # (d) the analysis reads through gaitload.io's public functions only
    forbidden = _reader_modules(trees) | {"gaitload.io.watch"}
    for target, names in _imports(trees["gaitload.analysis"], "gaitload.analysis",
                                  sources["gaitload.analysis"], top_level_only=False):
        reached = {target} | {f"{target}.{n}" for n in names or ()}
        for bad in sorted(reached & forbidden):
            found.add(("analysis-import", "gaitload.analysis", bad))
    return found


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def violations():
    return find_violations()


def test_no_new_violations(violations):
    new = violations - KNOWN_VIOLATIONS
    assert not new, "new layout violations:\n" + "\n".join(map(str, sorted(new)))


def test_known_violations_still_exist(violations):
    """A fixed violation leaves the list, so the list only shrinks."""
    gone = KNOWN_VIOLATIONS - violations
    assert not gone, "fixed; delete from KNOWN_VIOLATIONS:\n" + "\n".join(map(str, sorted(gone)))


# The checks can fail: each rule finds a violation planted in a small fake package.
@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    pkg = tmp_path / "gaitload"
    (pkg / "io").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "analysis.py": "def f():\n    from .io.fit import read_fit\n",
        "_helper.py": "X = 1\n",
        "a.py": "from . import b\nfrom ._helper import X\n",
        "b.py": "from .a import _y\n",
        "io/__init__.py": "",
        "io/registry.py": "def register_reader(spec):\n    return spec\n",
        "io/fit.py": "from .registry import register_reader\nregister_reader(1)\n",
        "long.py": "x = 1\n" * (MAX_LINES + 1),
        "lazy.py": "def g():\n    from . import lazy2\n",
        "lazy2.py": "from . import lazy\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE_DIR", pkg)
    return pkg


def test_the_checks_find_planted_violations(fake_package):
    found = find_violations()
    assert ("lines", "gaitload/long.py") in found
    assert ("private-import", "gaitload.a", "gaitload._helper") in found
    assert ("private-import", "gaitload.b", "gaitload.a._y") in found
    assert ("cycle", "gaitload.a", "gaitload.b") in found
    assert ("analysis-import", "gaitload.analysis", "gaitload.io.fit") in found
    # an import inside a function closes a cycle too (it only runs later)
    assert ("cycle", "gaitload.lazy", "gaitload.lazy2") in found
