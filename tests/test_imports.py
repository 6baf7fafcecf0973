"""The library's import graph: packages import only downwards through the layers written down in
docs/design.md (## Code layout), and no module imports itself back through another."""

from __future__ import annotations

import ast
import graphlib
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
DESIGN = Path(__file__).resolve().parents[1] / "docs" / "design.md"


def layers() -> list[str]:
    """The layers, bottom first, as docs/design.md lists them (`layers: a < b < ...`)."""
    found = re.search(r"^Layers, bottom first: (.+)$", DESIGN.read_text(), re.MULTILINE)
    assert found, "docs/design.md must list the layers ('Layers, bottom first: `util` < ...')"
    return re.findall(r"`([a-z_]+)`", found.group(1))


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The icegp modules a file imports, at any depth (function-level imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("icegp")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("icegp"):
            assert node.level == 0, f"{path}: relative import"
            for alias in node.names:  # `from icegp.x import y`: y is a module or a name in x
                sub = f"{node.module}.{alias.name}"
                found.add(sub if module_path(sub) else node.module)
    return found


def module_path(name: str) -> Path | None:
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "icegp"


GRAPH = {module_name(p): imports(p) for p in sorted((SRC / "icegp").rglob("*.py"))}


def test_every_package_has_a_layer():
    assert {layer_of(m) for m in GRAPH} - {"icegp"} == set(layers())


def test_no_module_imports_a_higher_layer():
    rank = {"icegp": -1} | {name: k for k, name in enumerate(layers())}  # icegp/__init__: the version
    wrong = [
        f"{m} imports {d}"
        for m, deps in GRAPH.items()
        for d in deps
        if layer_of(m) != "icegp" and rank[layer_of(d)] > rank[layer_of(m)]
    ]
    assert not wrong, "imports against the layers of docs/design.md:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle():
    # a package's __init__ re-exporting its modules is not a cycle of its modules
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in GRAPH.items()}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as err:
        pytest.fail(f"import cycle: {' -> '.join(err.args[1])}")


def test_the_library_does_not_import_the_benchmark_tools():
    library = {m: deps for m, deps in GRAPH.items() if layer_of(m) != "bench"}
    assert not sorted(m for m, deps in library.items() if any(layer_of(d) == "bench" for d in deps))
