"""MLflow traces with human feedback round-trip through a real SQLite store; Evidently's text descriptors offline."""

import pandas as pd
import pytest

from helpers import tracking
from helpers.assistant.review import sample_reviews
from helpers.assistant.triage import train_triage_model, vocabulary
from helpers.assistant.world import SHIFT_DAY, TRAIN_DAYS, simulate_log


@pytest.fixture(scope="module")
def log():
    return simulate_log("elderly_shift", days=SHIFT_DAY + 3, per_day=200, seed=1)


@pytest.fixture()
def store(tmp_path, monkeypatch, fresh_mlflow_uri):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", fresh_mlflow_uri)
    yield tmp_path


def _log_and_review(monkeypatch, log, asynchronous: str):
    """Ten traced calls of the shift day, seven reviewed by a clinician; returns (experiment id, window, traced)."""
    from helpers.assistant.tracing import log_calls, log_reviews

    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", asynchronous)  # read when use_experiment resets the tracer
    experiment_id = tracking.use_experiment("assistant-test", fresh=True)
    window = log[log["day"] == SHIFT_DAY]
    reviews = sample_reviews(window, share=0.05, strategy="risk", seed=0)  # 10 calls
    traced = log_calls(reviews, experiment_id)
    assert log_reviews(traced.iloc[:7]) == 7  # three calls stay unreviewed
    return experiment_id, window, traced


def test_feedback_round_trips_through_mlflow(store, log, monkeypatch):
    """Notebook 05's setting (traces written as their spans end)."""
    from helpers.assistant.tracing import clear_traces, read_reviews, traces_url

    experiment_id, window, traced = _log_and_review(monkeypatch, log, "false")
    back = read_reviews(experiment_id)
    assert len(back) == 10 and back["reviewed"].sum() == 7
    assert (back["date"] == pd.Timestamp(window["date"].iloc[0])).all()  # the simulated date, not today
    expected = traced.iloc[:7].set_index("trace_id")
    got = back[back["reviewed"]].set_index("trace_id")
    assert set(got.index) == set(expected.index)
    right = expected["urgent"] == expected["predicted_urgent"]
    assert (got["triage_correct"].astype(bool) == right.reindex(got.index)).all()
    assert (got["reviewer"] == "clinician").all()
    assert (got["age_band"] == expected["age_band"].astype(str).reindex(got.index)).all()
    # span attributes are filtered with LIKE: the 65+ traces only
    old = read_reviews(experiment_id, age_band="65+")
    assert len(old) == int((traced["age_band"] == "65+").sum()) and (old["age_band"] == "65+").all()
    assert clear_traces(experiment_id) == 10 and read_reviews(experiment_id).empty
    assert traces_url(experiment_id).endswith(f"/#/experiments/{experiment_id}/traces?startTimeLabel=ALL")


def test_feedback_round_trips_in_mlflows_default_asynchronous_mode(store, log, monkeypatch):
    """MLflow's default: a background writer, flushed before every read (each flush waits up to a second, so this
    test reads once)."""
    from helpers.assistant.tracing import read_reviews

    experiment_id, _, traced = _log_and_review(monkeypatch, log, "true")
    back = read_reviews(experiment_id)
    assert len(back) == 10 and back["reviewed"].sum() == 7
    assert set(back.loc[back["reviewed"], "trace_id"]) == set(traced["trace_id"].iloc[:7])


def test_tracing_names_bad_input(store, log):
    from helpers.assistant.tracing import log_calls, log_reviews

    experiment_id = tracking.use_experiment("assistant-test-bad", fresh=True)
    with pytest.raises(ValueError, match="has no column 'decision'"):
        log_calls(log.head(2).drop(columns="decision"), experiment_id)
    with pytest.raises(ValueError, match="trace at most 1,000"):
        log_calls(log.head(1001), experiment_id)
    with pytest.raises(ValueError, match="has no column 'trace_id'"):
        log_reviews(log.head(2))


def test_descriptors_offline(log):
    from helpers.assistant.text_descriptors import (
        UNSEEN,
        daily_sample,
        describe,
        message_descriptors,
        reply_descriptors,
    )

    model = train_triage_model(log[log["day"] < TRAIN_DAYS], seed=1)
    sample = daily_sample(log, per_segment=5, seed=0)
    assert sample.groupby(["day", "age_band"], observed=True).size().max() == 5
    described = describe(sample, message_descriptors(vocabulary(model)))
    assert len(described) == len(sample) and (described.index == sample.index).all()
    care = described["writer"] == "care home"
    assert (described.loc[care, "third person"] == 1).all() and (described.loc[~care, "third person"] == 0).all()
    assert (described.loc[care, "mentions a resident"] == 1).all()
    assert (described.loc[~care, UNSEEN] == 0).all() and (described.loc[care, UNSEEN] > 0.1).all()
    row = described.iloc[0]
    assert row["length"] == len(row["message"])
    replies = describe(sample, reply_descriptors(), column="reply")
    refused = replies["reply"].str.startswith("I'm not able")
    assert (replies["refusal"] == refused.astype(int)).all()
    with pytest.raises(ValueError, match="known_words is empty"):
        message_descriptors(frozenset())
    with pytest.raises(ValueError, match="has no column 'message'"):
        describe(sample.drop(columns="message"), message_descriptors({"x"}))
    with pytest.raises(ValueError, match="per_segment must be a whole number >= 1"):
        daily_sample(log, per_segment=0)
