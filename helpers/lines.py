"""The lesson's two lines, named once.

* ``ACCURACY_LINE`` = 0.90: "alert if accuracy drops below 90%" (the lesson's automated alert);
* ``FOUR_FIFTHS`` = 4/5, an exact fraction: the disparate-impact line of the four-fifths rule (a ratio below it is
  a red flag; see ``helpers.fairness`` for what the rule does and does not say).

The course's alert rules (``monitoring/alerts.yml``) state the same lines in Prometheus' format;
``tests/test_alerts.py`` checks that the two agree.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["ACCURACY_LINE", "FOUR_FIFTHS"]

#: Accuracy below this is an alert (the lesson: "alert if accuracy drops below 90%").
ACCURACY_LINE = 0.90
#: The four-fifths rule's disparate-impact line, exact (0.8 in floating point is 0.8000000000000000444).
FOUR_FIFTHS = Fraction(4, 5)
