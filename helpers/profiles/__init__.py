"""Mergeable per-partition profiles: drift, fairness and observed performance computed past one machine.

A *profile* summarises one partition of the data (one day of one group, say) in counts that add up: rows per bin of
each numeric feature (bin edges fixed once, from the reference data), rows per category, approvals by group, and
outcomes by segment, plus a KLL quantile sketch per numeric feature. Profiles of any partitions merge by addition,
in any order and grouping, so a window's profile is the sum of its partitions' profiles, computed wherever the
partitions live. The statistics the course monitors are then computed from merged profiles.

* ``spec.py``: ``ProfileSpec`` (what a profile counts) and ``make_spec`` (edges from the reference);
* ``profile.py``: ``Profile``, ``profile_frame`` (one pandas frame), ``merge``, ``merge_all``;
* ``stats.py``: PSI, Jensen-Shannon, chi-square, disparate impact with its interval, observed performance, the
  sketch's approximate KS;
* ``engines.py``: partitioned Parquet, and the same profile on pandas, DuckDB and Dask distributed.
"""

from helpers.profiles.engines import (
    ENGINES,
    partition_of,
    profile_dask,
    profile_duckdb,
    profile_file,
    profile_pandas,
    write_partitions,
)
from helpers.profiles.profile import Profile, merge, merge_all, profile_frame
from helpers.profiles.spec import OUTCOME_COLUMN, ProfileSpec, make_spec
from helpers.profiles.stats import (
    chi_square,
    disparate_impact,
    jensen_shannon,
    observed_performance,
    psi,
    shares,
    sketch_ks,
)

__all__ = [
    "ENGINES",
    "OUTCOME_COLUMN",
    "Profile",
    "ProfileSpec",
    "chi_square",
    "disparate_impact",
    "jensen_shannon",
    "make_spec",
    "merge",
    "merge_all",
    "observed_performance",
    "partition_of",
    "profile_dask",
    "profile_duckdb",
    "profile_file",
    "profile_frame",
    "profile_pandas",
    "psi",
    "shares",
    "sketch_ks",
    "write_partitions",
]
