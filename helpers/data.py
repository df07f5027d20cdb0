"""Real data shipped with the course, loaded by name, verified by checksum, offline.

Two data sets live in the repository's ``data/`` folder (see ``data/README.md`` for provenance and licences):

* the UCI Statlog German Credit data (1000 applicants, CC BY 4.0), used for the bias audit;
* the US Federal Reserve's TransRisk credit-score distributions by group (public domain), used to calibrate the
  simulated world's credit scores.

Every loader checks the file's SHA-256 digest first, so a learner never analyses a silently altered copy.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

__all__ = [
    "DATA_DIR", "CHECKSUMS", "GERMAN_CREDIT_COLUMNS", "FICO_GROUPS", "DataFileError", "sha256_of",
    "FRAME_DIGEST_LENGTH", "frame_digest", "data_path", "RESTORE_COMMAND", "load_german_credit", "load_fico",
]

#: Folder holding the course's data files (``<repo>/data``).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Expected SHA-256 digest of each shipped file (also listed in data/README.md).
CHECKSUMS = {
    "uci_german_credit.data": "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
    "uci_german_credit_codes.json": "73a48f120cdb8019fb9f0ad84078ef1ba109f1100bbcc6cbcf925d60e6adcd4e",
    "fico_transrisk_cdf_by_race.csv": "04c9691aa4b9fad43cc9722bc35a7d3f3f02ae1d724d49ae9d3bbe153f5b4f67",
    "fico_transrisk_default_rate_by_race.csv": "77af654ac4173978c3cdb3a9186becb12ec35666d9e34e5b666a6a3972692ff9",
    "assistant_log.parquet": "83a8426383fd3c0631e5b248dfeb80be0ec0615b100e040068b473f0d1a75435",
    "assistant_eval.csv": "59577e72ac7e78f2c498177f476e31bbd83109055e39b5d8bd9dcb6b409a40fa",
    "assistant_log_provenance.json": "0ac80020969f81aca118b9720370613c88070aeaf875d6a8a5f700c316ff25cb",
    "fico_totals_by_race.csv": "60ba4af53f9e61dedad3a5c4246390e666760e7552c98b08084dd3abf6b73f13",
}

#: Column names of the German Credit file, in file order (the UCI documentation's attribute list).
GERMAN_CREDIT_COLUMNS = [
    "status", "duration_months", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors", "residence_since",
    "property", "age", "installment_plans", "housing", "existing_credits", "job", "people_liable",
    "telephone", "foreign_worker", "credit",
]

#: The FICO file's column names mapped to the short group names the course uses.
FICO_GROUPS = {"Non- Hispanic white": "white", "Black": "black", "Hispanic": "hispanic", "Asian": "asian"}


class DataFileError(RuntimeError):
    """A shipped data file is missing or its content differs from the published digest."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 digest of a file's bytes (what ``sha256sum`` prints): the version id of a shipped file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: Hex digits kept in a frame's version id (MLflow stores a dataset digest in at most 36 characters).
FRAME_DIGEST_LENGTH = 12


