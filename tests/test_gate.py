"""helpers.gate: the checklist file, its Markdown twin, and the gate on candidates whose faults are known."""

from __future__ import annotations

import pytest
import yaml

from helpers import gate
from helpers.gate import Candidate, evaluate, load_checklist, record_signoff, render_markdown
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


def test_missing_checklist_file(tmp_path):
    with pytest.raises(ValueError, match="not found"):
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
def store(tmp_path, monkeypatch):
    from helpers import tracking

    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking.sqlite_uri(tmp_path / "mlflow.db"))
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
    report = evaluate(corrupted, champion)
    # The proxy_bias ground truth: debt_to_income moved. Fairness and accuracy pass (the model learned the feed),
    # so only the drift item (and the missing sign-off) can stop it.
    assert report.failed == ["training_data_drift", "human_signoff"]
    assert "debt_to_income" in report.items.set_index("id").loc["training_data_drift", "detail"]
    assert "STOP" in str(report) and "[FAIL] training_data_drift" in str(report)

    fixed = _candidate("retrained-on-repaired-feed", repaired, store)
    record_signoff(fixed.run_id, "model owner", "A. Okafor")
    assert evaluate(fixed, champion).failed == ["human_signoff"]  # one of two roles signed
    record_signoff(fixed.run_id, "fairness reviewer", "M. Rossi")
    report = evaluate(fixed, champion)
    assert report.passed and report.failed == [] and "PASS" in str(report)


def test_a_recorded_explanation_accepts_a_drifted_column(worlds, store):
    biased, _ = worlds
    champion_data = _days(biased, 0, 59)
    champion = Candidate("champion", train_baseline(champion_data), champion_data)
    candidate = _candidate("explained", biased, store)
    assert "no explanation recorded for debt_to_income" in evaluate(candidate, champion).items.set_index("id").loc[
        "training_data_drift", "detail"]
    gate.record_drift_explanation(candidate.run_id, "debt_to_income", "explanation recorded by the data owner")
    report = evaluate(candidate, champion).items.set_index("id")
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
    detail = evaluate(unrecorded, champion).items.set_index("id").loc["dataset_versions", "detail"]
    assert "no training or evaluation dataset recorded" in detail
    swapped = _candidate("swapped", repaired, store)
    swapped.training_data = _days(repaired, 60, 84)  # not the version the run recorded
    detail = evaluate(swapped, champion).items.set_index("id").loc["dataset_versions", "detail"]
    assert "is not the data the candidate was trained on" in detail


def test_fairness_item_fails_a_model_that_decides_unfairly(worlds, store):
    biased, _ = worlds
    # trained before the feed changed and audited on the new feed: approves minority applicants below 4/5
    old = Candidate("trained-before-the-change", train_baseline(_days(biased, 0, 59)), _days(biased, 0, 59),
                    recent=_days(biased, 120, 149), holdout=_days(biased, 115, 119))
    report = evaluate(old, old)
    assert "fairness_audit" in report.failed
    assert "below four-fifths" in report.items.set_index("id").loc["fairness_audit", "detail"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="Candidate"):
        evaluate("model", "champion")
    with pytest.raises(ValueError, match="role"):
        gate.signoff_tag("  ")
