"""Transparency reports: a model's purpose, data, logic, performance, fairness, monitoring, oversight and limits,
written as Markdown and HTML under ``build/reports/``, each section mapped to the EU AI Act duty it serves.

Credit scoring of natural persons is a high-risk use under the EU AI Act (Regulation (EU) 2024/1689, Annex III,
point 5(b)). ``SECTIONS`` lists what a report must contain and which article each part serves; a report refuses to
render while a section is missing. The sections are the model's part of the provider's technical documentation
(Art. 11 and Annex IV); decision logic maps to Art. 13(3)(b)(vii) (information to interpret the output) and to the
right to an explanation of an individual decision (Art. 86); the limits feed a deployer's fundamental-rights impact
assessment (Art. 27, which names credit scoring). No application dates are stated: they have been amended, so read
them in the official text. The mapping shows where a document like this helps a provider meet its duties;
writing one does not make a system compliant (that takes a conformity assessment, a risk-management and a
quality-management system, and legal advice).

Reports are deterministic: the same inputs give byte-identical files (no timestamps unless a ``date`` is passed in),
so they can be versioned and diffed next to the model they describe.

Typical use::

    report = TransparencyReport("Credit approval model", date="2024-06-30")
    report.add("purpose", "Scores applications for consumer credit ...")
    report.add("data", "...", table=data_sources(files=["uci_german_credit.data"], frames={"training": train}))
    ...
    paths = report.write("credit_model")        # build/reports/credit_model.md and .html

A report's prose can live in a template (``helpers/templates/<name>.md``, one ``## <section key>`` heading per
section, paragraphs separated by blank lines, ``{name:.3f}``-style fields for the figures) instead of in a notebook
cell: ``TransparencyReport.from_template(name, values, tables)`` fills it in and refuses a field it is not given.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import data_path, frame_digest, sha256_of
from helpers.paths import build_path

__all__ = [
    "SECTIONS", "SectionSpec", "TransparencyReport", "ReportFiles", "TEMPLATE_DIR", "data_sources", "decision_drivers",
]

#: Where report templates live (``<name>.md``; see ``TransparencyReport.from_template``).
TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class SectionSpec:
    """What one section of a transparency report documents and which EU AI Act provisions it serves."""

    title: str
    articles: str  #: the provisions, e.g. "Art. 13(3)(b)(i)"
    duty: str  #: the duty in plain words


#: The sections of a transparency report, in order (key -> what it documents and which duty it serves).
SECTIONS: dict[str, SectionSpec] = {
    "purpose": SectionSpec(
        "Purpose and intended use", "Art. 13(3)(b)(i); Annex III 5(b)",
        "instructions for use state the intended purpose; credit scoring of natural persons is high-risk",
    ),
    "data": SectionSpec(
        "Data and its version", "Art. 10(2)(b), Art. 13(3)(b)(vi); Art. 11 and Annex IV",
        "origin of the data and the training data used, identified by digest so the exact version can be found",
    ),
    "logic": SectionSpec(
        "Features and decision logic", "Art. 13(1), Art. 13(3)(b)(vii); Art. 86",
        "information that lets deployers interpret the output (which inputs drive a decision, and how), and the basis "
        "of the explanation a person refused may ask of the decision's main elements (Art. 86)",
    ),
    "performance": SectionSpec(
        "Performance by group", "Art. 13(3)(b)(ii), Art. 13(3)(b)(v)",
        "the level of accuracy and the performance for the groups of persons the system is used on",
    ),
    "fairness": SectionSpec(
        "Bias examination and mitigation", "Art. 10(2)(f), Art. 10(2)(g), Art. 10(5)",
        "examination of possible biases that could lead to discrimination, and measures to detect and mitigate them; "
        "Art. 10(5) is the legal basis for processing special categories of personal data (e.g. ethnic origin) "
        "strictly to detect and correct bias, with safeguards",
    ),
    "monitoring": SectionSpec(
        "Monitoring plan and thresholds", "Art. 72, Art. 12",
        "post-market monitoring of performance and fairness in use, with logs that make the system traceable",
    ),
    "oversight": SectionSpec(
        "Human oversight", "Art. 14, Art. 13(3)(d)",
        "people who can understand, monitor, override and stop the system, and what they are given to do so",
    ),
    "limits": SectionSpec(
        "Known limits and risks", "Art. 13(3)(b)(iii); Art. 27",
        "known or foreseeable circumstances in which the system may put fundamental rights at risk; the input to the "
        "fundamental-rights impact assessment a deployer of credit scoring must make (Art. 27)",
    ),
}


@dataclass
class _Content:
    paragraphs: list[str]
    table: pd.DataFrame | None


@dataclass(frozen=True)
class ReportFiles:
    """The files a report was written to."""

    markdown: Path
    html: Path


@dataclass
class TransparencyReport:
    """A transparency report under construction: ``add`` each section of ``SECTIONS``, then ``write``.

    Args:
        title: what the report documents (e.g. "Credit approval model, version 2").
        date: shown under the title when given (e.g. the audit date); never filled in automatically.
        version: the model version documented, shown under the title when given.
    """

    title: str
    date: str | None = None
    version: str | None = None
    _sections: dict[str, _Content] = field(default_factory=dict, repr=False)

    @classmethod
    def from_template(
        cls,
        name: str,
        values: Mapping[str, object],
        tables: Mapping[str, pd.DataFrame | Mapping] | None = None,
        date: str | None = None,
        version: str | None = None,
    ) -> TransparencyReport:
        """A complete report from template ``helpers/templates/<name>.md``, its fields filled from ``values``.

        The template's first line is ``# <title>``; then one ``## <key>`` heading per section of ``SECTIONS``, each
        followed by paragraphs separated by blank lines. Fields use ``str.format`` syntax (``{accuracy:.3f}``).
        ``tables`` maps a section key to the table shown under that section's text.

        Raises:
            ValueError: no such template, a heading that is not a section key, a missing section, or a field that
                ``values`` does not give (the message names the field and the section).
        """
        title, sections = _read_template(name)
        report = cls(title, date=date, version=version)
        unknown = set(tables or {}) - set(SECTIONS)
        if unknown:
            raise ValueError(
                f"tables for unknown section(s) {sorted(unknown)}; valid sections are: {', '.join(SECTIONS)}"
            )
        for key, body in sections.items():
            report.add(key, _filled_paragraphs(name, key, body, values), table=(tables or {}).get(key))
        report._require_complete()
        return report

    def add(self, key: str, text: str | Iterable[str], table: pd.DataFrame | Mapping | None = None) -> None:
        """Set section ``key`` (one of ``SECTIONS``): a paragraph or a list of them, and an optional table.

        A mapping as ``table`` becomes a two-column table (item, value). Floats are shown with 4 significant digits.
        """
        if key not in SECTIONS:
            raise ValueError(f"unknown report section {key!r}; valid sections are: {', '.join(SECTIONS)}")
        paragraphs = [text] if isinstance(text, str) else [str(t) for t in text]
        if not any(p.strip() for p in paragraphs):
            raise ValueError(f"report section {key!r} needs some text: say what it documents")
        if isinstance(table, Mapping):
            table = pd.DataFrame({"item": list(table.keys()), "value": list(table.values())})
        if table is not None and not isinstance(table, pd.DataFrame):
            raise TypeError(f"table of section {key!r} must be a DataFrame or a mapping, got {type(table).__name__}")
        self._sections[key] = _Content(paragraphs, None if table is None else table.copy())

    @property
    def missing(self) -> list[str]:
        """Sections of ``SECTIONS`` not added yet."""
        return [key for key in SECTIONS if key not in self._sections]

    def _require_complete(self) -> None:
        if self.missing:
            raise ValueError(
                f"the transparency report lacks section(s) {', '.join(map(repr, self.missing))}; add them with "
                f"report.add(key, text) (sections: {', '.join(SECTIONS)})"
            )

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError(f"title must say what the report documents (a non-empty string), got {self.title!r}")
        for name in ("date", "version"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string as it should be shown (e.g. '2024-06-30'), got {value!r}")

    def compliance_map(self) -> pd.DataFrame:
        """One row per section: its title, the EU AI Act provisions and the duty it serves."""
        return pd.DataFrame(
            [{"section": f"{i}. {spec.title}", "EU AI Act": spec.articles, "duty served": spec.duty}
             for i, spec in enumerate(SECTIONS.values(), start=1)]
        )

    def _header_lines(self) -> list[str]:
        meta = []
        if self.version:
            meta.append(f"Model version: {self.version}")
        if self.date:
            meta.append(f"Date: {self.date}")
        return meta

    def to_markdown(self) -> str:
        """The report as Markdown (deterministic: the same inputs give the same text)."""
        self._require_complete()
        lines = [f"# Transparency report: {self.title}", ""]
        meta = self._header_lines()
        if meta:
            lines += [" | ".join(meta), ""]
        lines += [
            "Credit scoring of natural persons is high-risk under the EU AI Act (Regulation (EU) 2024/1689, Annex III, "
            "point 5(b)). Each section names the provision it serves; together they are the part of the provider's "
            "technical documentation (Art. 11 and Annex IV) that concerns the model. This document supports those "
            "duties; it is not a conformity assessment.",
            "",
            _markdown_table(self.compliance_map()),
            "",
        ]
        for i, (key, spec) in enumerate(SECTIONS.items(), start=1):
            content = self._sections[key]
            lines += [f"## {i}. {spec.title}", "", f"*EU AI Act {spec.articles}: {spec.duty}.*", ""]
            for paragraph in content.paragraphs:
                lines += [paragraph, ""]
            if content.table is not None:
                lines += [_markdown_table(content.table), ""]
        return "\n".join(lines).rstrip() + "\n"

    def to_html(self) -> str:
        """The report as a standalone HTML page (deterministic)."""
        self._require_complete()
        esc = html.escape
        body = [f"<h1>Transparency report: {esc(self.title)}</h1>"]
        meta = self._header_lines()
        if meta:
            body.append(f"<p class=\"meta\">{esc(' | '.join(meta))}</p>")
        body.append(
            "<p>Credit scoring of natural persons is high-risk under the EU AI Act (Regulation (EU) 2024/1689, "
            "Annex III, point 5(b)). Each section names the provision it serves; together they are the part of the "
            "provider's technical documentation (Art. 11 and Annex IV) that concerns the model. This document "
            "supports those duties; it is not a conformity assessment.</p>"
        )
        body.append(_html_table(self.compliance_map()))
        for i, (key, spec) in enumerate(SECTIONS.items(), start=1):
            content = self._sections[key]
            body.append(f"<h2>{i}. {esc(spec.title)}</h2>")
            body.append(f"<p class=\"act\">EU AI Act {esc(spec.articles)}: {esc(spec.duty)}.</p>")
            body += [f"<p>{_inline_html(p)}</p>" for p in content.paragraphs]
            if content.table is not None:
                body.append(_html_table(content.table))
        style = (
            "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45}"
            "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.25em .6em;"
            "text-align:left}th{background:#eee}.act{color:#555;font-style:italic}.meta{color:#555}"
        )
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Transparency report: {esc(self.title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(body)
            + "\n</body>\n</html>\n"
        )

    def write(self, name: str = "transparency_report") -> ReportFiles:
        """Write ``build/reports/<name>.md`` and ``.html``; return their paths."""
        if not name or any(c in name for c in "/\\") or name.startswith("."):
            raise ValueError(f"report name must be a plain file name without folders, got {name!r}")
        markdown, page = self.to_markdown(), self.to_html()
        md_path = build_path("reports", f"{name}.md")
        html_path = build_path("reports", f"{name}.html")
        md_path.write_text(markdown, encoding="utf-8")
        html_path.write_text(page, encoding="utf-8")
        return ReportFiles(md_path, html_path)


# ----------------------------------------------------------------------------------------------------------------
# Building blocks for the sections
# ----------------------------------------------------------------------------------------------------------------
def data_sources(files: Iterable[str] = (), frames: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """A table identifying each data set by its version id (column ``digest``): a shipped file by the SHA-256 of
    its bytes (verified against ``helpers.data.CHECKSUMS``), an in-memory frame by ``helpers.data.frame_digest``
    (the digest MLflow records when the same frame is logged as a run's dataset).

    Raises:
        KeyError: a file that is not shipped (the message lists the shipped files).
        helpers.data.DataFileError: a shipped file that is missing or altered.
    """
    if isinstance(files, (str, bytes)):
        raise ValueError(f"files must be a list of data file names, e.g. [{files!r}], got the string {files!r}")
    if frames is not None and not isinstance(frames, Mapping):
        raise ValueError(f"frames must map a name to a DataFrame, e.g. {{'training': df}}, got {type(frames).__name__}")
    for name, frame in (frames or {}).items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frames[{name!r}] must be a pandas DataFrame, got {type(frame).__name__}")
    rows = []
    for name in files:
        path = data_path(name)  # raises unless the file's digest equals CHECKSUMS[name]
        rows.append({"data": f"data/{name}", "kind": "file", "rows": sum(1 for _ in path.open("rb")),
                     "digest": sha256_of(path)})
    for name, frame in (frames or {}).items():
        rows.append({"data": name, "kind": "derived frame", "rows": len(frame), "digest": frame_digest(frame)})
    if not rows:
        raise ValueError("data_sources needs at least one file or frame to identify")
    return pd.DataFrame(rows)


def decision_drivers(model, predicts: str = "default") -> pd.DataFrame:
    """What drives a linear model's decisions: one row per input, largest influence first.

    For a scikit-learn Pipeline ending in a linear classifier (``helpers.models.train_baseline``), ``coefficient``
    is the change in log-odds of the predicted class (default, for the baseline) per standard deviation of the input
    after the pipeline's transformations (money columns enter as logarithms), and ``direction`` says which way it
    pushes the predicted probability of ``predicts`` (the class the model predicts: "default" for the baseline).
    """
    from sklearn.pipeline import Pipeline

    final = model[-1] if isinstance(model, Pipeline) else model
    coef = getattr(final, "coef_", None)
    if coef is None:
        raise TypeError(f"decision_drivers needs a linear model with coef_, got {type(final).__name__}")
    names = _input_names(model, coef.shape[1])
    values = np.asarray(coef, dtype=float).ravel()
    out = pd.DataFrame({"input": names, "coefficient": values})
    out["direction"] = np.where(values > 0, f"raises P({predicts})", f"lowers P({predicts})")
    order = np.argsort(-np.abs(values), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _input_names(model, width: int) -> list[str]:
    """Names of the inputs the final estimator sees (transformers that keep one column per input included)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if not isinstance(model, Pipeline) or len(model) == 1:
        final = model[-1] if isinstance(model, Pipeline) else model
        return list(getattr(final, "feature_names_in_", [f"x{i}" for i in range(width)]))
    try:
        return list(model[:-1].get_feature_names_out())
    except AttributeError:  # e.g. FunctionTransformer(np.log) without feature_names_out: one column per input
        first = model[0]
        if isinstance(first, ColumnTransformer):
            names = [c for _, trans, cols in first.transformers_ if trans != "drop" for c in cols]
            if len(names) == width:
                return [str(n) for n in names]
        return [f"x{i}" for i in range(width)]


def _format(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "n/a"
        return f"{value:.4g}"
    if value is None or value is pd.NA:
        return "n/a"
    return str(value)


def _cells(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    frame = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
    header = [str(c) for c in frame.columns]
    rows = [[_format(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return header, rows


def _markdown_table(df: pd.DataFrame) -> str:
    header, rows = _cells(df)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|"] + [line(r) for r in rows])


def _html_table(df: pd.DataFrame) -> str:
    header, rows = _cells(df)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _inline_html(text: str) -> str:
    """Escape text and render Markdown's `code` and **bold** spans."""
    import re

    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


def _read_template(name: str) -> tuple[str, dict[str, list[str]]]:
    """Template ``TEMPLATE_DIR/<name>.md`` split into its title (the ``# `` line) and, for each ``## <key>``
    heading in the order written, the raw lines under it; a template that is missing, has no title or names a
    section that is not a key of ``SECTIONS`` raises ValueError."""
    path = TEMPLATE_DIR / f"{name}.md"
    if not path.is_file():
        have = sorted(p.stem for p in TEMPLATE_DIR.glob("*.md"))
        raise ValueError(
            f"no report template {name!r} in helpers/templates/; templates: {', '.join(have) or 'none'}"
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"template {name!r} must start with a '# <title>' line")
    title = lines[0][2:].strip()
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines[1:]:
        if line.startswith("## "):
            current = line[3:].strip()
            if current not in SECTIONS:
                raise ValueError(
                    f"template {name!r} has a section {current!r}; valid sections are: {', '.join(SECTIONS)}"
                )
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return title, sections


def _filled_paragraphs(name: str, key: str, body: list[str], values: Mapping[str, object]) -> list[str]:
    """Section ``key``'s lines ``body`` as paragraphs (split at blank lines, each on one line, empty ones dropped)
    with their ``str.format`` fields filled from ``values``; a field ``values`` lacks raises a ValueError naming
    the field, the section and template ``name``."""
    import string

    formatter = string.Formatter()
    paragraphs = [" ".join(p.split()) for p in "\n".join(body).split("\n\n") if p.strip()]
    filled = []
    for paragraph in paragraphs:
        for _, field_name, _, _ in formatter.parse(paragraph):
            if field_name is not None and field_name.split(".")[0].split("[")[0] not in values:
                raise ValueError(
                    f"template {name!r}, section {key!r}: no value for field {{{field_name}}}; "
                    f"pass it in values (given: {', '.join(sorted(values)) or 'none'})"
                )
        filled.append(formatter.vformat(paragraph, (), dict(values)))
    return filled
