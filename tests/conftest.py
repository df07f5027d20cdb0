"""Shared test setup: notebook kernels use this environment's Jupyter kernel.

No test needs to restore ``MLFLOW_TRACKING_URI``: ``helpers.tracking.connect`` leaves the process environment as it
was (``tests/test_tracking.py`` checks it), so kernels started later by the same pytest worker never inherit a test's
temporary store.
"""

import os

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
# The course's own runs hold notebooks to their text: a false claim fails (nbval's kernels inherit this).
os.environ.setdefault("COURSE_STRICT_CLAIMS", "1")
