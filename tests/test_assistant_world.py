"""The assistant's world: deterministic, validated, each scenario does what SCENARIOS says, and the triage model's
failure emerges from the drift (it is not written into the simulation)."""

import numpy as np
import pandas as pd
import pytest

from helpers.assistant.triage import DECISIONS, tokenize, train_triage_model, triage, unseen_word_share, vocabulary
from helpers.assistant.world import (
    AGE_BANDS,
    ATYPICAL_WORDS,
    LABEL_DELAY_DAYS,
    PROMPT_VERSIONS,
    SCENARIOS,
    SHIFT_DAY,
    TRAIN_DAYS,
    assistant_log,
    scenario_table,
    simulate_log,
    simulate_messages,
)

DAYS, PER_DAY = 84, 300


@pytest.fixture(scope="module")
def logs():
    return {name: simulate_log(name, days=DAYS, per_day=PER_DAY, seed=2) for name in SCENARIOS}


def _recall(frame):
    urgent = frame[frame["urgent"] == 1]
    return urgent["predicted_urgent"].mean()


def test_columns_and_types(logs):
    log = logs["stable"]
    assert len(log) == DAYS * PER_DAY
    for column in ["message_id", "date", "day", "age_band", "writer", "message", "prompt_version", "urgent",
                   "label_available_on", "urgent_probability", "predicted_urgent", "decision", "reply", "reply_words",
                   "refused", "latency_seconds"]:
        assert column in log.columns, column
    assert set(log["age_band"].astype(str)) == set(AGE_BANDS)
    assert set(log["urgent"]) == {0, 1} and set(log["decision"]) == set(DECISIONS.values())
    assert (log["label_available_on"] - log["date"] == pd.Timedelta(days=LABEL_DELAY_DAYS)).all()
    assert (log["latency_seconds"] > 0).all() and not log.isna().any().any()
    assert scenario_table()["scenario"].tolist() == list(SCENARIOS)


