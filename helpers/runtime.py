"""How the course's computations run: Python warnings silenced in a block, and one BLAS thread for small tests.

Both are scoped (context managers): nothing here changes global state on import or after a block ends.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from threadpoolctl import threadpool_limits

__all__ = ["quiet_warnings", "single_threaded_blas"]


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
