"""The non-technical homework: its links resolve, its facts are the reported ones, the example fits the rubric."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT

HOMEWORK = REPO_ROOT / "exercises" / "homework"
PAGES = sorted(HOMEWORK.rglob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_worksheet_and_the_example_exist():
    names = {p.relative_to(HOMEWORK).as_posix() for p in PAGES}
    assert {"README.md", "solutions/example_report.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(HOMEWORK).as_posix())
def test_every_relative_link_resolves(page):
    text = page.read_text(encoding="utf-8")
    links = [t for t in LINK.findall(text) if not t.startswith(("http://", "https://", "#"))]
    missing = [t for t in links if not (page.parent / t.split("#")[0]).resolve().exists()]
    assert not missing, f"{page.relative_to(REPO_ROOT)} links to files that do not exist: {missing}"


def test_the_worksheet_links_the_governance_checklist():
    text = (HOMEWORK / "README.md").read_text(encoding="utf-8")
    assert "(../../governance/CHECKLIST.md)" in text


def test_the_case_states_the_reported_facts_and_corrects_the_lesson():
    text = (HOMEWORK / "README.md").read_text(encoding="utf-8")
    for fact in ("Reuters", "10 October 2018", "from 2014", "ten years", "women's", "2018, not 2023",
                 "not a retrained model"):
        assert fact in text, f"the worksheet no longer says {fact!r}"


def _report_body(path: Path) -> str:
    # the report is what lies between the two horizontal rules
    parts = re.split(r"^---$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(parts) == 3, "the example report must sit between two '---' lines"
    return parts[1]


def test_the_example_answer_is_marked_and_has_the_rubrics_length_and_parts():
    path = HOMEWORK / "solutions" / "example_report.md"
    assert "One possible answer" in path.read_text(encoding="utf-8")
    body = _report_body(path)
    words = len(re.findall(r"[A-Za-z0-9][\w'’.-]*", body))
    assert 270 <= words <= 330, f"the example report has {words} words; the rubric asks for 270 to 330"
    for part in ("What happened", "Why monitoring missed it", "What would have caught it", "Governance"):
        assert f"**{part}" in body


def test_the_checklist_half_has_a_format_and_a_rubric_row():
    """The second half asks for keep/change/drop on every item of governance/checklist.yml plus one added item, in
    a given table format, and the rubric scores it."""
    import yaml

    text = (HOMEWORK / "README.md").read_text(encoding="utf-8")
    ids = [item["id"] for item in yaml.safe_load((REPO_ROOT / "governance" / "checklist.yml").read_text())["items"]]
    assert ids, "the governance checklist has no items"
    section = text[text.index("## 4."):text.index("## 5.")]
    for item_id in ids:
        assert f"| `{item_id}` | keep / change / drop |" in section, f"the format has no row for {item_id}"
    assert "**added:**" in section and "keep / change / drop" in section
    rubric = text[text.index("## 5."):]
    assert "| **Checklist** |" in rubric and "of 18" in rubric
    example = (HOMEWORK / "solutions" / "example_report.md").read_text(encoding="utf-8")
    for item_id in ids:
        assert re.search(rf"\| `{item_id}` \| (keep|change|drop) \|", example), f"the example decides no {item_id}"
    assert "| **added:**" in example
