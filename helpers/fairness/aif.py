"""AI Fairness 360, imported without its import-time noise, and the course's frames as AIF360 datasets.

The one file that imports AIF360: its classes are used by the audit, classifier and mitigation modules.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

def _import_aif360():
    """Import AIF360 without its import-time noise and without touching the root logger for good.

    On import, AIF360 calls ``logging.warning`` for each optional dependency it lacks (tensorflow, fairlearn,
    inFairness). With no handler on the root logger, the first such call runs ``logging.basicConfig`` and leaves a
    stderr handler on the root logger, which then prints every library's warnings for the rest of the session. While
    importing, the root logger gets a NullHandler (so ``basicConfig`` does nothing) and level ERROR; both are restored.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    level = root.level
    root.addHandler(guard)
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from aif360.algorithms.preprocessing import Reweighing
            from aif360.datasets import BinaryLabelDataset
            from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric
    finally:
        root.removeHandler(guard)
        root.setLevel(level)
    return BinaryLabelDataset, BinaryLabelDatasetMetric, ClassificationMetric, Reweighing


BinaryLabelDataset, BinaryLabelDatasetMetric, ClassificationMetric, Reweighing = _import_aif360()

#: Names AIF360 sees: the protected column becomes 1 (privileged) / 0 (unprivileged), the outcome 1/0 (favourable).
PROTECTED_NAME, LABEL_NAME = "protected", "label"
PRIVILEGED_GROUPS, UNPRIVILEGED_GROUPS = [{PROTECTED_NAME: 1}], [{PROTECTED_NAME: 0}]


def as_dataset(labels: np.ndarray, privileged_mask: np.ndarray) -> BinaryLabelDataset:
    """A BinaryLabelDataset of 1/0 labels (1 = favourable) and the protected column as 1 (privileged) / 0."""
    frame = pd.DataFrame({PROTECTED_NAME: privileged_mask.astype(float), LABEL_NAME: np.asarray(labels, dtype=float)})
    return BinaryLabelDataset(
        df=frame, label_names=[LABEL_NAME], protected_attribute_names=[PROTECTED_NAME], favorable_label=1.0,
        unfavorable_label=0.0,
    )
