"""The baseline model: learns the world well enough for the course's 0.90 accuracy line, validates its input."""

import numpy as np
import pytest

from helpers.models import MODEL_FEATURES, decide, train_baseline
from helpers.world import simulate_applications


@pytest.fixture(scope="module")
def world():
    return simulate_applications("stable", days=80, per_day=300, seed=2)


@pytest.fixture(scope="module")
def model(world):
    return train_baseline(world[world["day"] < 60])


def test_accuracy_on_unseen_stable_days_is_above_the_alert_line(world, model):
    later = decide(model, world[world["day"] >= 60])
    accuracy = (later["predicted_default"] == later["defaulted"]).mean()
    assert 0.91 < accuracy < 0.97


def test_decide_adds_consistent_columns(world, model):
    out = decide(model, world.head(200), threshold=0.3)
    assert (out["approved"] == 1 - out["predicted_default"]).all()
    assert (out["predicted_default"] == (out["default_probability"] >= 0.3)).all()
    assert out["default_probability"].between(0, 1).all()


def test_model_never_uses_group_or_region(model):
    assert "group" not in MODEL_FEATURES and "region" not in MODEL_FEATURES
    assert model.feature_names_ == MODEL_FEATURES


def test_missing_column_is_named(world, model):
    with pytest.raises(ValueError, match="no column 'income'"):
        decide(model, world.drop(columns="income"))


def test_nan_is_named(world, model):
    broken = world.head(50).copy()
    broken.loc[broken.index[3], "debt_to_income"] = np.nan
    with pytest.raises(ValueError, match=r"'debt_to_income' \(1 of 50 rows\)"):
        decide(model, broken)


def test_empty_window_is_refused(world, model):
    with pytest.raises(ValueError, match="empty"):
        decide(model, world.iloc[0:0])


def test_one_class_target_is_refused(world):
    with pytest.raises(ValueError, match="must hold both 0 and 1"):
        train_baseline(world[world["defaulted"] == 0])


def test_threshold_outside_zero_one_is_refused(world, model):
    with pytest.raises(ValueError, match="threshold"):
        decide(model, world.head(5), threshold=1.5)
