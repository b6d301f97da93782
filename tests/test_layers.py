"""Arrows point inward (docs/architecture.md): the layers of src/reeducate, checked on its source.

Every module is parsed, never imported, and every import statement counts wherever it stands: at the
top, inside a function (a lazy import is a dependency all the same) and under ``if TYPE_CHECKING`` (a
core whose signatures name a clinic type cannot be read or used without the clinic). Relative imports
are resolved to absolute names first. Only imports made by name at run time (``importlib``) go unseen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PURE_CORES = ("signals", "measures", "billing", "feedback", "training", "planning")
DATABASE_AND_WEB = ("reeducate.clinic", "reeducate.web", "sqlalchemy", "fastapi", "starlette")


@dataclass(frozen=True)
class Rule:
    """Modules of ``layer`` (a subpackage of reeducate) import nothing under ``forbidden``."""

    layer: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    *(Rule(core, DATABASE_AND_WEB, "a pure core works from a notebook with nothing but its numerical libraries")
      for core in PURE_CORES),
    Rule("reports", ("reeducate.clinic", "reeducate.web"), "reports draw values the clinic hands them"),
    Rule("clinic", ("reeducate.web",), "the web calls the clinic, never the other way round"),
)


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    imported: str
    rule: Rule

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}: imports {self.imported}, but {self.rule.layer} may not import "
                f"{', '.join(self.rule.forbidden)} ({self.rule.why})")


def module_name(src: Path, path: Path) -> str:
    """``reeducate.signals.io.text`` for src/reeducate/signals/io/text.py (a package is its __init__)."""
    parts = path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(tree: ast.Module, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for each name an import statement brings in, anywhere in ``tree``.

    ``from reeducate import clinic`` yields ``reeducate.clinic``: an imported name may be a module.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def imports_by_module(src: Path) -> Iterator[tuple[Path, str, int, str]]:
    """(file, its module name, line, imported name) for every module under src/reeducate."""
    for path in sorted((src / "reeducate").rglob("*.py")):
        name = module_name(src, path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for line, imported in imported_names(ast.parse(path.read_text(), str(path)), package):
            yield path, name, line, imported


def violations(src: Path, rules: tuple[Rule, ...] = RULES) -> list[Violation]:
    """Every import under ``src`` that breaks one of ``rules``, once per statement and rule."""
    found: dict[tuple[Path, int, Rule], Violation] = {}
    for path, name, line, imported in imports_by_module(src):
        for rule in rules:
            if _within(name, f"reeducate.{rule.layer}") and any(_within(imported, f) for f in rule.forbidden):
                found.setdefault((path, line, rule), Violation(path.relative_to(src), line, imported, rule))
    return list(found.values())


def import_graph(src: Path, *, by_part: bool = False) -> dict[str, set[str]]:
    """Which module of reeducate imports which; ``by_part``: which top-level subpackage or module."""
    rows = list(imports_by_module(src))
    modules = {name for _, name, _, _ in rows}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for _, name, _, imported in rows:
        if imported in modules and imported != name:
            graph[name].add(imported)
    if not by_part:
        return graph
    part = {name: ".".join(name.split(".")[:2]) for name in modules}
    parts: dict[str, set[str]] = {part[name]: set() for name in modules}
    for name, targets in graph.items():
        parts[part[name]] |= {part[t] for t in targets if part[t] != part[name] and part[t] != "reeducate"}
    return parts


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` (its first node repeated at the end), or [] when there is none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(reversed(error.args[1]))
    return []


def test_the_layers_of_reeducate_hold() -> None:
    found = violations(SRC)
    assert not found, "arrows point inward:\n" + "\n".join(map(str, found))


def test_no_module_imports_itself_round_a_cycle() -> None:
    found = cycle(import_graph(SRC))
    assert not found, "these modules import each other: " + " imports ".join(found)


def test_no_top_level_part_imports_itself_round_a_cycle() -> None:
    found = cycle(import_graph(SRC, by_part=True))
    assert not found, "these parts import each other: " + " imports ".join(found)


def _plant(src: Path, module: str, code: str) -> Path:
    path = src / module
    for package in [*reversed(path.relative_to(src).parents)][1:]:
        (src / package).mkdir(exist_ok=True)
        (src / package / "__init__.py").touch()
    path.write_text(code)
    return path


def test_it_reports_a_planted_violation_with_its_file_line_and_rule(tmp_path: Path) -> None:
    _plant(tmp_path, "reeducate/signals/sway.py", "import numpy as np\n\nfrom reeducate.clinic import audit_log\n")

    [found] = violations(tmp_path)

    assert (found.path, found.line, found.rule.layer) == (Path("reeducate/signals/sway.py"), 3, "signals")
    assert str(found).startswith("reeducate/signals/sway.py:3: imports reeducate.clinic, but signals may not")


CAUGHT = {
    "relative": ("reeducate/signals/io/reader.py", "from ...clinic.models import Patient\n"),
    "inside a function": ("reeducate/billing/units.py", "def units():\n    import sqlalchemy.orm\n"),
    "type checking only": ("reeducate/measures/change.py",
                           "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fastapi import Request\n"),
    "a module by name": ("reeducate/feedback/engine.py", "from reeducate import web\n"),
    "starlette": ("reeducate/training/live.py", "from starlette.websockets import WebSocket\n"),
    "reports on the clinic": ("reeducate/reports/plot.py", "from ..clinic.schemas import MeasureProgress\n"),
    "clinic on the web": ("reeducate/clinic/services/live.py", "from reeducate.web.app import STATUS\n"),
}


@pytest.mark.parametrize("module, code", CAUGHT.values(), ids=CAUGHT)
def test_it_catches(tmp_path: Path, module: str, code: str) -> None:
    _plant(tmp_path, module, code)
    assert [v.path for v in violations(tmp_path)] == [Path(module)]


def test_it_lets_allowed_imports_pass(tmp_path: Path) -> None:
    _plant(tmp_path, "reeducate/signals/sway.py", "from . import consts\nfrom reeducate.clinical_terms import x\n")
    _plant(tmp_path, "reeducate/reports/plot.py", "from reeducate.measures.change import Trajectory\n")
    _plant(tmp_path, "reeducate/clinic/services/plots.py", "from reeducate.reports import plot\nimport sqlalchemy\n")
    _plant(tmp_path, "reeducate/web/app.py", "from reeducate.clinic import errors\n")
    assert violations(tmp_path) == []


def test_it_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    _plant(tmp_path, "reeducate/web/app.py", "from reeducate.web import live\n")
    _plant(tmp_path, "reeducate/web/live.py", "def run():\n    from reeducate.web.app import STATUS\n")
    assert sorted(cycle(import_graph(tmp_path))[1:]) == ["reeducate.web.app", "reeducate.web.live"]


def test_it_finds_two_parts_that_import_each_other(tmp_path: Path) -> None:
    _plant(tmp_path, "reeducate/reports/plot.py", "from reeducate.measures import change\n")
    _plant(tmp_path, "reeducate/measures/change.py", "from reeducate.reports.plot import svg\n")
    assert sorted(cycle(import_graph(tmp_path, by_part=True))[1:]) == ["reeducate.measures", "reeducate.reports"]
