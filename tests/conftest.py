"""Shared test setup: notebook kernels use this environment's Jupyter kernel."""

import os

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
