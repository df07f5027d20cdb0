"""Fairness audits with AI Fairness 360 (AIF360 0.6.1): outcome rates by group, the four-fifths rule, fairness over
time, and Reweighing.

Vocabulary (AIF360's):

* the **favourable** outcome is the one people want (credit granted, "good credit risk");
* the **privileged** group is the reference group (e.g. applicants aged 25 and over); every other value of the
  protected column forms the **unprivileged** group;
* **disparate impact** (DI) = P(favourable | unprivileged) / P(favourable | privileged): 1 is parity, below 1 the
  unprivileged group receives the favourable outcome less often;
* **statistical parity difference** (SPD) = P(favourable | unprivileged) - P(favourable | privileged): 0 is parity.

The **four-fifths rule** (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D)) treats a selection
rate below 4/5 of the highest group's rate as *generally* evidence of adverse impact. It is an employment-selection
heuristic, borrowed by credit and AI-fairness practice, not a legal test for lending; the same paragraph says smaller
differences can matter and that differences in small samples may not be meaningful. So: a DI below 0.8 is a reason
to investigate, not a verdict, and a DI computed on a small group needs a significance check
(``AuditResult.significance``). The boundary is decided exactly, with integers: 32/100 against 40/100 is exactly 0.8 and
passes (in floating point, (32/100)/(40/100) is 0.7999999999999999 and would fail).

Where each part lives: ``aif`` (AIF360, imported quietly; the one file that imports it), ``inputs`` (groups and
outcomes mapped to 1/0, the input checks), ``audit`` (``audit``, ``passes_four_fifths``, ``GapTest``),
``classifier`` (``classification_audit``), ``mitigation`` (``reweigh``) and ``timeline`` (``fairness_timeline``).
Import from ``helpers.fairness``.

AIF360 accepts only numeric, NaN-free columns and silently returns nan when a group value does not occur; the
functions here accept string groups ("female", "25+"), map them to 1/0 internally, and raise a ``ValueError`` naming
the offending column or value instead.
"""

from helpers.fairness.audit import AuditResult, GapTest, audit, passes_four_fifths
from helpers.fairness.classifier import ClassificationAudit, classification_audit
from helpers.fairness.mitigation import reweigh
from helpers.fairness.timeline import (
    STATUS_BREACH,
    STATUS_NO_FAVOURABLE,
    STATUS_NO_ROWS,
    STATUS_OK,
    FairnessTimeline,
    fairness_timeline,
)
from helpers.lines import FOUR_FIFTHS

__all__ = [
    "FOUR_FIFTHS", "STATUS_OK", "STATUS_BREACH", "STATUS_NO_ROWS", "STATUS_NO_FAVOURABLE",
    "AuditResult", "GapTest", "ClassificationAudit", "FairnessTimeline",
    "audit", "classification_audit", "passes_four_fifths", "reweigh", "fairness_timeline",
]
