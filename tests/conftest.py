"""Shared test setup: plots render off-screen; notebook kernels use this environment."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
