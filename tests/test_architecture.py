"""The floors of the package: no module imports a floor above its own (docs/architecture.md).

Every module under ``mobility/`` is parsed (``ast``, not imported) and each import it makes is
checked: at the top, inside functions (lazy imports), under ``if TYPE_CHECKING``, relative
imports, and ``importlib.import_module`` with a literal (or f-string) module name. A module
may import its own floor and the floors below; a part of the package that is on no floor is
an error too, so a new package has to be placed here (and in docs/architecture.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import mobility

#: The floors, bottom first: each names the parts of ``mobility`` (sub-package or top-level
#: module) on it. The one definition of the order; docs/architecture.md explains it.
FLOORS: tuple[tuple[str, ...], ...] = (
    # shared tools, no model: errors, bundled-file paths, file output, output-table schemas
    # and their reader, YAML validation
    ("mobility", "errors", "resources", "fileio", "tables", "config"),
    # generic networks (no Copenhagen); progress asks network.compilation about the kernels
    ("network", "progress"),
    # the region: vocabulary, zones, roads, transit, network edits, and its data builders
    ("region", "data"),
    # what is computed on the region, and the files that describe what to compute
    ("demand", "impacts", "projects", "scenario", "scenario_sections", "rubric", "gis"),
    ("scoring",),
    ("report",),
    # the pipelines the commands call (issue 16, thin commands)
    ("pipeline",),
    ("commands", "cli"),
)
FLOOR_OF: dict[str, int] = {part: i for i, parts in enumerate(FLOORS) for part in parts}
#: Parts of a lower floor that a floor still may not import. network/ reads no bundled file
#: (``mobility.resources``): the bundled data are the region's.
NOT_IMPORTED: dict[str, tuple[str, ...]] = {"network": ("resources",)}

PACKAGE = Path(mobility.__file__).resolve().parent


def _part(module: str) -> str | None:
    """The part of ``mobility`` a dotted module name is in (None: not ``mobility``)."""
    parts = module.split(".")
    if parts[0] != "mobility":
        return None
    return parts[1] if len(parts) > 1 else "mobility"


def _module_of(path: str) -> tuple[str, bool]:
    """Dotted module name of a file path relative to the package's parent, and whether it is
    a package (``__init__.py``)."""
    parts = list(Path(path).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _literal_prefix(node: ast.expr) -> str | None:
    """The module name given to ``import_module``: a literal, or an f-string's literal start
    up to its last dot (``f"mobility.commands.{name}"`` -> ``mobility.commands``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value.rsplit(".", 1)[0] if "." in head.value else head.value
    return None


def imports_of(source: str, module: str, *, is_package: bool) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for every import anywhere in ``source``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "mobility":  # from mobility import demand -> mobility.demand
                for alias in node.names:
                    name = f"mobility.{alias.name}"
                    yield node.lineno, name if alias.name in FLOOR_OF else target
            else:
                yield node.lineno, target
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "import_module":
                target = _literal_prefix(node.args[0])
                if target is not None:
                    yield node.lineno, target


def violations(sources: Mapping[str, str]) -> list[str]:
    """Every import of a higher floor (or a forbidden lower part), and every module on no
    floor, in ``sources`` (file path relative to the package's parent -> source text)."""
    out = []
    for path, source in sorted(sources.items()):
        module, is_package = _module_of(path)
        own = _part(module)
        if own not in FLOOR_OF:
            out.append(f"{path}: '{own}' is on no floor (add it to FLOORS)")
            continue
        for line, target in imports_of(source, module, is_package=is_package):
            other = _part(target)
            if other is None or other == own:
                continue
            if other not in FLOOR_OF:
                out.append(f"{path}:{line}: imports {target}, on no floor")
            elif FLOOR_OF[other] > FLOOR_OF[own]:
                out.append(
                    f"{path}:{line}: imports {target} (floor {FLOOR_OF[other]}, {other}) from "
                    f"floor {FLOOR_OF[own]} ({own})"
                )
            elif other in NOT_IMPORTED.get(own, ()):
                out.append(f"{path}:{line}: imports {target}, which {own} may not import")
    return out


def _package_sources() -> dict[str, str]:
    root = PACKAGE.parent
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def test_no_module_imports_a_higher_floor():
    sources = _package_sources()
    assert len(sources) > 50  # the walk found the package
    assert violations(sources) == []


def test_the_floors_the_issue_names_are_in_this_order():
    # issue 16: network < region < demand, impacts, projects, scenario < scoring < report
    order = ["network", "region", "demand", "scoring", "report", "commands"]
    assert [FLOOR_OF[p] for p in order] == sorted(FLOOR_OF[p] for p in order)
    assert len({FLOOR_OF[p] for p in order}) == len(order)
    assert FLOOR_OF["impacts"] == FLOOR_OF["projects"] == FLOOR_OF["scenario"] == 3


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("mobility/network/x.py", "from mobility.region.zones import Zones\n"),
        ("mobility/network/x.py", "def f():\n    import mobility.demand.model\n"),
        ("mobility/network/x.py", "from ..demand import model\n"),
        ("mobility/network/sub/__init__.py", "from ...impacts import cba\n"),
        ("mobility/network/x.py", "from mobility.resources import data_dir\n"),
        ("mobility/region/x.py", "from mobility import demand\n"),
        (
            "mobility/region/x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from mobility.demand.parameters import DemandParameters\n",
        ),
        (
            "mobility/impacts/x.py",
            "import importlib\nimportlib.import_module('mobility.scoring')\n",
        ),
        (
            "mobility/scoring/x.py",
            "from importlib import import_module\n"
            "def f(n):\n    return import_module(f'mobility.report.{n}')\n",
        ),
        (
            "mobility/report/x.py",
            "class A:\n    def m(self):\n        from mobility.commands import run\n",
        ),
        ("mobility/newfloor/x.py", "import numpy\n"),
        ("mobility/demand/x.py", "from mobility.newfloor import y\n"),
    ],
)
def test_the_checker_catches_an_upward_import(path, source):
    found = violations({path: source})
    assert len(found) == 1, found
    assert found[0].startswith(path)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("mobility/region/x.py", "from mobility.network.graph import LinkNetwork\n"),
        ("mobility/network/x.py", "from . import graph\nfrom .vdf import VDF_CODES\n"),
        ("mobility/demand/x.py", "from mobility.impacts import congestion\nimport numpy\n"),
        (
            "mobility/impacts/x.py",
            "def f():\n    from mobility.demand.model import border_matrix\n",
        ),
        ("mobility/report/x.py", "from mobility import __version__\n"),
        (
            "mobility/cli.py",
            "import importlib\nimportlib.import_module(f'mobility.commands.{n}')\n",
        ),
        ("mobility/commands/x.py", "from mobility.report.html import build_report\n"),
    ],
)
def test_the_checker_lets_a_downward_import_pass(path, source):
    assert violations({path: source}) == []
