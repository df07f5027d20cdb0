"""CONTRIBUTING's map of the code matches the tree: every module of the learner's library (helpers/) and of the
course's tooling (course/) is named there, so a newcomer finds each idea from the map alone. And the import graph
stays a tree-like one: no cycle, no module reaching into another's private names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpers.paths import REPO_ROOT


def _layout_block() -> str:
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text()
    return text.split("## Layout", 1)[1].split("```", 2)[1]


def test_every_module_is_in_contributings_map():
    layout = _layout_block()
    missing = []
    for package in ("helpers", "course"):
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            if path.name == "__init__.py" or "__pycache__" in path.parts:
                continue
            name = "exNN.py" if re.fullmatch(r"ex\d\d\.py", path.name) else path.name
            folder = path.parent.relative_to(REPO_ROOT / package)
            if name not in layout or (str(folder) != "." and f"{folder.name}/" not in layout):
                missing.append(str(path.relative_to(REPO_ROOT)))
    assert not missing, f"CONTRIBUTING.md's layout does not name: {missing}"


def test_the_map_names_no_module_that_is_gone():
    layout = _layout_block()
    named = set(re.findall(r"\b([a-z_0-9]+\.py)\b", layout)) - {"exNN.py"}
    present = {p.name for package in ("helpers", "course") for p in (REPO_ROOT / package).rglob("*.py")}
    assert named <= present, f"CONTRIBUTING.md names modules that do not exist: {sorted(named - present)}"


# --------------------------------------------------------------------------------------------- the import graph
def _modules() -> dict[str, Path]:
    """``{dotted name: file}`` for every module of helpers/ and course/ (a package is its ``__init__.py``)."""
    found = {}
    for package in ("helpers", "course"):
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """``[(imported module, [names taken from it])]``, relative imports resolved, imports inside functions included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.append((base, [alias.name for alias in node.names]))
    return found


def test_no_import_cycle_between_the_modules():
    modules = _modules()
    edges = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names in _imports(name, path):
            for module in (target, *(f"{target}.{n}" for n in names)):
                if module in modules and module != name:
                    edges[name].add(module)

    def reaches(start: str, goal: str, seen: set) -> bool:
        return any(n == goal or (n not in seen and not seen.add(n) and reaches(n, goal, seen)) for n in edges[start])

    cycles = sorted(name for name in modules if reaches(name, name, set()))
    assert not cycles, f"these modules import themselves through others: {cycles}"


def test_no_module_takes_a_private_name_from_another():
    modules = _modules()
    reach_ins = [f"{name}: from {target} import {n}" for name, path in modules.items()
                 for target, names in _imports(name, path) if target in modules and target != name
                 for n in names if n.startswith("_") and not n.startswith("__")]
    assert not reach_ins, reach_ins
