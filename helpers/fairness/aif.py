"""AI Fairness 360, imported without its import-time noise, and the course's frames as AIF360 datasets.

The one file that imports AIF360: its classes are used by the audit, classifier and mitigation modules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.runtime import importing_aif360

with importing_aif360():
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric

__all__ = [
    "BinaryLabelDataset", "BinaryLabelDatasetMetric", "ClassificationMetric", "Reweighing", "PRIVILEGED_GROUPS",
    "UNPRIVILEGED_GROUPS", "as_dataset",
]

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
