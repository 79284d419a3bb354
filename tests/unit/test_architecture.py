"""The layering of the house, checked on the source: the domain imports nothing of ours, the use
cases hold no SQL, the web layer and the projections reach storage only through adapters' public
classes, and no module imports another that (directly or not) imports it back.

The packages stand in this order; each may import only those before it:
domain <- adapters <- application <- projections <- web <- betrokken (the composition root)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "adapters", "application", "projections", "web", "betrokken")
STORAGE = ("sqlite3", "psycopg", "psycopg_pool", "eventsourcing.sqlite", "eventsourcing.postgres")
# A statement as SQL writes it (upper case keyword, then what follows it), inside a string literal.
SQL = re.compile(r"\b(SELECT\s+\S+.*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX))\b", re.S)


def modules() -> dict[str, Path]:
    """Every module of ours by its dotted name (a package by its own name)."""
    found = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


MODULES = modules()


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """What a module imports: dotted names, a `from package import module` resolved to the module."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
            names.update(submodules or {node.module})
    return names


def layer_of(name: str) -> str:
    return name.split(".")[0]


def imported_by_layer(layer: str) -> dict[str, set[str]]:
    return {name: imports(path) for name, path in MODULES.items() if layer_of(name) == layer}


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_before_it(layer: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    wrong = {
        f"{module} imports {target}"
        for module, targets in imported_by_layer(layer).items()
        for target in targets
        if layer_of(target) in LAYERS and layer_of(target) not in allowed
    }
    assert not wrong, sorted(wrong)


def test_the_domain_is_pure_python_and_eventsourcing_domain() -> None:
    outside = {
        f"{module} imports {target}"
        for module, targets in imported_by_layer("domain").items()
        for target in targets
        if target.split(".")[0] in {"flask", "marshmallow", "sqlite3", "psycopg", "werkzeug"}
        or (target.startswith("eventsourcing") and target not in {"eventsourcing", "eventsourcing.domain"})
    }
    assert not outside, sorted(outside)


@pytest.mark.parametrize("layer", ["domain", "application", "projections", "web"])
def test_no_layer_but_adapters_and_the_root_opens_a_database_itself(layer: str) -> None:
    direct = {
        f"{module} imports {target}"
        for module, targets in imported_by_layer(layer).items()
        for target in targets
        if any(target == s or target.startswith(s + ".") for s in STORAGE)
    }
    assert not direct, sorted(direct)


def test_no_use_case_module_holds_sql() -> None:
    holding = []
    for name, path in MODULES.items():
        if layer_of(name) != "application":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                holding.append(f"{name}:{node.lineno}")
    assert not holding, holding


def test_the_sql_detector_sees_a_statement() -> None:
    # the negative control of the test above: it would notice SQL if there were any
    assert SQL.search("SELECT parent_id FROM rewards WHERE program_id = ?")
    assert SQL.search("INSERT INTO t (a) VALUES (?)")
    assert not SQL.search("Select a programme from the list")


def test_no_module_imports_itself_back() -> None:
    edges = {
        name: {t for t in imports(path, top_level_only=True) if t in MODULES and t != name}
        for name, path in MODULES.items()
    }
    cycles = []
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append(" -> ".join(trail[trail.index(module):] + [module]))
            return
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, trail + [module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])
    assert not cycles, cycles
