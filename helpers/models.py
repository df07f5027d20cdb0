"""The course's baseline credit model: a scikit-learn pipeline that predicts default from applicant features.

The model never sees the protected ``group`` column nor the ``region`` (a neighbourhood, and so a proxy for group).
``decide`` turns its default probabilities into approve/decline decisions at a threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from helpers.validation import require_columns, require_no_nan, require_rows, require_whole_number
from helpers.world import NUMERIC_FEATURES

__all__ = [
    "MODEL_FEATURES", "TARGET", "DEFAULT_CUTOFF", "train_baseline", "predict_default_probability", "decide",
]

#: Columns the baseline model is trained on: every numeric applicant feature of the simulated world
#: (``helpers.world.NUMERIC_FEATURES``; incomes and loan sizes enter as logarithms). Never ``region`` or ``group``.
MODEL_FEATURES = NUMERIC_FEATURES
#: Name of the true-outcome column in the simulated world.
TARGET = "defaulted"
#: Default-probability cutoff: at or above it an applicant is predicted to default and is declined.
DEFAULT_CUTOFF = 0.5


def _numeric_array(values) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _log_columns() -> ColumnTransformer:
    logged = ["income", "loan_amount"]
    rest = [c for c in MODEL_FEATURES if c not in logged]
    return ColumnTransformer(
        [("log", FunctionTransformer(np.log, feature_names_out="one-to-one"), logged), ("keep", "passthrough", rest)],
        verbose_feature_names_out=False,
    )


def train_baseline(
    train: pd.DataFrame,
    target: str = TARGET,
    features: list[str] | None = None,
    sample_weight: np.ndarray | None = None,
    seed: int = 0,
) -> Pipeline:
    """Fit the baseline model (log of money columns, standardise, logistic regression) on ``train``.

    Args:
        train: rows with every column of ``features`` and ``target``, no NaN.
        target: 0/1 column to predict (1 = defaulted).
        features: model inputs; defaults to ``MODEL_FEATURES`` (the simulated world's applicant features).
        sample_weight: optional weight per row (e.g. from ``helpers.fairness.reweigh``).
        seed: random seed of the solver.

    Raises:
        ValueError: a missing column, NaN in an input, an empty frame or a target that is not 0/1.
    """
    require_whole_number(seed, "seed")
    if features is not None and (isinstance(features, str) or not all(isinstance(f, str) for f in features)):
        raise ValueError(f"features must be a list of column names, got {features!r}")
    if features is not None and not list(features):
        raise ValueError("features is empty: name at least one column to train on (None means MODEL_FEATURES)")
    features = list(MODEL_FEATURES if features is None else features)
    require_rows(train, "training data")
    require_columns(train, features + [target], "training data")
    require_no_nan(train, features + [target], "training data")
    values = set(pd.unique(train[target]))
    if not values <= {0, 1} or len(values) < 2:
        raise ValueError(f"target column {target!r} must hold both 0 and 1, found values {sorted(values)}")
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=float) if _numeric_array(sample_weight) else None
        if weights is None or weights.shape != (len(train),):
            raise ValueError(
                f"sample_weight must hold one number per training row ({len(train)}), got "
                f"{type(sample_weight).__name__} of shape {np.shape(sample_weight)}"
            )
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("sample_weight must be finite and >= 0 (e.g. helpers.fairness.reweigh's weights)")
    steps = []
    if features == MODEL_FEATURES:
        steps.append(("log_money", _log_columns()))
    steps += [("scale", StandardScaler()), ("classify", LogisticRegression(max_iter=1000, random_state=seed))]
    model = Pipeline(steps)
    model.fit(train[features], train[target], classify__sample_weight=sample_weight)
    model.feature_names_ = features  # the columns decide() must find
    return model


def predict_default_probability(model: Pipeline, applications: pd.DataFrame) -> np.ndarray:
    """Probability of default (0 to 1) the model gives each application."""
    features = getattr(model, "feature_names_", MODEL_FEATURES)
    require_rows(applications, "applications")
    require_columns(applications, features, "applications")
    require_no_nan(applications, features, "applications")
    return model.predict_proba(applications[features])[:, 1]


def decide(model: Pipeline, applications: pd.DataFrame, threshold: float = DEFAULT_CUTOFF) -> pd.DataFrame:
    """Score applications and decide: a copy of ``applications`` with three added columns.

    * ``default_probability``: the model's probability of default;
    * ``predicted_default``: 1 when that probability is at or above ``threshold``;
    * ``approved``: 1 when the application is approved (the favourable outcome), i.e. not predicted to default.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) or not (
        0.0 < threshold < 1.0
    ):
        raise ValueError(f"threshold must be a default probability between 0 and 1 (exclusive), got {threshold!r}")
    out = applications.copy()
    out["default_probability"] = predict_default_probability(model, applications)
    out["predicted_default"] = (out["default_probability"] >= threshold).astype(int)
    out["approved"] = 1 - out["predicted_default"]
    return out
