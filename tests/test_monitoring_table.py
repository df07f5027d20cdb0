"""helpers.monitoring_table: one row per evening, only what is known that evening (worked out by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.monitoring_table import daily_table


def _book():
    """Two decision days of four applicants; outcomes on record two days later; one holdout loan a day."""
    dates = pd.to_datetime(["2024-01-01"] * 4 + ["2024-01-02"] * 4)
    return pd.DataFrame({
        "date": dates,
        "label_available_on": dates + pd.Timedelta(days=2),
        "group": ["majority", "majority", "minority", "minority"] * 2,
        "default_probability": [0.1, 0.2, 0.6, 0.3, 0.1, 0.1, 0.7, 0.8],
        "predicted_default": [0, 0, 1, 0, 0, 0, 1, 1],
        "explored": [0, 0, 1, 0, 0, 0, 0, 1],
        "approved": [1, 1, 1, 1, 1, 1, 0, 1],
        "defaulted": [0, 1, 1, 0, 0, 0, 1, 0],
    })


def test_each_evening_holds_what_is_known_then():
    table = daily_table(_book(), "2024-01-01", "2024-01-04", window=1, holdout_window=1).set_index("date")
    assert table["approval_rate"].iloc[:2].tolist() == [1.0, 0.75]
    # day 2: majority 2 of 2 approved, minority 1 of 2 (the holdout loan): 0.5 / 1.0
    assert table["disparate_impact"].iloc[:2].tolist() == [1.0, 0.5]
    # CBPE of day 1: 0.9, 0.8, 0.6 (declined), 0.7 -> 0.75
    assert table.loc["2024-01-01", "expected_accuracy"] == pytest.approx(0.75)
    # no outcome is on record before 2024-01-03: no accuracy on the first two evenings
    assert table["accuracy"].iloc[:2].isna().all() and table["accuracy_loans_made"].iloc[:2].isna().all()
    # 2024-01-03 knows day 1: the model approved 0, 1, 3: two repaid (2/3); the holdout loan (row 2) defaulted, so the
    # declined applicant (one) counts as a default: the model was right on it. Estimate (2 + 1 x 1) / 4 = 0.75
    assert table.loc["2024-01-03", "accuracy_loans_made"] == pytest.approx(2 / 3)
    assert table.loc["2024-01-03", "accuracy"] == pytest.approx(0.75)
    # 2024-01-04 knows day 2: loans 4, 5 repaid; 2 declined, the holdout loan (row 7) repaid: (2 + 2 x 0) / 4
    assert table.loc["2024-01-04", "accuracy"] == pytest.approx(0.5)
    assert table.loc["2024-01-04", "accuracy_loans_made"] == pytest.approx(1.0)


def test_drift_is_joined_by_date_and_bad_input_is_named():
    drift = pd.DataFrame({"drift_share": [0.0, 0.5]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    table = daily_table(_book(), "2024-01-01", "2024-01-03", drift=drift)
    assert table["drift_share"].iloc[:2].tolist() == [0.0, 0.5] and np.isnan(table["drift_share"].iloc[2])
    with pytest.raises(ValueError, match="privileged group 'nobody'"):
        daily_table(_book(), "2024-01-01", "2024-01-02", privileged="nobody")
    with pytest.raises(ValueError, match="first .* is after last"):
        daily_table(_book(), "2024-01-02", "2024-01-01")
    with pytest.raises(ValueError, match="'default_probability'"):
        daily_table(_book().drop(columns="default_probability"), "2024-01-01", "2024-01-02")
