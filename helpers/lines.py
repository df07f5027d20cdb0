"""The lesson's two lines, read from the one place they are written: the course's alert rules.

* ``ACCURACY_LINE`` (0.90): the threshold of ``ModelAccuracyBelow90`` in ``monitoring/alerts.yml``, "alert if
  accuracy drops below 90%" (the lesson's automated alert);
* ``FOUR_FIFTHS`` (4/5, an exact fraction): the threshold of ``DisparateImpactRedFlag``, the disparate-impact line
  of the four-fifths rule (a ratio below it is a red flag; see ``helpers.fairness`` for what the rule does and does
  not say). The rule file writes 0.8; ``Fraction("0.8")`` is exactly 4/5 (the float 0.8 is 0.8000000000000000444).

Change a line in the rule file and every helper, notebook and promtool test sees the same number (the file is read
when this module is first imported).
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["ACCURACY_LINE", "ACCURACY_RULE", "FAIRNESS_RULE", "FOUR_FIFTHS"]

#: The rules of ``monitoring/alerts.yml`` whose thresholds are the lesson's lines.
ACCURACY_RULE = "ModelAccuracyBelow90"
FAIRNESS_RULE = "DisparateImpactRedFlag"


def _read_lines() -> tuple[float, Fraction]:
    """The two lines, read from the course's rule file (``helpers.alerts.course_rules``)."""
    from helpers.alerts import course_rules

    rules = course_rules()
    # the decimal as the file writes it, exactly: Fraction("0.8") is 4/5
    return rules[ACCURACY_RULE].threshold, Fraction(repr(rules[FAIRNESS_RULE].threshold))


#: Accuracy below this is an alert (the lesson: "alert if accuracy drops below 90%").
#: The four-fifths rule's disparate-impact line, exact.
ACCURACY_LINE, FOUR_FIFTHS = _read_lines()
