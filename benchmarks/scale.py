"""Figures for monitoring past one machine (issue 22): rows per second and peak memory of the same profile on
pandas, DuckDB and Dask distributed, and how time grows from 1x to 100x the course's volume.

The course's volume (1x) is notebook 08's lender table: 26 weeks x 400 applications a day = 72,800 rows, written as
52 Parquet files (week x group). Larger volumes repeat it (10x: 728,000 rows; 100x: 7.28 million) in the same 52
files, so every count must be exactly the scale times the 1x count: each run checks that before it is reported.
Each (engine, volume) runs in a fresh process (median of 3 runs), so that the memory it reports, the process's peak
resident set while it profiles minus what it held before, is the engine's own. Dask runs a LocalCluster of 2 worker threads
in that process (its start is not timed).

Run with ``python benchmarks/scale.py`` (1x and 10x), ``python benchmarks/scale.py --scales 1 10 100`` (the 100x
figure: a few minutes), ``make bench`` or ``python -m course bench scale``. Prints, does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("PYTHONHASHSEED", "0")

DAYS, PER_DAY, TRAIN_WEEKS, SEED = 182, 400, 8, 0
RUNS = 3  # timed runs per engine and volume; the median is reported
ENGINES = ("pandas", "duckdb", "dask")


def folder(scale: int):
    from helpers.paths import build_path

    return build_path("bench-scale", f"x{scale:03d}")


def lender_table():
    """Notebook 08's lender table at 1x (observed outcomes, no oracle)."""
    from helpers.labels import observed_outcomes
    from helpers.models import decide, train_baseline
    from helpers.world import simulate_applications

    world = simulate_applications("neighbourhood_shock", days=DAYS, per_day=PER_DAY, seed=SEED)
    decisions = decide(train_baseline(world[world["day"] < 7 * TRAIN_WEEKS], seed=SEED), world)
    decisions["observed_default"] = observed_outcomes(decisions, as_of=world["date"].max())
    decisions["week"] = decisions["day"] // 7
    return decisions.drop(columns=["defaulted"])


def spec_of(table):
    from helpers.profiles import make_spec

    return make_spec(table[table["week"] < TRAIN_WEEKS], numeric=["income", "debt_to_income", "credit_score",
                     "loan_amount"], categorical=["region", "loan_term_months"])  # fmt: skip


def write(scales: list[int]) -> None:
    """Write each volume's files (each 1x file repeated ``scale`` times, one file at a time: little memory), and the
    spec and 1x counts every engine process reads (so none simulates)."""
    import pickle

    import pandas as pd

    from helpers.profiles import profile_frame, write_partitions

    table = lender_table()
    spec = spec_of(table)
    folder(1).parent.joinpath("spec.pickle").write_bytes(pickle.dumps((spec, profile_frame(table, spec).counts)))
    base = write_partitions(table, folder(1), by=("week", "group"))
    for scale in scales:
        started = time.perf_counter()
        for path in base if scale > 1 else ():
            target = folder(scale) / path.relative_to(folder(1))
            target.parent.mkdir(parents=True, exist_ok=True)
            pd.concat([pd.read_parquet(path, partitioning=None)] * scale, ignore_index=True).to_parquet(target)
        line(f"write {scale}x: {len(table) * scale:,} rows in {len(base)} Parquet files",
             f"{time.perf_counter() - started:6.2f} s")  # fmt: skip


class PeakMemory:
    """The largest resident set this process reaches inside the block, in MB above what it held on entry (sampled
    every 10 ms: ru_maxrss cannot be used, it carries the parent's peak across fork and exec)."""

    def __enter__(self):
        import threading

        import psutil

        self.process, self.start = psutil.Process(), psutil.Process().memory_info().rss
        self.peak, self.stop = self.start, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while not self.stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.added_mb = (self.peak - self.start) / 2**20


def one(engine: str, scale: int) -> dict:
    """Profile the ``scale`` table with ``engine`` in this process (median of ``RUNS``); check its counts against
    1x; return rows, seconds, the memory the engine added to the process (peak minus after imports) and exactness."""
    import pickle
    import statistics

    from helpers.profiles import merge_all, profile_dask, profile_duckdb, profile_pandas

    spec, expected = pickle.loads(folder(1).parent.joinpath("spec.pickle").read_bytes())
    paths = sorted(folder(scale).rglob("*.parquet"))
    client = cluster = None
    if engine == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        client = Client(cluster)  # the cluster's start is not timed: a real one is already running
    run = {"pandas": profile_pandas, "duckdb": profile_duckdb, "dask": lambda p, s: profile_dask(p, s, client)}[engine]
    seconds = []
    with PeakMemory() as memory:
        for _ in range(RUNS):
            started = time.perf_counter()
            profiles = run(paths, spec)
            seconds.append(time.perf_counter() - started)
    if client is not None:
        client.close()
        cluster.close()
    whole = merge_all(profiles.values())
    exact = whole.counts == {key: n * scale for key, n in expected.items()}
    return {"rows": whole.rows, "seconds": statistics.median(seconds), "added_mb": memory.added_mb, "exact": exact}


def line(label: str, value: str) -> None:
    print(f"  {label:<66} {value}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10], help="volumes (default: 1 10)")
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SCALE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]))))
        return 0
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) before the runs")
    write(args.scales)
    print("profiles (counts per bin, category, group and segment; KLL sketches k=200 of 4 features), per engine:")
    base = {}
    for scale in args.scales:
        for engine in ENGINES:
            done = subprocess.run([sys.executable, __file__, "--one", engine, str(scale)], capture_output=True,
                                  text=True, check=False)  # fmt: skip
            if done.returncode != 0:
                print(f"  {engine} {scale}x failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                return 1
            r = json.loads(done.stdout.strip().splitlines()[-1])
            base.setdefault(engine, r["seconds"])
            growth = r["seconds"] / base[engine]
            line(f"{engine:<7} {scale:>3}x {r['rows']:>10,} rows  counts {'exact' if r['exact'] else 'WRONG'}",
                 f"{r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>11,.0f} rows/s  +{r['added_mb']:5.0f} MB  "
                 f"time x{growth:5.1f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) after the runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
