"""Figures for drift (issue 3): a year of daily drift monitoring with ``drift_timeline`` against one Evidently Report
per day, on the same data, and the run times of notebooks 01 and 02.

Run with ``python benchmarks/drift.py``, ``make bench`` or ``python -m course bench drift``. Prints, does not assert:
timings depend on the machine and on what else runs on it (the load average is printed with the figures).
Targets (issue 3): the year's timeline under 3 s after imports; each notebook under 15 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")

DAYS = 365  # daily windows to monitor
PER_DAY = 400  # rows per window
TRAIN_DAYS = 60  # the reference: the training period of notebooks 01 and 02 (24 000 rows)
SAMPLE_WINDOWS = 8  # windows timed with one Evidently Report each, then scaled to a year
TIMELINE_RUNS = 3


def line(label: str, value: str) -> None:
    print(f"  {label:<62} {value}", flush=True)


def main() -> int:
    started = time.perf_counter()
    from helpers import drift  # imports Evidently (quietly)

    import_seconds = time.perf_counter() - started
    from course.notebooks import NOTEBOOK_DIR, run_all
    from helpers.world import simulate_applications

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) before the runs")
    line("import helpers.drift (Evidently 0.7)", f"{import_seconds:6.2f} s")

    world = simulate_applications("income_shock", days=TRAIN_DAYS + DAYS, per_day=PER_DAY, seed=0)
    reference = world[world["day"] < TRAIN_DAYS]
    monitored = world[world["day"] >= TRAIN_DAYS]
    columns = drift.MONITORED_COLUMNS
    print(
        f"data: income_shock, reference {len(reference):,} rows (days 0-{TRAIN_DAYS - 1}); monitored {DAYS} daily "
        f"windows x {PER_DAY} rows x {len(columns)} columns; Evidently's default methods and thresholds"
    )

    print("drift_timeline (Evidently's stattests per column-window):")
    runs = []
    for run in range(TIMELINE_RUNS):
        t0 = time.perf_counter()
        timeline = drift.drift_timeline(reference, monitored, columns=columns)
        runs.append(time.perf_counter() - t0)
        line(f"run {run + 1}: a year of daily windows", f"{runs[-1]:6.2f} s")
    timeline_seconds = statistics.median(runs)
    line("median", f"{timeline_seconds:6.2f} s  (target < 3 s)")

    print(f"one Evidently Report per window (DataDriftPreset with tests), {SAMPLE_WINDOWS} windows spread over the year:")
    periods = sorted(timeline["period"].unique())
    sample = [periods[round(i * (len(periods) - 1) / (SAMPLE_WINDOWS - 1))] for i in range(SAMPLE_WINDOWS)]
    report_runs, largest_gap = [], 0.0
    for period in sample:
        window = monitored[monitored["date"] == period]
        t0 = time.perf_counter()
        table = drift.drift_table(reference, window, columns=columns)
        report_runs.append(time.perf_counter() - t0)
        fast = timeline[timeline["period"] == period].set_index("column").loc[table["column"], "score"].to_numpy()
        largest_gap = max(largest_gap, float(abs(fast - table["score"].to_numpy()).max()))
    per_report = statistics.mean(report_runs)
    year_of_reports = per_report * len(periods)
    line("mean per Report", f"{per_report:6.2f} s")
    line(f"scaled to a year ({len(periods)} Reports)", f"{year_of_reports:6.1f} s")
    line("ratio: Reports for a year / timeline for a year", f"{year_of_reports / timeline_seconds:6.0f} x")
    line("largest score difference, timeline vs Report, sampled windows", f"{largest_gap:.1e}")

    print("notebooks (course.notebooks.run_all, full parameters, each in a fresh kernel):")
    results = run_all([NOTEBOOK_DIR / "01_data_drift.ipynb", NOTEBOOK_DIR / "02_concept_drift.ipynb"])
    for result in results:
        verdict = "within" if result.seconds < 15 else "OVER"
        status = f"{verdict} the 15 s target" if result.ok else f"FAILED: {result.error}"
        line(result.notebook, f"{result.seconds:6.1f} s  {status}")
    print(f"total {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f} (1 min) after the runs")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
