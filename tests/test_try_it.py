"""The README's papermill examples and each notebook's "Try it" knobs run to the end as a learner runs them: a claim that a
knob makes false prints a note naming it (``helpers.claims``) instead of stopping the notebook."""

from __future__ import annotations

import pytest
from notebook_runs import run, stream_text

from course.notebooks import NOTEBOOK_DIR

TRY_IT = [
    ("00_start_here.ipynb", {"scenario": "proxy_bias", "seed": 7}, None),
    ("01_data_drift.ipynb", {"seed": 7, "daily_threshold": 0.1}, "the stable world never fires"),
    ("01_data_drift.ipynb", {"per_day": 100}, None),
    ("03_bias_audit.ipynb", {"cv_repeats": 3, "alarm_per_day": 50}, None),
    ("02_concept_drift.ipynb", {"window": 1, "as_of_day": 130}, None),
    ("05_silent_failure.ipynb", {"review_share": 0.02, "kappa_threshold": 0.3}, None),
    ("06_safe_updates.ipynb", {"warmup_seconds": 10, "sync_seconds": 30, "ab_share": 0.5}, None),
    ("08_scale.ipynb", {"scenario": "stable", "bins": 20}, None),
]  # 04's knobs run in tests/test_mlflow_server.py and 07's in tests/test_nothing_outside_build.py (one run, two checks)


@pytest.mark.parametrize("name, parameters, note", TRY_IT, ids=lambda v: str(v))
def test_try_it_parameters_run_to_the_end(name, parameters, note):
    kind = f"try-it/{name[:2]}_{'_'.join(map(str, parameters.values()))}"
    executed = run(NOTEBOOK_DIR / name, kind, parameters, strict_claims=False)
    if note:
        stderr = stream_text(executed, "stderr")
        assert f"Claim no longer holds: {note}" in stderr, stderr[-2000:]
