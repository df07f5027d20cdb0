"""Figures for the capstone (notebook 07): its weekly Evidently snapshots written in one pass against one Report per
week, on the same data, and the notebook's run time.

Run with ``python benchmarks/capstone.py``, ``make bench`` or ``python -m course bench capstone``. Prints, does not
assert: timings depend on the machine and on what else runs on it (the load average is printed with the figures).
Target: the notebook under 10 s (kernel included) on a quiet machine; its imports alone take about 5.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("DO_NOT_TRACK", "1")

DAYS, PER_DAY, TRAIN_DAYS = 365, 300, 60  # the capstone's defaults
SAMPLE_WEEKS = 4  # weeks timed with one Evidently Report each, then scaled to the year
PASS_RUNS = 3


def line(label: str, value: str) -> None:
    print(f"  {label:<62} {value}", flush=True)


def main() -> int:
    started = time.perf_counter()
    import numpy as np
    import pandas as pd

    from course.notebooks import NOTEBOOK_DIR, execute
    from helpers import workspace
    from helpers.models import decide, train_baseline
    from helpers.paths import BUILD_DIR
    from helpers.world import APPLICANT_FEATURES, simulate_applications

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) before the runs")
    world = simulate_applications("neighbourhood_shock", days=DAYS, per_day=PER_DAY, seed=0)
    training = world[world["day"] < TRAIN_DAYS]
    decisions = decide(train_baseline(training, seed=0), world[world["day"] >= TRAIN_DAYS])
    # daily metrics as the notebook's replay computes them (accuracy here: of the day's decisions)
    rates = decisions.groupby(["date", "group"])["approved"].mean().unstack()
    correct = decisions["predicted_default"] == decisions["defaulted"]
    daily = pd.DataFrame({"disparate_impact": rates["minority"] / rates["majority"],
                          **{workspace.approval_column(g): rates[g] for g in rates.columns},
                          "accuracy": correct.groupby(decisions["date"]).mean()}).reset_index()  # fmt: skip
    print(f"data: neighbourhood_shock, reference {len(training):,} rows (days 0-{TRAIN_DAYS - 1}); "
          f"{DAYS - TRAIN_DAYS} monitored days x {PER_DAY} rows; {len(APPLICANT_FEATURES)} features, "
          f"{daily.shape[1] - 1} daily metrics")  # fmt: skip

    print("add_weekly_snapshots (one pass: drift_timeline with weekly windows, snapshots from the metrics' results):")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(PASS_RUNS):
            ws, project = workspace.open_project(path=folder, fresh=True)
            t0 = time.perf_counter()
            weekly = workspace.add_weekly_snapshots(ws, project, decisions, training, APPLICANT_FEATURES, daily)
            runs.append(time.perf_counter() - t0)
            line(f"run {run + 1}: {len(weekly)} weekly snapshots", f"{runs[-1]:6.2f} s")
    pass_seconds = statistics.median(runs)
    line("median", f"{pass_seconds:6.2f} s")

    print(f"one Evidently Report per week (workspace.week_report), {SAMPLE_WEEKS} weeks spread over the year:")
    picked = weekly.iloc[np.linspace(0, len(weekly) - 1, SAMPLE_WEEKS).round().astype(int)]
    report_runs, largest_gap = [], 0.0
    for week in picked.itertuples():
        t0 = time.perf_counter()
        values = workspace.snapshot_values(workspace.week_report(decisions, training, APPLICANT_FEATURES,
                                                                 week.timestamp, daily))  # fmt: skip
        report_runs.append(time.perf_counter() - t0)
        stored = weekly.set_index("timestamp").loc[week.timestamp]
        largest_gap = max([largest_gap, *(abs(values[k] - stored[k]) for k in values if not np.isnan(values[k]))])
    per_report = statistics.mean(report_runs)
    line("mean per Report", f"{per_report:6.2f} s")
    line(f"scaled to the year ({len(weekly)} Reports)", f"{per_report * len(weekly):6.1f} s")
    line("ratio: Reports for the year / one pass", f"{per_report * len(weekly) / pass_seconds:6.0f} x")
    line("largest value difference, one pass vs Report, sampled weeks", f"{largest_gap:.1e}")

    print("notebook 07, full parameters, in a fresh kernel (course.notebooks.execute):")
    t0 = time.perf_counter()
    execute(NOTEBOOK_DIR / "07_capstone.ipynb", BUILD_DIR / "bench" / "07_capstone.ipynb")
    seconds = time.perf_counter() - t0
    line("07_capstone.ipynb", f"{seconds:6.1f} s  ({'within' if seconds < 10 else 'over'} the 10 s target)")
    print(f"total {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f} (1 min) after the runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
