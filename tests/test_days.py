"""Day numbers and dates: one conversion, both ways, for one date, a Series, or no date."""

import pandas as pd

from helpers.days import date_of_day, day_number

DAY0 = pd.Timestamp("2024-01-01")


def test_day_numbers_and_dates_round_trip():
    assert day_number("2024-03-31", DAY0) == 90  # 2024 is a leap year: 31 + 29 + 30 days
    assert date_of_day(90, DAY0) == pd.Timestamp("2024-03-31")
    assert day_number(date_of_day(111, DAY0), DAY0) == 111
    assert day_number(None, DAY0) is None


def test_a_series_of_dates_gives_a_series_of_day_numbers():
    dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-02-01"]))
    assert day_number(dates, DAY0).tolist() == [0, 7, 31]
    assert day_number(pd.DatetimeIndex(dates), DAY0).tolist() == [0, 7, 31]


def test_bad_input_names_the_argument():
    import pytest

    for call, message in [
        (lambda: day_number("2024-02-01", "yesterday"), r"day0 must be a date.*'yesterday'"),
        (lambda: day_number(5, DAY0), r"when must be a date.*5"),
        (lambda: day_number(pd.Series([1, 2]), DAY0), r"when must hold dates.*int64"),
        (lambda: date_of_day(1.5, DAY0), r"day must be a whole number.*1\.5"),
        (lambda: date_of_day(3, None), r"day0 must be a date.*None"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
