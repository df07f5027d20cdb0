"""Data tests: the shipped files load, decode and match their published reference figures and digests."""

import os
import shutil
import subprocess
import sys

import pytest

from helpers import data
from helpers.data import DataFileError, load_fico, load_german_credit
from helpers.paths import REPO_ROOT


def test_german_credit_shape_and_decoding():
    df = load_german_credit()
    assert df.shape[0] == 1000
    assert set(df["sex"]) == {"female", "male"}
    assert set(df["good_credit"]) == {0, 1}
    assert df["good_credit"].sum() == 700  # the documented 700 good / 300 bad split
    assert df["purpose"].isna().sum() == 0, "every purpose code must decode"
    assert (df["sex"] == "female").sum() == 310
    assert (df["age"] < 25).sum() == 149


def test_german_credit_reference_rates_by_age():
    df = load_german_credit()
    young = df.loc[df["age"] < 25, "good_credit"].mean()
    older = df.loc[df["age"] >= 25, "good_credit"].mean()
    assert young == pytest.approx(0.590604, abs=1e-6)
    assert older == pytest.approx(0.719154, abs=1e-6)
    assert young / older == pytest.approx(0.821248, abs=1e-6)


def test_fico_long_form():
    fico = load_fico()
    assert set(fico["group"]) == {"white", "black", "hispanic", "asian"}
    assert fico["cdf"].between(0, 1).all() and fico["bad_rate"].between(0, 1).all()
    last = fico[fico["score"] == 100]
    assert (last["cdf"] == 1.0).all()
    assert fico.groupby("group")["group_size"].first()["white"] == 133165


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    for name in data.CHECKSUMS:
        shutil.copy(data.DATA_DIR / name, tmp_path / name)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    return tmp_path


def test_altered_file_is_refused_with_its_name_and_digest(data_copy):
    path = data_copy / "uci_german_credit.data"
    path.write_text(path.read_text().replace("A11", "A12", 1))
    with pytest.raises(DataFileError, match=r"uci_german_credit\.data.*b21f3d81"):
        load_german_credit()


def test_missing_file_is_refused_with_its_name_and_digest(data_copy):
    (data_copy / "fico_totals_by_race.csv").unlink()
    with pytest.raises(DataFileError, match=r"fico_totals_by_race\.csv is missing.*60ba4af5"):
        load_fico()


def test_unknown_data_file_lists_the_shipped_ones():
    with pytest.raises(KeyError, match="uci_german_credit.data"):
        data.data_path("credit.csv")


def test_crlf_converted_file_is_explained_with_a_fix(data_copy):
    path = data_copy / "fico_totals_by_race.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DataFileError) as caught:
        load_fico()
    message = str(caught.value)
    assert "data/fico_totals_by_race.csv" in message and "CRLF" in message and "core.autocrlf" in message
    assert data.RESTORE_COMMAND in message


# ------------------------------------------------------------------------------------------ a Windows-style clone
def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def autocrlf_clone(tmp_path_factory):
    """A real `git clone -c core.autocrlf=true` of this repository's committed HEAD (what Git for Windows does)."""
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the repository")
    target = tmp_path_factory.mktemp("clone") / "course"
    _git("clone", "-q", "-c", "core.autocrlf=true", REPO_ROOT.as_uri(), str(target), cwd=REPO_ROOT)
    return target


def _check_env(clone):
    # the clone's own helpers (cwd first on sys.path), this environment's packages and kernel
    env = {**os.environ, "PYTHONPATH": str(clone)}
    return subprocess.run([sys.executable, "-m", "course", "check-env"], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=120)


def test_autocrlf_clone_keeps_data_byte_for_byte_and_passes_check_env(autocrlf_clone):
    for name, digest in data.CHECKSUMS.items():  # (fico_transrisk files have CRLF line ends of their own)
        assert (autocrlf_clone / "data" / name).read_bytes() == (data.DATA_DIR / name).read_bytes(), name
        assert data.sha256_of(autocrlf_clone / "data" / name) == digest, name
    result = _check_env(autocrlf_clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"data/uci_german_credit.data sha256 {data.CHECKSUMS['uci_german_credit.data'][:12]}" in result.stdout


def test_the_suggested_fix_restores_a_converted_clone(autocrlf_clone):
    """A clone converted before .gitattributes existed: the error's own command must repair it."""
    path = autocrlf_clone / "data" / "uci_german_credit.data"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"\n", b"\r\n"))
    try:
        result = _check_env(autocrlf_clone)
        assert result.returncode == 1 and "CRLF" in result.stdout and data.RESTORE_COMMAND in result.stdout
        subprocess.run(data.RESTORE_COMMAND, shell=True, cwd=autocrlf_clone, check=True)
        assert path.read_bytes() == original
        assert _check_env(autocrlf_clone).returncode == 0
    finally:
        path.write_bytes(original)
