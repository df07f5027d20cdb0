"""The hand-out index: ``build/html/index.html``, the course map with a link to everything a run left in ``build/``.

``make run`` calls ``write_index`` after executing the notebooks, so an instructor can hand out the ``build/`` folder
and point learners at one page: every executed notebook (HTML), exercise, report and dashboard screenshot present,
in course order, each linked relative to the page (the folder can be moved or zipped).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from helpers.paths import BUILD_DIR, REPO_ROOT

__all__ = ["INDEX_NAME", "notebook_title", "write_index", "collect"]

INDEX_NAME = "index.html"
_REPORT_SUFFIXES = (".html", ".md", ".json")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


def notebook_title(notebook: Path) -> str:
    """The first Markdown heading of a notebook (without the #s), else its file name."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return notebook.stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return notebook.stem


def collect(build_dir: Path = BUILD_DIR, repo_root: Path = REPO_ROOT) -> dict[str, list[tuple[str, Path | None]]]:
    """What the index lists, by section: ``(label, file)`` pairs; ``file`` is None for a notebook not run yet.

    Sections: ``notebooks`` (every notebook in ``notebooks/``, in course order, with its HTML in ``build/html/``),
    ``exercises`` (HTML of exercises present in ``build/html/``), ``reports`` (``.html``, ``.md``, ``.json`` below
    ``build/reports/``) and ``screenshots`` (images below ``build/screenshots/``).
    """
    html_dir = build_dir / "html"
    notebooks = []
    for source in sorted((repo_root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        page = html_dir / f"{source.stem}.html"
        notebooks.append((notebook_title(source), page if page.exists() else None))
    exercises = []
    for page in sorted(html_dir.glob("ex[0-9][0-9]_*.html")):
        source = repo_root / "exercises" / f"{page.stem}.ipynb"
        exercises.append((notebook_title(source) if source.exists() else page.stem, page))
    reports = sorted(p for p in (build_dir / "reports").rglob("*") if p.suffix.lower() in _REPORT_SUFFIXES
                     and not (p.suffix.lower() == ".md" and p.with_suffix(".html").exists()))  # the page, not its source
    images = sorted(p for p in (build_dir / "screenshots").rglob("*") if p.suffix.lower() in _IMAGE_SUFFIXES)
    return {
        "notebooks": notebooks,
        "exercises": exercises,
        "reports": [(p.relative_to(build_dir / "reports").as_posix(), p) for p in reports],
        "screenshots": [(p.stem.replace("-", " "), p) for p in images],
    }


def _link(target: Path, index_dir: Path) -> str:
    """``target`` relative to the index's folder, URL-safe (``../reports/drift.html``)."""
    from os.path import relpath
    from urllib.parse import quote

    return quote(Path(relpath(target, index_dir)).as_posix())


def write_index(build_dir: Path = BUILD_DIR, repo_root: Path = REPO_ROOT) -> Path:
    """Write ``build_dir/html/index.html`` (see the module doc) and return its path."""
    build_dir = Path(build_dir)
    index = build_dir / "html" / INDEX_NAME
    index.parent.mkdir(parents=True, exist_ok=True)
    found = collect(build_dir, repo_root)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>LLM Monitoring and Maintenance: course hand-outs</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
        "img{max-width:28rem;border:1px solid #ccc;margin:.3rem 0}.missing{color:#888}</style>",
        "</head><body>",
        "<h1>LLM Monitoring and Maintenance: Performance, Ethics, and Updates</h1>",
        "<p>The course companion's hand-outs: the executed notebooks in course order, the exercises, the reports "
        "and the dashboards, as the last <code>make run</code> left them.</p>",
        "<h2>Notebooks</h2>",
        "<ol>",
    ]
    for title, page in found["notebooks"]:
        if page is None:
            parts.append(f'<li class="missing">{esc(title)} (not run yet: <code>make run</code>)</li>')
        else:
            parts.append(f'<li><a href="{_link(page, index.parent)}">{esc(title)}</a></li>')
    parts.append("</ol>")
    sections = (
        ("exercises", "Exercises", "No exercise was rendered; the exercise notebooks are in <code>exercises/</code>."),
        ("reports", "Reports", "No report yet: the notebooks write their reports to <code>build/reports/</code>."),
        ("screenshots", "Dashboards", "No screenshot yet: the browser tests save them to "
                                      "<code>build/screenshots/</code>."),
    )  # fmt: skip
    for key, heading, empty in sections:
        parts.append(f"<h2>{heading}</h2>")
        if not found[key]:
            parts.append(f'<p class="missing">{empty}</p>')
            continue
        parts.append("<ul>")
        for label, path in found[key]:
            href = _link(path, index.parent)
            if key == "screenshots":
                parts.append(f'<li><a href="{href}">{esc(label)}<br><img src="{href}" alt="{esc(label)}"></a></li>')
            else:
                parts.append(f'<li><a href="{href}">{esc(label)}</a></li>')
        parts.append("</ul>")
    parts.append("<p>Live: <code>make dashboard</code> serves the Evidently workspace, <code>make mlflow-ui</code> the "
                 "MLflow store, <code>make live</code> a run that grows by one simulated day per second and "
                 "<code>make prometheus</code> a real Prometheus evaluating the course's alert rules on a replay "
                 "(its Alerts page: <code>/classic/alerts</code>).</p>")
    parts.append("</body></html>")
    index.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return index
