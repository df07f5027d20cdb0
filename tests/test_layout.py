"""CONTRIBUTING's map of the code matches the tree: every module of the learner's library (helpers/) and of the
course's tooling (course/) is named there, so a newcomer finds each idea from the map alone."""

from __future__ import annotations

import re

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
