"""No function in the learner's library (helpers/) is longer than 60 lines, counted from its ``def`` line (or its
first decorator) to its last line, docstring included: a learner who opens a helper reads one step at a time. A
longer function is split into named private helpers that each do one step, never shortened by crowding lines."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers.paths import REPO_ROOT

#: The most lines a function in helpers/ may span.
MAX_LINES = 60


def _function_lengths(source: str) -> list[tuple[str, int, int]]:
    """(name, first line, length in lines) of every function and method in ``source``, nested ones included."""
    lengths = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            lengths.append((node.name, start, node.end_lineno - start + 1))
    return lengths


def _too_long(root: Path) -> list[str]:
    """``path:line name (N lines)`` for each function under ``root`` longer than ``MAX_LINES``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        for name, start, length in _function_lengths(path.read_text(encoding="utf-8")):
            if length > MAX_LINES:
                found.append(f"{path.relative_to(REPO_ROOT)}:{start} {name} ({length} lines)")
    return found


def test_no_function_in_helpers_is_over_60_lines():
    too_long = _too_long(REPO_ROOT / "helpers")
    assert not too_long, (
        f"functions in helpers/ over {MAX_LINES} lines (split each into private helpers that do one step each): "
        + "; ".join(too_long)
    )


def test_the_count_includes_decorators_and_docstring():
    body = "\n".join(f"    x{i} = {i}" for i in range(57))
    source = f'@property\n@staticmethod\ndef long(\n):\n    """Doc."""\n{body}\n\ndef short():\n    pass\n'
    lengths = {name: (start, length) for name, start, length in _function_lengths(source)}
    assert lengths["long"] == (1, 2 + 2 + 1 + 57)  # decorators, def and its closing line, docstring, body
    assert lengths["short"][1] == 2
