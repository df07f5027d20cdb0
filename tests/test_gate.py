"""helpers.gate: the checklist file, its Markdown twin, and the gate on candidates whose faults are known."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from helpers import gate
from helpers.gate import Candidate, check_candidate, load_checklist, record_signoff, render_markdown
from helpers.models import train_baseline
from helpers.world import simulate_applications


def test_committed_markdown_is_the_rendering_of_the_yaml():
    committed = gate.CHECKLIST_MARKDOWN.read_text(encoding="utf-8")
    assert committed == render_markdown(), "regenerate it: python -m helpers.gate"


def test_every_item_is_written_for_people_and_for_code():
    checklist = load_checklist()
    ids = [item["id"] for item in checklist["items"]]
    assert ids == ["fairness_audit", "accuracy_vs_champion", "training_data_drift", "dataset_versions",
                   "human_signoff"]
    for item in checklist["items"]:
        assert item["question"].rstrip().endswith("?") and len(item["why"].split()) >= 15
        assert item["title"] in render_markdown()


def _write(tmp_path, data):
    path = tmp_path / "checklist.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["items"][0].pop("why"), "has no why"),
        (lambda d: d["items"][1].update(check="vibes"), "has check 'vibes'"),
        (lambda d: d["items"].append(dict(d["items"][0])), "appears twice"),
        (lambda d: d.pop("title"), "no 'title'"),
    ],
)
def test_checklist_errors_name_the_item(tmp_path, change, needle):
    data = load_checklist()
    change(data)
    with pytest.raises(ValueError, match=needle):
        load_checklist(_write(tmp_path, data))


# A checklist that would pass with nothing checked, or with a setting that means nothing, is refused when loaded,
# naming the file, the item and the field (each case asserts the type and that the message names them).
SCHEMA_CASES = [
    (lambda d: d.update(items=[]), "checklist.yml: 'items' must be a non-empty list"),
    (lambda d: d.update(items=None), "'items' must be a non-empty list"),
    (lambda d: d["items"][4]["settings"].update(roles=[]), "item 'human_signoff', field 'settings.roles'"),
    (lambda d: d["items"][4]["settings"].update(roles=["model owner", ""]), "field 'settings.roles'"),
    (lambda d: d["items"][4]["settings"].pop("roles"), "field 'settings.roles' is missing"),
    (lambda d: d["items"][0].update(id=None), "item 1, field 'id'"),
    (lambda d: d["items"][0].update(id="Fairness Audit"), "item 1, field 'id'"),
    (lambda d: d["items"][1]["settings"].update(max_drop=-1), "item 'accuracy_vs_champion', field 'settings.max_drop'"),
    (lambda d: d["items"][1]["settings"].update(max_drop="0.01"), "field 'settings.max_drop'"),
    (lambda d: d["items"][1]["settings"].update(max_drop=True), "field 'settings.max_drop'"),
    (lambda d: d["items"][1].update(settings=None), "field 'settings.max_drop' is missing"),
    (lambda d: d["items"][0]["settings"].update(confidence=95), "item 'fairness_audit', field 'settings.confidence'"),
    (lambda d: d["items"][0]["settings"].update(min_rows_per_group=0), "field 'settings.min_rows_per_group'"),
    (lambda d: d["items"][3]["settings"].update(contexts="training"), "item 'dataset_versions', field 'settings.contexts'"),
    (lambda d: d["items"][2]["settings"].update(columns=[]), "item 'training_data_drift', field 'settings.columns'"),
    (lambda d: d["items"][0].update(owner=""), "item 'fairness_audit', field 'owner'"),
    (lambda d: d["items"][0].update(settings=[1]), "item 'fairness_audit', field 'settings'"),
]


@pytest.mark.parametrize(("change", "needle"), SCHEMA_CASES)
def test_checklist_schema_is_validated_when_loaded(tmp_path, change, needle):
    data = load_checklist()
    change(data)
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        load_checklist(_write(tmp_path, data))


def test_a_checklist_given_as_data_is_validated_too(worlds):
    data = load_checklist()
    data["items"] = []
    champion = Candidate("champion", None, worlds[0].head(10))
    with pytest.raises(ValueError, match="the checklist given: 'items' must be a non-empty list"):
        check_candidate(champion, champion, data)


def test_numpy_numbers_are_numbers_in_settings():
    data = load_checklist()
    data["items"][1]["settings"]["max_drop"] = np.float32(0.01)
    data["items"][0]["settings"]["min_rows_per_group"] = np.int64(100)
    assert gate.validate_checklist(data)["items"][1]["settings"]["max_drop"] == np.float32(0.01)


def test_a_checklist_that_is_not_a_file_or_not_yaml(tmp_path):
    with pytest.raises(ValueError, match="not a file"):
        load_checklist(tmp_path)
    bad = tmp_path / "checklist.yml"
    bad.write_bytes(b"title: \xff\xfe")
    with pytest.raises(ValueError, match="checklist.yml: not a readable YAML checklist"):
        load_checklist(bad)


def test_missing_checklist_file(tmp_path):
    with pytest.raises(ValueError, match="nope.yml' not found"):
        load_checklist(tmp_path / "nope.yml")


# ----------------------------------------------------------------------------------------------------------------
# The gate on the proxy_bias world: a candidate retrained on the corrupted feed, and one on the repaired feed
# ----------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def worlds():
    biased = simulate_applications("proxy_bias", days=150, per_day=120, seed=0)
    repaired = simulate_applications("stable", days=150, per_day=120, seed=0)  # same applicants, feed without rent
    return biased, repaired


def _days(frame, first, last):
    return frame[frame["day"].between(first, last)]


@pytest.fixture
def store(monkeypatch, fresh_mlflow_uri):
    from helpers import tracking

    monkeypatch.setenv("MLFLOW_TRACKING_URI", fresh_mlflow_uri)
    tracking.use_experiment("gate-test", fresh=True)
    return tracking


def _candidate(name, world, store, record=True):
    train = _days(world, 90, 114)
    with store.start_run(name) as run:
        if record:
            store.log_dataset(train, f"{name}-train", context="training", targets="defaulted")
            store.log_dataset(_days(world, 115, 119), f"{name}-holdout", context="evaluation")
    return Candidate(name, train_baseline(train), train, recent=_days(world, 120, 149),
                     holdout=_days(world, 115, 119), run_id=run.info.run_id)


def test_gate_stops_the_corrupted_feed_and_passes_the_repaired_one(worlds, store):
    biased, repaired = worlds
    champion_data = _days(biased, 0, 59)  # before the feed changed: the same in both worlds
    champion = Candidate("champion", train_baseline(champion_data), champion_data)

    corrupted = _candidate("retrained-on-new-feed", biased, store)
    report = check_candidate(corrupted, champion)
    # The proxy_bias ground truth: debt_to_income moved. Fairness and accuracy pass (the model learned the feed),
    # so only the drift item (and the missing sign-off) can stop it.
    assert report.failed == ["training_data_drift", "human_signoff"]
    accuracy = report.items.set_index("id").loc["accuracy_vs_champion", "detail"]
    assert "loans made with outcomes on record" in accuracy and "never observed" in accuracy
    assert "debt_to_income" in report.items.set_index("id").loc["training_data_drift", "detail"]
    assert "STOP" in str(report) and "[FAIL] training_data_drift" in str(report)

    fixed = _candidate("retrained-on-repaired-feed", repaired, store)
    record_signoff(fixed.run_id, "model owner", "A. Okafor")
    assert check_candidate(fixed, champion).failed == ["human_signoff"]  # one of two roles signed
    record_signoff(fixed.run_id, "fairness reviewer", "M. Rossi")
    report = check_candidate(fixed, champion)
    assert report.passed and report.failed == [] and "PASS" in str(report)


def test_a_recorded_explanation_accepts_a_drifted_column(worlds, store):
    biased, _ = worlds
    champion_data = _days(biased, 0, 59)
    champion = Candidate("champion", train_baseline(champion_data), champion_data)
    candidate = _candidate("explained", biased, store)
    assert "no explanation recorded for debt_to_income" in check_candidate(candidate, champion).items.set_index("id").loc[
        "training_data_drift", "detail"]
    gate.record_drift_explanation(candidate.run_id, "debt_to_income", "explanation recorded by the data owner")
    report = check_candidate(candidate, champion).items.set_index("id")
    assert report.loc["training_data_drift", "passed"]
    assert "explanation recorded by the data owner" in report.loc["training_data_drift", "detail"]
    with pytest.raises(ValueError, match="explanation"):
        gate.record_drift_explanation(candidate.run_id, "income", "because")


def test_drift_item_is_evidentlys_report_verdict(worlds):
    """The drift item calls Evidently's tests directly (one drift_timeline window): the same columns, methods and
    scores as an Evidently Report on the same two training sets (drift_table)."""
    from helpers.drift import drift_table
    from helpers.models import MODEL_FEATURES

    biased, _ = worlds
    champion = Candidate("champion", None, _days(biased, 0, 59))
    candidate = Candidate("retrained", None, _days(biased, 90, 114))
    passed, detail = gate.CHECKS["drift"]({}, candidate, champion)
    table = drift_table(champion.training_data, candidate.training_data, columns=MODEL_FEATURES)
    drifted = table[table["drifted"]]
    assert not passed and list(drifted["column"]) == ["debt_to_income"]
    assert f"{', '.join(f'{r.column} ({r.method} {r.score:.3g})' for r in drifted.itertuples())};" in detail
    tiny = Candidate("tiny", None, candidate.training_data.head(20))
    passed, detail = gate.CHECKS["drift"]({}, tiny, champion)
    assert not passed and "too few training rows" in detail


def test_gate_names_unrecorded_data_and_wrong_versions(worlds, store):
    biased, repaired = worlds
    champion = Candidate("champion", train_baseline(_days(repaired, 0, 59)), _days(repaired, 0, 59))
    unrecorded = _candidate("no-datasets", repaired, store, record=False)
    detail = check_candidate(unrecorded, champion).items.set_index("id").loc["dataset_versions", "detail"]
    assert "no training or evaluation dataset recorded" in detail
    swapped = _candidate("swapped", repaired, store)
    swapped.training_data = _days(repaired, 60, 84)  # not the version the run recorded
    detail = check_candidate(swapped, champion).items.set_index("id").loc["dataset_versions", "detail"]
    assert "is not the data the candidate was trained on" in detail


def test_fairness_item_fails_a_model_that_decides_unfairly(worlds, store):
    biased, _ = worlds
    # trained before the feed changed and audited on the new feed: approves minority applicants below 4/5
    old = Candidate("trained-before-the-change", train_baseline(_days(biased, 0, 59)), _days(biased, 0, 59),
                    recent=_days(biased, 120, 149), holdout=_days(biased, 115, 119))
    report = check_candidate(old, old)
    assert "fairness_audit" in report.failed
    assert "below four-fifths" in report.items.set_index("id").loc["fairness_audit", "detail"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="Candidate"):
        check_candidate("model", "champion")
    with pytest.raises(ValueError, match="role"):
        gate.signoff_tag("  ")


class _Scores:
    """A model that gives each application the probability in its column ``p_<name>`` (decide's threshold is 0.5)."""

    def __init__(self, column):
        self.feature_names_ = [column]

    def predict_proba(self, frame):
        p = frame.iloc[:, 0].to_numpy(dtype=float)
        return np.column_stack([1 - p, p])


def test_accuracy_item_worked_by_hand():
    import pandas as pd

    # six held-out applications; the champion declined rows 4-5 (p >= 0.5), so only rows 0-3 have outcomes.
    # rows 0-3 defaulted = 0, 1, 0, 0. Champion approved all four: right on 0, 2, 3 -> 3/4 = 0.75.
    # Candidate declines rows 1 and 2: right on 0, 1, 3 -> 0.75; it approves row 5, which the champion declined:
    # one applicant nobody can check. Drop 0 -> passes; with the candidate also declining row 3: 2/4, drop 0.25 fails.
    holdout = pd.DataFrame({
        "p_champion": [0.1, 0.2, 0.3, 0.1, 0.9, 0.8],
        "p_candidate": [0.1, 0.7, 0.6, 0.2, 0.9, 0.1],
        "defaulted": [0, 1, 0, 0, 1, 0],
        "label_available_on": pd.Timestamp("2024-03-01"),
    })
    champion = Candidate("champion", _Scores("p_champion"), holdout)
    candidate = Candidate("candidate", _Scores("p_candidate"), holdout, holdout=holdout)
    passed, detail = gate.CHECKS["accuracy"]({"max_drop": 0.01}, candidate, champion)
    assert passed and detail.startswith("accuracy 0.750 vs champion 0.750 on the 4 loans made")
    assert "1 of its approvals go to applicants the champion declined" in detail
    worse = holdout.assign(p_candidate=[0.1, 0.7, 0.6, 0.6, 0.9, 0.1])
    candidate = Candidate("candidate", _Scores("p_candidate"), worse, holdout=worse)
    passed, detail = gate.CHECKS["accuracy"]({"max_drop": 0.01}, candidate, champion)
    assert not passed and "0.250 worse" in detail