def test_same_arguments_same_frame_and_seeds_differ():
    a = simulate_messages("elderly_shift", days=60, per_day=40, seed=3)
    b = simulate_messages("elderly_shift", days=60, per_day=40, seed=3)
    c = simulate_messages("elderly_shift", days=60, per_day=40, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["message"].equals(c["message"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scenario": "flu_season"}, "valid scenarios are: stable, elderly_shift, prompt_update"),
        ({"days": 0}, "days must be a whole number >= 1"),
        ({"per_day": 2.5}, "per_day must be a whole number >= 1"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
    ],
)
def test_bad_arguments_name_what_is_valid(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_messages(**kwargs)


def test_bad_train_days_and_prompt_version_are_named():
    with pytest.raises(ValueError, match="train_days must be a whole number between 1 and days"):
        simulate_log(days=10, per_day=20, train_days=11)
    messages = simulate_messages(days=30, per_day=20)
    model = train_triage_model(messages)
    with pytest.raises(ValueError, match="unknown prompt_version 'v9'; known versions are: v1, v2"):
        assistant_log(messages.assign(prompt_version="v9"), model)


def test_scenarios_share_their_draws_before_the_change(logs):
    stable = logs["stable"]
    for name, log in logs.items():
        before = log["day"] < SHIFT_DAY
        pd.testing.assert_frame_equal(log[before], stable[before], obj=name)


def test_elderly_shift_changes_only_the_documented_share_of_messages(logs):
    truth = SCENARIOS["elderly_shift"]
    shifted, stable = logs["elderly_shift"], logs["stable"]
    after = shifted["day"] >= truth.start_day
    changed = shifted["message"] != stable["message"]
    assert not changed[~after].any()
    care = shifted["writer"] == "care home"
    assert (changed == care).all() and (shifted.loc[care, "age_band"] == "65+").all()
    assert care[after].mean() == pytest.approx(truth.details["care_home_share"], abs=0.01)
    assert shifted.loc[care, "urgent"].mean() == pytest.approx(truth.details["care_home_urgent_share"], abs=0.03)
    # 65+ is a small share of traffic before the change (13%), about a quarter after it (13% of 86% + 14%)
    share_65 = (shifted["age_band"] == "65+").groupby(after).mean()
    assert share_65[False] == pytest.approx(0.13, abs=0.01) and share_65[True] == pytest.approx(0.25, abs=0.015)


def test_prompt_update_changes_replies_not_decisions(logs):
    truth = SCENARIOS["prompt_update"]
    updated, stable = logs["prompt_update"], logs["stable"]
    after = updated["day"] >= truth.start_day
    assert (updated.loc[after, "prompt_version"] == "v2").all() and (updated.loc[~after, "prompt_version"] == "v1").all()
    pd.testing.assert_series_equal(updated["decision"], stable["decision"])
    pd.testing.assert_series_equal(updated["message"], stable["message"])
    # v2 appends 3 safety sentences to every reply (16 + 16 + 18 = 50 words, counted by hand) and opens with the
    # 10-word refusal 25% of the time instead of 2%: 50 + 0.23 x 10 = 52.3 more words on average
    extra = updated.loc[after, "reply_words"].mean() - stable.loc[after, "reply_words"].mean()
    assert extra == pytest.approx(52.3, abs=1.0)
    assert updated.loc[after, "refused"].mean() == pytest.approx(PROMPT_VERSIONS["v2"].refusal_share, abs=0.02)
    assert updated.loc[after, "latency_seconds"].median() > 1.5 * stable.loc[after, "latency_seconds"].median()


def test_training_vocabulary_lacks_the_new_words(logs):
    log = logs["elderly_shift"]
    model = train_triage_model(log[log["day"] < TRAIN_DAYS], seed=2)
    known = vocabulary(model)
    assert not known & set(ATYPICAL_WORDS)
    # every urgent care-home message names at least one of them, and the model has never seen them
    care_urgent = log[(log["writer"] == "care home") & (log["urgent"] == 1)]
    assert care_urgent["message"].map(lambda text: bool(set(tokenize(text)) & set(ATYPICAL_WORDS))).all()
    assert unseen_word_share(care_urgent["message"], known).min() > 0.1
    patients = log[log["writer"] == "patient"]
    assert unseen_word_share(patients["message"], known).max() == 0.0


def test_recall_collapses_for_65_plus_only_while_overall_accuracy_stays_above_90(logs):
    log = logs["elderly_shift"]
    live = log[log["day"] >= TRAIN_DAYS]
    before, after = live[live["day"] < SHIFT_DAY], live[live["day"] >= SHIFT_DAY]
    for band in ("18-39", "40-64"):
        assert abs(_recall(after[after["age_band"] == band]) - _recall(before[before["age_band"] == band])) < 0.1
    old_before, old_after = _recall(before[before["age_band"] == "65+"]), _recall(after[after["age_band"] == "65+"])
    assert old_before > 0.75 and old_after < 0.5
    accuracy = (after["urgent"] == after["predicted_urgent"]).mean()
    assert 0.9 < accuracy < (before["urgent"] == before["predicted_urgent"]).mean()
    # in the stable world nothing collapses
    stable = logs["stable"][logs["stable"]["day"] >= SHIFT_DAY]
    assert _recall(stable[stable["age_band"] == "65+"]) > 0.75


def test_triage_and_training_name_bad_input():
    with pytest.raises(ValueError, match="holds one class only"):
        train_triage_model(pd.DataFrame({"message": ["a b", "c d"], "urgent": [0, 0]}))
    with pytest.raises(ValueError, match="must hold 0 \\(routine\\) or 1 \\(urgent\\)"):
        train_triage_model(pd.DataFrame({"message": ["a b", "c d"], "urgent": [0, 2]}))
    with pytest.raises(ValueError, match="has no column 'message'"):
        train_triage_model(pd.DataFrame({"text": ["a"], "urgent": [1]}))
    messages = simulate_messages(days=30, per_day=20)
    model = train_triage_model(messages)
    with pytest.raises(ValueError, match="threshold must be a probability strictly between 0 and 1"):
        triage(model, messages, threshold=1.5)
    with pytest.raises(ValueError, match="known vocabulary is empty"):
        unseen_word_share(["hello"], frozenset())


def test_unseen_word_share_by_hand():
    known = frozenset({"thirsty", "been", "ve"})
    # "I've been very thirsty": words ve, been, very, thirsty ("I" is one letter): 1 of 4 unseen
    assert unseen_word_share(["I've been very thirsty", "", "42"], known).tolist() == [0.25, 0.0, 0.0]
    assert np.isclose(unseen_word_share(["drowsy confused"], known)[0], 1.0)


def test_repeated_messages_get_the_same_answers_as_one_by_one(logs):
    # triage and unseen_word_share work on each distinct message once: the answers must be those of every row alone
    log = logs["elderly_shift"]
    rows = pd.concat([log.iloc[[5, 3, 5]], log[log["writer"] == "care home"].head(2), log.iloc[[3]]])
    model = train_triage_model(log[log["day"] < TRAIN_DAYS], seed=2)
    got = triage(model, rows)
    one_by_one = [model.predict_proba([text])[0, 1] for text in rows["message"]]
    assert got["urgent_probability"].tolist() == one_by_one and (got.index == rows.index).all()
    known = vocabulary(model)
    shares = unseen_word_share(iter(rows["message"].tolist()), known)
    assert shares.tolist() == [unseen_word_share([text], known)[0] for text in rows["message"]]
    assert shares[0] == shares[2] and shares[1] == shares[5]


def test_each_reply_matches_its_row(logs):
    log = logs["prompt_update"]
    assert (log["reply_words"] == log["reply"].str.split().str.len()).all()
    assert (log["refused"] == log["reply"].str.startswith("I'm not able")).all()
    for version, style in PROMPT_VERSIONS.items():
        rows = log[log["prompt_version"] == version]
        seconds = style.overhead_seconds + style.seconds_per_word * rows["reply_words"]
        spread = np.log(rows["latency_seconds"] / seconds)  # the log-normal noise, times latency_spread
        assert abs(spread.mean()) < 0.02 and spread.std() == pytest.approx(style.latency_spread, abs=0.02)
