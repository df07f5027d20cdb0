"""The profile in SQL, on DuckDB: every partition's counts in a few scans of all files (grouped by file).

The SQL states the same rules as ``profile_frame``: a value's bin is the number of edges at or below it (edges are
bound as DOUBLE parameters, so they compare exactly as numpy's floats do); an outcome is on record when it is not
NULL (Parquet stores pandas' NaN as NULL).
"""

from __future__ import annotations

from datasketches import kll_doubles_sketch

from helpers.profiles.profile import Profile
from helpers.profiles.spec import OUTCOME_COLUMN, ProfileSpec

__all__ = ["profile_duckdb"]


def _q(name: str) -> str:
    """A quoted SQL identifier (``group`` is a keyword)."""
    return '"' + name.replace('"', '""') + '"'


def _rows(con, sql: str, files: list[str], params=()) -> list[tuple]:
    return con.execute(
        sql.replace("{src}", "read_parquet(?, filename = true, hive_partitioning = false)"), [*params, files]
    ).fetchall()


def _counts(con, files: list[str], spec: ProfileSpec) -> dict:
    counts = {f: {("rows", "", ""): 0} for f in files}
    for f, n in _rows(con, "SELECT filename, count(*) FROM {src} GROUP BY ALL", files):
        counts[f][("rows", "", "")] = n
    for feature, edges in spec.edges.items():
        expr = " + ".join(f"({_q(feature)} >= ?::DOUBLE)::INTEGER" for _ in edges)
        for f, b, n in _rows(con, f"SELECT filename, {expr} AS b, count(*) FROM {{src}} GROUP BY ALL", files, edges):
            counts[f][("bin", feature, f"{b:02d}")] = n
        for f in files:  # every bin is present, as numpy's bincount gives it
            for i in range(len(edges) + 1):
                counts[f].setdefault(("bin", feature, f"{i:02d}"), 0)
    for column in spec.categorical:
        for f, v, n in _rows(con, f"SELECT filename, {_q(column)}, count(*) FROM {{src}} GROUP BY ALL", files):
            counts[f][("category", column, str(v))] = n
    decision, outcome = _q(spec.decision), _q(OUTCOME_COLUMN)
    sql = f"SELECT filename, {_q(spec.group)}, count(*), sum({decision}) FROM {{src}} GROUP BY ALL"
    for f, g, n, approved in _rows(con, sql, files):
        counts[f][("group", str(g), "rows")], counts[f][("group", str(g), "approved")] = n, int(approved)
    known = f"{outcome} IS NOT NULL AND NOT isnan({outcome})"
    sql = (f"SELECT filename, {_q(spec.segment)}, count(*) FILTER ({decision} = 0), "
           f"count(*) FILTER ({decision} = 1 AND {known} AND {outcome} = 0), "
           f"count(*) FILTER ({decision} = 1 AND {known} AND {outcome} = 1), "
           f"count(*) FILTER ({decision} = 1 AND NOT ({known})) FROM {{src}} GROUP BY ALL")  # fmt: skip
    for f, segment, *values in _rows(con, sql, files):
        for key, n in zip(("declined", "approved_repaid", "approved_defaulted", "approved_pending"), values):
            counts[f][("outcome", str(segment), key)] = n
    return counts


def _sketches(con, path: str, spec: ProfileSpec) -> dict:
    columns = con.execute(
        f"SELECT {', '.join(map(_q, spec.numeric))} FROM read_parquet(?, hive_partitioning = false)", [path]
    ).fetchnumpy()
    sketches = {}
    for feature in spec.numeric:
        sketch = kll_doubles_sketch(spec.sketch_k)
        sketch.update(columns[feature].astype(float))
        sketches[feature] = sketch.serialize()
    return sketches


def profile_duckdb(paths: list[str], spec: ProfileSpec, threads: int = 2) -> dict[str, Profile]:
    """``{file path: Profile}`` for Parquet files (``helpers.profiles.profile_duckdb`` names them by partition)."""
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    try:
        counts = _counts(con, paths, spec)
        return {p: Profile(counts[p], _sketches(con, p, spec)) for p in paths}
    finally:
        con.close()
