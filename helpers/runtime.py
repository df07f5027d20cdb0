"""How the course's computations run: Python warnings silenced in a block, one BLAS thread for small tests, and
AIF360 and MLflow imported without their noise.

Both are scoped (context managers): nothing here changes global state on import or after a block ends.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

from threadpoolctl import threadpool_limits

__all__ = ["importing_aif360", "importing_mlflow", "quiet_warnings", "single_threaded_blas"]


@contextlib.contextmanager
def quiet_warnings() -> Iterator[None]:
    """Silence Python warnings inside the block (e.g. Evidently's deprecation and runtime warnings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one BLAS thread.

    The tests' dot products (e.g. inside scipy's Wasserstein distance) are tiny; with OpenBLAS' default of one thread
    per core, waking the other threads costs far more than the work (measured on a 2-core machine: a dot product of
    24 000 numbers took ~1 ms with 2 threads once Evidently was imported, 0.01 ms with 1). Results are identical.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@contextlib.contextmanager
def importing_aif360() -> Iterator[None]:
    """Import AIF360 inside this block: without its import-time noise, and without touching the root logger for good.

    On import, AIF360 calls ``logging.warning`` for each optional dependency it lacks (tensorflow, fairlearn,
    inFairness). With no handler on the root logger, the first such call runs ``logging.basicConfig`` and leaves a
    stderr handler on the root logger, which then prints every library's warnings for the rest of the session. During
    the block the root logger has a NullHandler (so ``basicConfig`` does nothing) and level ERROR, and Python
    warnings are silenced; all three are restored when the block ends. Notebooks use it too::

        with importing_aif360():
            from aif360.datasets import BinaryLabelDataset
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    level = root.level
    root.addHandler(guard)
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeHandler(guard)
        root.setLevel(level)


@contextlib.contextmanager
def importing_mlflow() -> Iterator[None]:
    """Import MLflow inside this block: tqdm (which mlflow imports) warns that ipywidgets is missing, and mlflow's
    progress bars are off anyway. Only that warning is silenced, only during the block."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*IProgress not found.*")
        yield
