"""Data tests: the shipped files load, decode and match their published reference figures and digests."""

import shutil

import pytest

from helpers import data
from helpers.data import DataFileError, load_fico, load_german_credit


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
