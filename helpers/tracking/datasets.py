"""Datasets: a DataFrame recorded as an MLflow dataset input (name, digest, a real file as its source)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from helpers.data import frame_digest
from helpers.runtime import importing_mlflow
from helpers.tracking.config import configured
from helpers.tracking.history import active_run_id
from helpers.tracking.store import STORE_DIR, safe_name
from helpers.validation import require_columns, require_rows

with importing_mlflow():
    import mlflow
    from mlflow.tracking import MlflowClient

__all__ = [
    "DATASET_DIR", "log_dataset", "run_datasets", "load_dataset",
]

#: Where ``log_dataset`` writes the data files it records as dataset sources.
DATASET_DIR = STORE_DIR / "datasets"

@configured
def log_dataset(
    df: pd.DataFrame,
    name: str,
    context: str = "training",
    targets: str | None = None,
    run_id: str | None = None,
):
    """Record ``df`` as an MLflow dataset input of a run (default: the active run) and return the dataset.

    The frame is saved as ``build/mlflow/datasets/<name>-<digest>.parquet`` (written once per content) and that
    file is the dataset's ``source``, so a run's inputs say exactly which data version it saw; ``digest`` is the
    content hash MLflow shows in the dashboard.

    Args:
        df: the data (e.g. the training window of a retraining run).
        name: the data version's name, e.g. ``"applications-days-060-089"``.
        context: the role of the data in the run: ``training``, ``evaluation`` ...
        targets: the label column, when there is one.

    Raises:
        ValueError: an empty frame, or ``targets`` not a column of it.
    """
    from mlflow.entities import DatasetInput, InputTag
    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    require_rows(df, f"dataset {name!r}")
    if targets is not None:
        require_columns(df, [targets], f"dataset {name!r}")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}")
    digest = frame_digest(df)
    path = DATASET_DIR / f"{safe_name(name)}-{digest}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        df.to_parquet(partial, index=False)
        os.replace(partial, path)  # atomic: a concurrent reader never sees half a file
    with warnings.catch_warnings():
        # mlflow registers its local-file source class twice and warns that a path "can be interpreted in
        # multiple ways" (both are the same class): not actionable
        warnings.filterwarnings("ignore", message=r".*can be interpreted in multiple ways.*")
        dataset = mlflow.data.from_pandas(df, source=str(path), name=name, targets=targets, digest=digest)
    run_id = run_id or active_run_id()
    entity = DatasetInput(dataset._to_mlflow_entity(), tags=[InputTag(MLFLOW_DATASET_CONTEXT, context)])
    MlflowClient().log_inputs(run_id, datasets=[entity])
    return dataset


@configured
def run_datasets(run_id: str, context: str | None = None) -> pd.DataFrame:
    """The dataset inputs of a run: columns ``name``, ``digest``, ``context``, ``source`` (a file path)."""
    import json

    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    rows = []
    for item in MlflowClient().get_run(run_id).inputs.dataset_inputs:
        tags = {t.key: t.value for t in item.tags}
        source = json.loads(item.dataset.source or "{}")
        rows.append(
            {
                "name": item.dataset.name,
                "digest": item.dataset.digest,
                "context": tags.get(MLFLOW_DATASET_CONTEXT, ""),
                "source": source.get("uri", item.dataset.source),
            }
        )
    frame = pd.DataFrame(rows, columns=["name", "digest", "context", "source"])
    if context is not None:
        frame = frame[frame["context"] == context].reset_index(drop=True)
    return frame


def load_dataset(source: str) -> pd.DataFrame:
    """Read back a dataset file written by ``log_dataset`` (its ``source``)."""
    path = Path(urlparse(source).path if source.startswith("file:") else source)
    if not path.exists():
        raise ValueError(f"dataset source {path.name!r} does not exist (was build/ cleaned?)")
    return pd.read_parquet(path)
