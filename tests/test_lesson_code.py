from helpers.lesson_code import attempt


def test_working_snippet_runs_and_shares_its_namespace():
    namespace = {}
    result = attempt("x = 1 + 1", namespace)
    assert result.ok and str(result) == "runs" and namespace["x"] == 2


def test_failing_snippet_reports_type_and_first_line_of_message():
    result = attempt("import evidently.report")
    assert not result.ok
    assert result.error_type == "ModuleNotFoundError"
    assert str(result) == "fails with ModuleNotFoundError: No module named 'evidently.report'"


def test_syntax_error_is_reported_not_raised():
    assert attempt("def broken(:").error_type == "SyntaxError"


def test_file_paths_are_removed_from_messages():
    result = attempt("from evidently.metrics import DataDriftTable")
    assert str(result) == "fails with ImportError: cannot import name 'DataDriftTable' from 'evidently.metrics'"


CRASHING_SCRIPT = """
import mlflow
mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.log_metric("accuracy", 0.9)  # the homework's form: no start_run
raise RuntimeError("stops half-way")
"""


def test_a_script_that_stops_half_way_leaves_a_finished_run(tmp_path):
    """Notebook 00's claim, in a real separate process: MLflow's exit hook ends the implicit run as FINISHED."""
    import os
    import subprocess
    import sys

    # a learner's fresh shell: no MLflow setting that an earlier test's set_experiment left in this process
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")} | {"MLFLOW_DISABLE_TELEMETRY": "true"}
    script = tmp_path / "homework.py"
    script.write_text(CRASHING_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 1 and "RuntimeError: stops half-way" in done.stderr
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    runs = client.search_runs(["0"])
    assert [run.info.status for run in runs] == ["FINISHED"]
    assert runs[0].data.metrics == {"accuracy": 0.9}
