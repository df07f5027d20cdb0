"""The hand-out index (build/html/index.html): every notebook in course order, and a working link to each executed
notebook, exercise, report and screenshot present in the build folder, nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat

from course.handouts import write_index
from course.notebooks import run_all


def _repo(root: Path) -> Path:
    """A repository with two notebooks (01 before 02 whatever their titles) and one exercise."""
    for folder in ("notebooks", "exercises"):
        (root / folder).mkdir(parents=True)
    for name, title in (("02_second", "Zeta: the second"), ("01_first", "Alpha & <the first>")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}\n\ntext")])
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Exercise one")]),
                   root / "exercises" / "ex01_first.ipynb")  # fmt: skip
    return root


def _links(index: Path) -> list[str]:
    return [unquote(h) for h in re.findall(r'href="([^"]+)"', index.read_text(encoding="utf-8"))]


def test_index_links_every_artefact_present_and_marks_notebooks_not_run(tmp_path):
    repo = _repo(tmp_path / "repo")
    build = tmp_path / "build"
    present = [
        "html/01_first.html",
        "html/ex01_first.html",
        "reports/drift report.html",
        "reports/audit/transparency.md",
        "screenshots/evidently-dashboard.png",
    ]
    for name in present:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text("x")
    (build / "reports" / "scratch.tmp").write_text("not a hand-out")

    index = write_index(build, repo)

    assert index == build / "html" / "index.html"
    links = _links(index)
    assert {(index.parent / link).resolve() for link in links} == {(build / name).resolve() for name in present}
    assert len(links) == len(present)  # each once
    assert all((index.parent / link).exists() for link in links)  # every link works, relative to the page
    text = index.read_text(encoding="utf-8")
    assert "Alpha &amp; &lt;the first&gt;" in text  # titles from the notebooks, escaped
    assert text.index("Alpha") < text.index("Zeta")  # course order (file names), not title order
    assert re.search(r'class="missing">Zeta: the second \(not run yet', text)  # 02 has no HTML yet
    assert "Exercise one" in text and "scratch.tmp" not in text
    assert '<img src="../screenshots/evidently-dashboard.png"' in text


def test_index_of_an_empty_build_says_what_is_missing(tmp_path):
    index = write_index(tmp_path / "build", _repo(tmp_path / "repo"))
    text = index.read_text(encoding="utf-8")
    assert _links(index) == []
    assert "No report yet" in text and "No screenshot yet" in text and text.count("not run yet") == 2


def test_run_all_writes_the_index(tmp_path):
    """make run's runner leaves the index next to the notebooks' HTML (here for one tiny notebook)."""
    notebook = tmp_path / "00_tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, notebook)
    (result,) = run_all(notebooks=[notebook], out_dir=tmp_path / "build")
    assert result.ok, result.error
    assert (tmp_path / "build" / "html" / "index.html").exists()


def test_a_report_is_linked_as_its_html_page_not_its_markdown(tmp_path):
    reports = tmp_path / "build" / "reports"
    reports.mkdir(parents=True)
    (reports / "transparency_report.md").write_text("# Report\n")
    (reports / "transparency_report.html").write_text("<h1>Report</h1>")
    (reports / "notes.md").write_text("# Notes without a page\n")
    page = write_index(tmp_path / "build").read_text()
    assert 'href="../reports/transparency_report.html"' in page and "transparency_report.md" not in page
    assert 'href="../reports/notes.md"' in page  # a Markdown file without a page is still linked


def test_a_handout_page_is_titled_with_its_heading_and_loads_no_script_from_outside(tmp_path):
    import re

    from course.handouts import notebook_title
    from course.notebooks import course_notebooks, to_html

    notebook = course_notebooks()[1]
    page = tmp_path / "page.html"
    to_html(notebook, page)
    text = page.read_text()
    assert re.search(r"<title>(.*?)</title>", text).group(1) == notebook_title(notebook) != "Notebook"
    assert not re.findall(r'<script[^>]+src="https?://', text)  # MathJax, require.js, Mermaid: none
    assert "mathjax" not in text.lower() and "require.min.js" not in text
