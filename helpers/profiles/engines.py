"""Partitioned Parquet, and the same profile computed on three engines: pandas, DuckDB and Dask distributed.

``write_partitions`` writes one Parquet file per partition (``day=007/group=minority/part-0.parquet``, Hive's
layout, which DuckDB, Dask, Spark and Arrow all read). Each engine returns ``{partition name: Profile}``, with the
partition name the file's folder relative to the dataset (``"day=007/group=minority"``; ``partition_of`` reads it):

* ``profile_pandas``: one file at a time in this process (the single-machine answer the others must equal);
* ``profile_duckdb``: DuckDB counts every partition's bins, categories, approvals and outcomes in SQL (one scan
  per statistic over all files, grouped by file); the sketches are fed from the columns DuckDB reads;
* ``profile_dask``: ``profile_frame`` mapped over the files on a Dask cluster: a ``distributed.Client`` (e.g. on a
  ``LocalCluster``) or a scheduler's address (``"tcp://10.0.0.5:8786"``): the same code runs on a real cluster,
  whose workers read the files (so they must reach the same paths, or object storage URLs).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from helpers.profiles.profile import Profile, profile_frame
from helpers.profiles.spec import ProfileSpec
from helpers.validation import require_columns, require_rows

__all__ = [
    "ENGINES",
    "partition_of",
    "profile_dask",
    "profile_duckdb",
    "profile_file",
    "profile_pandas",
    "write_partitions",
]  # fmt: skip

#: The engines, in the order the course compares them.
ENGINES = ("pandas", "duckdb", "dask")
PART_FILE = "part-0.parquet"


def write_partitions(frame: pd.DataFrame, folder, by=("day", "group")) -> list[Path]:
    """Write ``frame`` as one Parquet file per combination of the ``by`` columns under ``folder`` (emptied first).

    Whole-number values are zero-padded to 3 digits (``day=007``) so that names sort in order. Returns the files.
    """
    require_rows(frame, "frame")
    by = [by] if isinstance(by, str) else list(by)
    require_columns(frame, by, "frame")
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    ordered = frame.sort_values(by, kind="stable").reset_index(drop=True)
    table = pa.Table.from_pandas(ordered, preserve_index=False)  # converted once, then sliced (cheap)
    paths = []
    for values, rows in ordered.groupby(by, sort=True).indices.items():
        values = values if isinstance(values, tuple) else (values,)
        name = "/".join(f"{col}={v:03d}" if isinstance(v, (int, np.integer)) else f"{col}={v}"
                        for col, v in zip(by, values))  # fmt: skip
        path = folder / name / PART_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(int(rows[0]), len(rows)), path)
        paths.append(path)
    return paths


def partition_of(path) -> dict:
    """The ``column=value`` parts of a partition's path or name (whole numbers as ints): ``{"day": 7, ...}``."""
    parts = [p for p in Path(path).parts if "=" in p]
    if not parts:
        raise ValueError(f"{str(path)!r} has no column=value part: not a file written by write_partitions")
    return {k: int(v) if v.isdigit() else v for k, v in (p.split("=", 1) for p in parts)}


def _name(path) -> str:
    return "/".join(p for p in Path(path).parts if "=" in p)


def _paths(paths) -> list[str]:
    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError("paths is empty: pass the files write_partitions returned")
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no Parquet file at {missing[0]} ({len(missing)} of {len(paths)} missing)")
    return paths


def profile_file(path, spec: ProfileSpec) -> Profile:
    """The profile of one Parquet file (the function every pandas and Dask task runs)."""
    return profile_frame(pd.read_parquet(path, columns=spec.columns(), partitioning=None), spec)


def profile_pandas(paths, spec: ProfileSpec) -> dict:
    """``{partition name: Profile}``, one file at a time with pandas, in this process."""
    return {_name(p): profile_file(p, spec) for p in _paths(paths)}


def profile_dask(paths, spec: ProfileSpec, scheduler) -> dict:
    """``{partition name: Profile}``, computed by the workers of a Dask cluster.

    ``scheduler``: a ``distributed.Client``, or a scheduler's address (a client is opened and closed here).
    """
    from distributed import Client

    paths = _paths(paths)
    if isinstance(scheduler, Client):
        client, own = scheduler, False
    elif isinstance(scheduler, str) and "://" in scheduler:
        client, own = Client(scheduler, timeout="10s"), True
    else:
        raise ValueError(f"scheduler must be a distributed.Client or an address like 'tcp://127.0.0.1:8786', "
                         f"got {scheduler!r}")  # fmt: skip
    try:
        # pure=False: a file rewritten at the same path must be read again, not served from a cached result
        profiles = client.gather(client.map(profile_file, paths, spec=spec, pure=False))
    finally:
        if own:
            client.close()
    return {_name(p): profile for p, profile in zip(paths, profiles)}


def profile_duckdb(paths, spec: ProfileSpec, threads: int = 2) -> dict:
    """``{partition name: Profile}``, the counts computed by DuckDB in SQL (``helpers.profiles.sql``)."""
    from helpers.profiles.sql import profile_duckdb as counts_in_sql  # DuckDB is imported only when used

    paths = _paths(paths)
    return {_name(p): profile for p, profile in counts_in_sql(paths, spec, threads=threads).items()}
