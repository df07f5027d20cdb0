"""Traces carry token usage and both verdicts (LLM judge, clinician); bad input to tracing is refused by name;
the judge's calibration arithmetic is checked against values worked out by hand."""

import numpy as np
import pandas as pd
import pytest

from helpers import tracking
from helpers.assistant.judge import (
    calibrate,
    corrected_rate,
    cost_per_day,
    kappa_timeline,
    rogan_gladen,
    unsupported_words,
)


@pytest.fixture()
def store(tmp_path, monkeypatch, fresh_mlflow_uri):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", fresh_mlflow_uri)
    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    yield tmp_path


def _calls(n=4):
    return pd.DataFrame({
        "message_id": [f"M{i}" for i in range(n)], "date": pd.Timestamp("2025-03-03"), "age_band": "65+",
        "prompt_version": "v1", "message": "I'm 71 and I keep needing to pee", "decision": "self-care advice",
        "reply": "Rest and drink water.", "latency_seconds": 2.5, "urgent_probability": 0.3,
        "prompt_tokens": [100 + i for i in range(n)], "completion_tokens": 40, "urgent": [1, 0, 1, 0],
        "predicted_urgent": 0, "judge_right": [True, True, False, True], "judge_margin": 0.5,
    })


def test_traces_hold_tokens_judge_and_human(store):
    from helpers.assistant.tracing import log_calls, log_judge, log_reviews, read_reviews

    experiment_id = tracking.use_experiment("assistant-llm-test", fresh=True)
    traced = log_calls(_calls(), experiment_id)
    assert log_judge(traced) == 4 and log_reviews(traced.iloc[:3]) == 3
    back = read_reviews(experiment_id).set_index("trace_id").loc[traced["trace_id"]]
    assert back["total_tokens"].tolist() == [140, 141, 142, 143]  # 100 + i prompt, 40 completion, summed by MLflow
    assert back["judge_correct"].tolist() == [True, True, False, True]
    assert back["reviewed"].tolist() == [True, True, True, False]
    assert back["triage_correct"].iloc[:3].tolist() == [False, True, False]  # urgent 1 advised self-care is wrong


def test_log_calls_to_missing_experiment_raises_naming_it(store):
    from helpers.assistant.tracing import log_calls, read_reviews

    tracking.use_experiment("exists", fresh=True)
    with pytest.raises(ValueError, match="experiment '987654' does not exist"):
        log_calls(_calls(), "987654")
    with pytest.raises(ValueError, match="experiment '987654' does not exist"):
        read_reviews("987654")


@pytest.mark.parametrize("change, match", [
    ({"latency_seconds": -1.0}, "latency_seconds.*>= 0.*-1.0"),
    ({"hour": 30}, "hour must be a whole hour of the day, 0-23, got 30"),
])
def test_log_calls_refuses_bad_values(store, change, match):
    from helpers.assistant.tracing import log_calls

    experiment_id = tracking.use_experiment("bad-values", fresh=True)
    calls, hour = _calls(), change.pop("hour", 9)
    for column, value in change.items():
        calls[column] = value
    with pytest.raises(ValueError, match=match):
        log_calls(calls, experiment_id, hour=hour)


def test_log_reviews_refuses_bad_verdicts_and_reviewer(store):
    from helpers.assistant.tracing import log_calls, log_reviews

    traced = log_calls(_calls(), tracking.use_experiment("bad-reviews", fresh=True))
    with pytest.raises(ValueError, match=r"reviews\['urgent'\] must hold 0 or 1.*2"):
        log_reviews(traced.assign(urgent=2))
    for reviewer in ("", "  ", None):
        with pytest.raises(ValueError, match="reviewer must name who reviewed"):
            log_reviews(traced, reviewer=reviewer)


def test_calibration_by_hand():
    # 10 reviewed failures, the judge flags 7; 90 right answers, the judge passes 81
    human = np.r_[np.ones(10, bool), np.zeros(90, bool)]
    judge = np.r_[np.ones(7, bool), np.zeros(3, bool), np.ones(9, bool), np.zeros(81, bool)]
    table = calibrate(judge, human)
    assert table.loc["sensitivity", "value"] == pytest.approx(0.7) and table.loc["sensitivity", "cases"] == 10
    assert table.loc["specificity", "value"] == pytest.approx(0.9) and table.loc["specificity", "cases"] == 90
    # raw 0.25 -> (0.25 + 0.9 - 1) / (0.7 + 0.9 - 1) = 0.15 / 0.6 = 0.25; raw 0.16 -> 0.06 / 0.6 = 0.1
    assert rogan_gladen(0.25, 0.7, 0.9) == pytest.approx(0.25)
    assert rogan_gladen(0.16, 0.7, 0.9) == pytest.approx(0.1)
    assert rogan_gladen(0.05, 0.7, 0.9) == 0.0  # below the judge's false-positive rate: clipped
    result = corrected_rate(16, 100, table)
    assert result["corrected"] == pytest.approx(0.1) and result["low"] < 0.1 < result["high"]
    with pytest.raises(ValueError, match="no better than chance"):
        rogan_gladen(0.2, 0.5, 0.5)
    with pytest.raises(ValueError, match="no reviewed failure"):
        calibrate([False, True], [False, False])


def test_kappa_by_hand():
    # judge and human agree on 8 of 10; each says "failure" 5 times -> chance 0.5, kappa (0.8 - 0.5) / 0.5 = 0.6
    reviews = pd.DataFrame({"day": 1, "judge_failure": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
                            "human_failure": [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]})
    timeline = kappa_timeline(reviews, window=7)
    assert timeline["kappa"].iloc[0] == pytest.approx(0.6) and timeline["agreement"].iloc[0] == pytest.approx(0.8)
    same = kappa_timeline(reviews.assign(judge_failure=0, human_failure=0), window=7)
    assert same["kappa"].isna().all()  # undefined, not 0


def test_cost_and_hallucination_words():
    assert cost_per_day(150, 1000, 0.5) == pytest.approx(0.075)
    with pytest.raises(ValueError, match="price_per_million must be a number >= 0"):
        cost_per_day(150, 1000, -1)
    assert unsupported_words("my mother is thirsty", "Your mother should check the wound on her leg") == ["leg", "wound"]


def test_notebook_05_imports_no_torch_unless_live():
    import subprocess
    import sys

    code = ("import sys\n"
            "import helpers.assistant.recording, helpers.assistant.judge, helpers.assistant.tracing\n"
            "import helpers.assistant.embedding_drift, helpers.assistant.triage\n"
            "from mlflow.genai.scorers import scorer\n"
            "from helpers.assistant.recording import load_log\n"
            "load_log()\n"
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
