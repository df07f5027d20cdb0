"""helpers.report: complete, deterministic transparency reports mapped to EU AI Act provisions."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import report as rep
from helpers.data import CHECKSUMS, DataFileError, frame_digest
from helpers.models import train_baseline
from helpers.paths import BUILD_DIR
from helpers.world import simulate_applications


def _complete(title="Test model", **kwargs) -> rep.TransparencyReport:
    report = rep.TransparencyReport(title, **kwargs)
    for key in rep.SECTIONS:
        report.add(key, f"Text of {key} with `code` and **bold** & <angle>.")
    report.add("fairness", ["First paragraph.", "Second."], table={"disparate impact": 0.821248, "passes": True})
    return report


def test_every_section_names_its_eu_ai_act_provision():
    md = _complete().to_markdown()
    for i, spec in enumerate(rep.SECTIONS.values(), start=1):
        assert f"## {i}. {spec.title}" in md
        assert f"*EU AI Act {spec.articles}:" in md
    for article in ("Art. 10(2)(f)", "Art. 12", "Art. 13(3)(b)(v)", "Art. 14", "Art. 72", "Annex III 5(b)"):
        assert article in md
    assert "| disparate impact | 0.8212 |" in md and "| passes | yes |" in md


def test_the_mapping_names_the_provisions_a_credit_model_report_serves():
    """Art. 11/Annex IV (technical documentation), 13(3)(b)(vii) for decision logic (not (iv)), Art. 86 (explanation),
    Art. 10(5) (special categories for bias detection), Art. 27 (deployer's impact assessment); no application dates."""
    import re

    articles = {key: spec.articles for key, spec in rep.SECTIONS.items()}
    assert "13(3)(b)(vii)" in articles["logic"] and "(iv)" not in articles["logic"] and "Art. 86" in articles["logic"]
    assert "Art. 10(5)" in articles["fairness"] and "Art. 27" in articles["limits"]
    assert "Art. 11" in articles["data"] and "Annex IV" in articles["data"]
    md, page = _complete().to_markdown(), _complete().to_html()
    assert "Art. 11 and Annex IV" in md and "Art. 11 and Annex IV" in page
    dates = re.findall(r"\b20(?:2[4-9]|3\d)\b(?!/1689)", md + page)  # the regulation is "(EU) 2024/1689"
    assert not dates, f"no application dates in the report: {dates}"


def test_report_is_deterministic_and_dated_only_when_asked():
    first, second = _complete().to_markdown(), _complete().to_markdown()
    assert first == second
    assert "Date:" not in first
    dated = _complete(date="2024-06-30", version="2").to_markdown()
    assert "Model version: 2 | Date: 2024-06-30" in dated


def test_html_escapes_text_and_renders_inline_code():
    page = _complete().to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "&amp; &lt;angle&gt;" in page and "<code>code</code>" in page and "<strong>bold</strong>" in page
    assert page.count("<h2>") == len(rep.SECTIONS)


def test_write_puts_both_files_under_build_reports():
    files = _complete().write("test_report_unit")
    assert files.markdown == BUILD_DIR / "reports" / "test_report_unit.md"
    assert files.html.parent == BUILD_DIR / "reports"
    assert files.markdown.read_text(encoding="utf-8") == _complete().to_markdown()
    with pytest.raises(ValueError, match="plain file name"):
        _complete().write("../escape")


def test_missing_sections_are_named():
    report = rep.TransparencyReport("Incomplete")
    report.add("purpose", "Scores credit applications.")
    with pytest.raises(ValueError, match=r"lacks section\(s\) 'data', 'logic'"):
        report.to_markdown()
    assert report.missing[0] == "data"


def test_unknown_section_and_empty_text_are_named():
    report = rep.TransparencyReport("x")
    with pytest.raises(ValueError, match="unknown report section 'ethics'; valid sections are: purpose"):
        report.add("ethics", "text")
    with pytest.raises(ValueError, match="section 'limits' needs some text"):
        report.add("limits", "  ")
    with pytest.raises(TypeError, match="DataFrame or a mapping"):
        report.add("limits", "text", table=[1, 2])


def test_data_sources_verify_file_digests_and_identify_frames():
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    table = rep.data_sources(files=["uci_german_credit.data"], frames={"training": frame})
    assert table.loc[0, "digest"] == CHECKSUMS["uci_german_credit.data"]
    assert table.loc[0, "rows"] == 1000
    assert table.loc[1, "digest"] == frame_digest(frame)
    with pytest.raises(KeyError, match="unknown data file 'nope.csv'"):
        rep.data_sources(files=["nope.csv"])
    with pytest.raises(ValueError, match="at least one"):
        rep.data_sources()


def test_altered_data_file_is_refused(monkeypatch, tmp_path):
    altered = tmp_path / "uci_german_credit.data"
    altered.write_text("1 2 3\n")
    monkeypatch.setattr("helpers.data.DATA_DIR", tmp_path)
    with pytest.raises(DataFileError, match="was altered"):
        rep.data_sources(files=["uci_german_credit.data"])


def test_frame_digest_changes_with_values_and_order():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    assert frame_digest(frame) == frame_digest(frame.copy())
    assert frame_digest(frame) != frame_digest(frame.iloc[::-1])
    assert frame_digest(frame) != frame_digest(frame.assign(a=[1, 2, 4]))
    with pytest.raises(TypeError, match="DataFrame"):
        frame_digest([1, 2])


def test_decision_drivers_of_the_baseline_model():
    train = simulate_applications("stable", days=10, per_day=200, seed=0)
    drivers = rep.decision_drivers(train_baseline(train))
    assert set(drivers["input"]) == {"credit_score", "income", "debt_to_income", "employment_years", "loan_amount",
                                     "loan_term_months", "existing_loans"}
    assert drivers["coefficient"].abs().is_monotonic_decreasing
    dti = drivers.set_index("input").loc["debt_to_income"]
    assert dti["coefficient"] > 0 and dti["direction"] == "raises P(default)"
    assert rep.decision_drivers(train_baseline(train), predicts="bad credit")["direction"].str.endswith(
        "P(bad credit)").all()
    with pytest.raises(TypeError, match="coef_"):
        rep.decision_drivers(object())


# ---------------------------------------------------------------------------------------------------------------
# Templates: the report's prose outside the notebook
# ---------------------------------------------------------------------------------------------------------------
def _template(tmp_path, monkeypatch, text: str) -> str:
    monkeypatch.setattr(rep, "TEMPLATE_DIR", tmp_path)
    (tmp_path / "t.md").write_text(text, encoding="utf-8")
    return "t"


_ALL_SECTIONS = "".join(f"## {key}\nText of {key}.\n\n" for key in rep.SECTIONS)


def test_template_fills_fields_and_keeps_paragraphs(tmp_path, monkeypatch):
    text = "# Model X\n" + _ALL_SECTIONS.replace(
        "## fairness\nText of fairness.\n", "## fairness\nDI {di:.3f} over\n{n} rows.\n\nSecond paragraph.\n"
    )
    report = rep.TransparencyReport.from_template(
        _template(tmp_path, monkeypatch, text), {"di": 0.821248, "n": 149}, tables={"fairness": {"DI": 0.821248}}
    )
    md = report.to_markdown()
    assert md.startswith("# Transparency report: Model X")
    assert "DI 0.821 over 149 rows.\n\nSecond paragraph." in md  # lines of a paragraph joined, paragraphs kept
    assert "| DI | 0.8212 |" in md


def test_template_errors_name_the_field_section_or_template(tmp_path, monkeypatch):
    name = _template(tmp_path, monkeypatch, "# X\n" + _ALL_SECTIONS.replace("Text of logic.", "{weights}"))
    with pytest.raises(ValueError, match=r"section 'logic': no value for field \{weights\}"):
        rep.TransparencyReport.from_template(name, {})
    with pytest.raises(ValueError, match="no report template 'nope'.*templates: t"):
        rep.TransparencyReport.from_template("nope", {})
    name = _template(tmp_path, monkeypatch, "# X\n## purpose\nOnly one.\n")
    with pytest.raises(ValueError, match="lacks section"):
        rep.TransparencyReport.from_template(name, {})
    name = _template(tmp_path, monkeypatch, "# X\n## summary\nText.\n")
    with pytest.raises(ValueError, match="section 'summary'; valid sections are: purpose"):
        rep.TransparencyReport.from_template(name, {})
    name = _template(tmp_path, monkeypatch, "No title\n" + _ALL_SECTIONS)
    with pytest.raises(ValueError, match="must start with a '# <title>' line"):
        rep.TransparencyReport.from_template(name, {})


def test_the_course_template_is_complete():
    fields = dict.fromkeys(
        ["n_inputs", "n_numeric", "folds", "n_young", "consecutive", "rule_name", "rule_for", "shift_day", "flag_day",
         "repeats", "before_passes", "after_passes"],
        1,
    )
    numbers = ["accuracy", "label_di", "label_di_low", "label_di_high", "label_p", "before_di", "after_di",
               "before_accuracy", "after_accuracy", "threshold", "over_25_di", "before_tpr_gap", "after_tpr_gap",
               "before_fpr_gap", "after_fpr_gap", "before_di_low", "before_di_high", "after_di_low", "after_di_high"]
    report = rep.TransparencyReport.from_template("german_credit_model", {**fields, **dict.fromkeys(numbers, 0.5)})
    markdown = report.to_markdown()
    assert not report.missing and "A94" in markdown
    assert "1973 to 1975" in markdown and "oversampled" in markdown  # what the sample is (Groemping 2019)
    assert "FPR gap" in markdown and "repeats of the" in markdown