def frame_digest(df: pd.DataFrame) -> str:
    """The version id of a DataFrame: the first 12 hex digits of a SHA-256 over its column names, dtypes and values.

    Row order counts; the index does not, so a window sliced from a larger frame, the same rows after
    ``reset_index`` and the Parquet file ``helpers.tracking.log_dataset`` writes all have one id. It is the digest
    MLflow records for a dataset input and the id a transparency report lists, so the two can be matched.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"frame_digest needs a pandas DataFrame, got {type(df).__name__}")
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:FRAME_DIGEST_LENGTH]


def data_path(name: str) -> Path:
    """Path of a shipped data file after checking that it exists and matches its digest.

    Raises:
        KeyError: ``name`` is not one of the shipped files (the message lists them).
        DataFileError: the file is missing or altered (the message names it and the expected digest).
    """
    if name not in CHECKSUMS:
        raise KeyError(f"unknown data file {name!r}; shipped files are: {', '.join(sorted(CHECKSUMS))}")
    path = DATA_DIR / name
    expected = CHECKSUMS[name]
    if not path.is_file():
        raise DataFileError(
            f"data file data/{name} is missing; restore it from the repository "
            f"(expected sha256 {expected})"
        )
    actual = sha256_of(path)
    if actual != expected:
        raise DataFileError(_altered_message(name, path, actual, expected))
    return path


#: Restores the published bytes of every file under data/ (``.gitattributes`` keeps git from converting them).
#: A plain ``git checkout -- data/<file>`` is not enough: git sees an unchanged file and leaves it as it is.
RESTORE_COMMAND = "git rm -r -q --cached data && git checkout HEAD -- data"


def _altered_message(name: str, path: Path, actual: str, expected: str) -> str:
    content = path.read_bytes()
    if b"\r\n" in content and hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest() == expected:
        cause = (
            "its line endings were converted to Windows' CRLF (git's core.autocrlf setting, the default of Git for "
            "Windows, in a clone made before the repository's .gitattributes kept data/ byte for byte)"
        )
    else:
        cause = "the file was altered: its content differs from the published file (edited, truncated or replaced)"
    return (
        f"data file data/{name} has sha256 {actual}, expected {expected}: {cause}. Restore the published bytes "
        f"from the repository folder with: {RESTORE_COMMAND}"
    )


def load_german_credit() -> pd.DataFrame:
    """The UCI Statlog German Credit data as a readable DataFrame (1000 rows).

    Categorical A-codes are decoded to their documented meaning. Added columns:

    * ``age``: age in years (int), as in the file;
    * ``sex``: ``"female"`` or ``"male"``, derived from the personal-status code (A92, A95 are female);
    * ``good_credit``: 1 = good credit risk (the favourable outcome), 0 = bad (from the class column, 1/2).

    ``credit`` keeps the decoded class (``"good"``/``"bad"``). The raw personal-status code stays in
    ``status_sex_code`` because it mixes sex with marital status.
    """
    path = data_path("uci_german_credit.data")
    codes = json.loads(data_path("uci_german_credit_codes.json").read_text())
    df = pd.read_csv(path, sep=" ", header=None, names=GERMAN_CREDIT_COLUMNS)
    df["status_sex_code"] = df["status_sex"]
    for column, mapping in codes.items():
        if column == "credit":
            continue
        df[column] = df[column].map(mapping)
    df["sex"] = df["status_sex_code"].map(
        {"A91": "male", "A93": "male", "A94": "male", "A92": "female", "A95": "female"}
    )
    df["good_credit"] = (df["credit"] == 1).astype(int)
    df["credit"] = df["credit"].map({1: "good", 2: "bad"})
    df["age"] = df["age"].astype(int)
    return df


def load_fico() -> pd.DataFrame:
    """TransRisk credit-score distributions by group (Federal Reserve, 2007), in long form.

    One row per (score, group) with columns:

    * ``score``: TransRisk score, 0 to 100 in steps of 0.5;
    * ``group``: ``white`` (non-Hispanic white), ``black``, ``hispanic`` or ``asian``;
    * ``cdf``: share of the group (0 to 1) with a score at or below ``score``;
    * ``bad_rate``: share of the group's accounts at that score that went bad (0 to 1);
    * ``group_size``: number of people of the group in the Federal Reserve's sample.
    """
    cdf = pd.read_csv(data_path("fico_transrisk_cdf_by_race.csv")).rename(columns=FICO_GROUPS)
    bad = pd.read_csv(data_path("fico_transrisk_default_rate_by_race.csv")).rename(columns=FICO_GROUPS)
    totals = pd.read_csv(data_path("fico_totals_by_race.csv")).rename(columns=FICO_GROUPS)
    groups = list(FICO_GROUPS.values())
    long_cdf = cdf.melt(id_vars="Score", value_vars=groups, var_name="group", value_name="cdf")
    long_bad = bad.melt(id_vars="Score", value_vars=groups, var_name="group", value_name="bad_rate")
    out = long_cdf.merge(long_bad, on=["Score", "group"]).rename(columns={"Score": "score"})
    out["cdf"] = out["cdf"] / 100.0
    out["bad_rate"] = out["bad_rate"] / 100.0
    sizes = totals.iloc[0][groups].astype(int)
    out["group_size"] = out["group"].map(sizes).astype(int)
    return out.sort_values(["group", "score"], ignore_index=True)
