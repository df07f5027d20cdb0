"""helpers.tracking against a real (temporary) SQLite MLflow store: histories, datasets, registry, bad input."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from helpers import tracking
from helpers.data import frame_digest
from helpers.models import decide, train_baseline
from helpers.paths import REPO_ROOT
from helpers.world import simulate_applications


@pytest.fixture()
def store(tmp_path, monkeypatch, empty_mlflow_db):
    """A fresh SQLite store in a temporary folder, selected through MLFLOW_TRACKING_URI (as a user would)."""
    (tmp_path / "store").mkdir()
    shutil.copy(empty_mlflow_db, tmp_path / "store" / "mlflow.db")
    uri = tracking.sqlite_uri(tmp_path / "store" / "mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setattr("helpers.tracking.datasets.DATASET_DIR", tmp_path / "datasets")
    yield tmp_path / "store"
    if mlflow.active_run():
        mlflow.end_run()


@pytest.fixture(scope="module")
def applications():
    return simulate_applications("income_shock", days=40, per_day=60, seed=3)


def daily(n=5, start="2024-01-01"):
    return pd.DataFrame(
        {"date": pd.date_range(start, periods=n, freq="D"), "accuracy": np.linspace(0.9, 0.8, n), "fairness_ratio": 0.9}
    )


# ------------------------------------------------------------------------------------------------ the course store
def test_course_store_is_an_absolute_sqlite_uri_under_build(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    uri = tracking.course_store_uri()
    path = Path(uri.removeprefix("sqlite:///"))
    assert uri.startswith("sqlite:////") and path.is_absolute()
    assert path == REPO_ROOT / "build" / "mlflow" / "mlflow.db"
    assert tracking.tracking_uri() == uri
    assert tracking.artifact_root() == (REPO_ROOT / "build" / "mlflow" / "artifacts").as_uri()


def test_environment_variable_overrides_the_course_store(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    assert tracking.tracking_uri() == "http://127.0.0.1:5999"
    assert tracking.artifact_root() is None  # a server manages its own artifacts


def test_quiet_switches_are_set():
    tracking.configure()  # what every tracking function does first
    assert os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"
    assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "false"
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"


def test_use_experiment_keeps_artifacts_next_to_the_database(store, tmp_path):
    experiment_id = tracking.use_experiment("unit")
    experiment = MlflowClient().get_experiment(experiment_id)
    assert experiment.name == "unit"
    assert experiment.artifact_location == (store / "artifacts" / "unit").resolve().as_uri()
    assert (store / "mlflow.db").exists()
    assert tracking.use_experiment("unit") == experiment_id  # idempotent
    assert not (Path.cwd() / "mlruns").exists()


def test_fresh_experiment_hides_earlier_runs_and_its_registered_models(store):
    experiment_id = tracking.use_experiment("unit-fresh", fresh=True)
    with tracking.start_run("old"):
        mlflow.log_metric("accuracy", 0.5)
    client = MlflowClient()
    client.create_registered_model("unit-fresh-model", tags={"experiment": "unit-fresh"})
    client.create_registered_model("someone-elses-model")
    assert tracking.use_experiment("unit-fresh", fresh=True) == experiment_id
    assert tracking.runs_table(experiment_id).empty
    names = {m.name for m in client.search_registered_models()}
    assert names == {"someone-elses-model"}


@pytest.mark.parametrize("bad", ["", "  ", None])
def test_use_experiment_rejects_an_empty_name(store, bad):
    with pytest.raises(ValueError, match="experiment name"):
        tracking.use_experiment(bad)


# ------------------------------------------------------------------------------------------------ histories
def test_history_has_one_point_per_day_with_simulated_time(store):
    tracking.use_experiment("unit")
    frame = daily(5)
    with tracking.start_run("history") as run:
        assert tracking.log_history(frame, ["accuracy", "fairness_ratio"]) == 10
    history = tracking.read_history(run.info.run_id, "accuracy")
    assert history["step"].tolist() == [0, 1, 2, 3, 4]
    assert history["date"].tolist() == frame["date"].tolist()
    np.testing.assert_allclose(history["accuracy"], frame["accuracy"])
    assert len(tracking.read_history(run.info.run_id, "fairness_ratio")) == 5


def test_history_steps_count_days_from_the_origin_and_batches_beyond_1000_points(store):
    tracking.use_experiment("unit")
    frame = daily(1200, start="2024-03-01")
    with tracking.start_run("long") as run:
        tracking.log_history(frame, "accuracy", origin="2024-01-01")
    history = tracking.read_history(run.info.run_id, "accuracy")
    assert len(history) == 1200
    assert history["step"].iloc[0] == 60 and history["step"].iloc[-1] == 60 + 1199


def test_history_into_a_named_run_without_an_active_run(store):
    tracking.use_experiment("unit")
    with tracking.start_run("target") as run:
        pass
    tracking.log_history(daily(3), "accuracy", run_id=run.info.run_id)
    assert len(tracking.read_history(run.info.run_id, "accuracy")) == 3


def test_history_bad_input_names_the_problem(store):
    tracking.use_experiment("unit")
    with tracking.start_run("bad"):
        with pytest.raises(ValueError, match="'drift_share'"):
            tracking.log_history(daily(), "drift_share")
        with pytest.raises(ValueError, match="'day'"):
            tracking.log_history(daily(), "accuracy", date_column="day")
        with pytest.raises(ValueError, match="empty"):
            tracking.log_history(daily().iloc[:0], "accuracy")
        nan = daily().assign(accuracy=[0.9, np.nan, 0.9, 0.9, 0.9])
        with pytest.raises(ValueError, match="'accuracy' \\(1 of 5 rows\\)"):
            tracking.log_history(nan, "accuracy")
        twice = pd.concat([daily(2), daily(2)])
        with pytest.raises(ValueError, match="repeated date.*2024-01-01"):
            tracking.log_history(twice, "accuracy")
        with pytest.raises(ValueError, match="metrics is empty"):
            tracking.log_history(daily(), [])
    with pytest.raises(ValueError, match="no active run"):
        tracking.log_history(daily(), "accuracy")


def test_read_history_of_an_unknown_metric_lists_the_metrics(store):
    tracking.use_experiment("unit")
    with tracking.start_run("r") as run:
        tracking.log_history(daily(2), "accuracy")
    with pytest.raises(ValueError, match="no metric 'recall'.*accuracy"):
        tracking.read_history(run.info.run_id, "recall")


# ------------------------------------------------------------------------------------------------ datasets
def test_dataset_inputs_record_name_digest_context_and_a_real_source(store, applications):
    tracking.use_experiment("unit")
    train, audit = applications[applications.day < 20], applications[applications.day >= 20]
    with tracking.start_run("retrain") as run:
        first = tracking.log_dataset(train, "days-00-19", targets="defaulted")
        tracking.log_dataset(audit, "days-20-39", context="evaluation")
    inputs = tracking.run_datasets(run.info.run_id)
    assert inputs["name"].tolist() == ["days-00-19", "days-20-39"]
    assert inputs["context"].tolist() == ["training", "evaluation"]
    assert inputs["digest"].iloc[0] == first.digest == frame_digest(train)
    pd.testing.assert_frame_equal(tracking.load_dataset(inputs["source"].iloc[0]), train.reset_index(drop=True))
    only = tracking.run_datasets(run.info.run_id, context="evaluation")
    assert only["name"].tolist() == ["days-20-39"]


def test_same_data_same_digest_other_data_other_digest(applications):
    a = applications[applications.day < 10]
    assert frame_digest(a) == frame_digest(a.copy()) == frame_digest(a.reset_index(drop=True))
    changed = a.assign(income=a["income"] * 1.01)
    assert frame_digest(changed) != frame_digest(a)


def test_dataset_bad_input_names_the_problem(store, applications):
    tracking.use_experiment("unit")
    with tracking.start_run("bad"):
        with pytest.raises(ValueError, match="'repaid'"):
            tracking.log_dataset(applications, "x", targets="repaid")
        with pytest.raises(ValueError, match="dataset 'empty' is empty"):
            tracking.log_dataset(applications.iloc[:0], "empty")
        with pytest.raises(ValueError, match="dataset name"):
            tracking.log_dataset(applications, "")
    with pytest.raises(ValueError, match="no active run"):
        tracking.log_dataset(applications, "x")
    with pytest.raises(ValueError, match="does not exist"):
        tracking.load_dataset("/nonexistent/folder/days.parquet")


# ------------------------------------------------------------------------------------------------ registry
def test_pip_requirements_are_exact_pins():
    pins = tracking.pip_requirements()
    assert [p.split("==")[0] for p in pins] == list(tracking.MODEL_PACKAGES)
    assert all("==" in p and p.split("==")[1][0].isdigit() for p in pins)


def test_register_aliases_and_load_by_alias(store, applications):
    tracking.use_experiment("unit")
    early, late = applications[applications.day < 20], applications[applications.day >= 20]
    models = {}
    for label, window in (("v1", early), ("v2", late)):
        with tracking.start_run(f"train-{label}"):
            model = train_baseline(window)
            info = tracking.log_model(model, example=window.head(3))
        models[label] = (model, info)
    v1 = tracking.register(models["v1"][1].model_uri, "unit-credit", alias=tracking.CHAMPION, experiment="unit")
    v2 = tracking.register(models["v2"][1].model_uri, "unit-credit", alias=tracking.CHALLENGER, experiment="unit")
    assert (int(v1.version), int(v2.version)) == (1, 2)
    assert tracking.alias_version("unit-credit", "champion") == 1
    assert tracking.alias_version("unit-credit", "challenger") == 2
    served = tracking.load_by_alias("unit-credit", "champion")
    expected = decide(models["v1"][0], late)["default_probability"].to_numpy()
    np.testing.assert_allclose(decide(served, late)["default_probability"].to_numpy(), expected)

    tracking.set_alias("unit-credit", "champion", 2)  # promotion: one pointer moves
    served = tracking.load_by_alias("unit-credit", "champion")
    expected = decide(models["v2"][0], late)["default_probability"].to_numpy()
    np.testing.assert_allclose(decide(served, late)["default_probability"].to_numpy(), expected)
    assert MlflowClient().get_model_version("unit-credit", "1").run_id  # the version links back to its run


def test_logged_model_declares_exact_requirements_and_a_signature(store, applications):
    tracking.use_experiment("unit")
    with tracking.start_run("m"):
        info = tracking.log_model(train_baseline(applications), example=applications.head(3))
    requirements = Path(mlflow.artifacts.download_artifacts(info.model_uri)) / "requirements.txt"
    assert set(tracking.pip_requirements()) <= set(requirements.read_text().split())
    assert [c.name for c in info.signature.inputs] == train_baseline(applications).feature_names_


def test_registry_bad_input_names_the_problem(store, applications):
    tracking.use_experiment("unit")
    with tracking.start_run("m"):
        info = tracking.log_model(train_baseline(applications))
    tracking.register(info.model_uri, "unit-credit", alias="champion")
    with pytest.raises(ValueError, match="no alias 'winner'.*champion"):
        tracking.alias_version("unit-credit", "winner")
    with pytest.raises(ValueError, match="no registered model named 'nobody'"):
        tracking.load_by_alias("nobody", "champion")
    with pytest.raises(ValueError, match="'credit_score'"):
        tracking.log_model(train_baseline(applications), example=applications.drop(columns="credit_score").head())


# ------------------------------------------------------------------------------------------------ dashboard
def test_server_command_serves_one_worker_on_localhost(tmp_path):
    command = tracking.server_command("sqlite:///x.db", tmp_path / "artifacts", port=5123)
    assert command[:4] == [sys.executable, "-m", "mlflow", "server"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "5123"
    assert command[command.index("--workers") + 1] == "1"
    assert command[command.index("--backend-store-uri") + 1] == "sqlite:///x.db"
