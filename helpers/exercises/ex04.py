"""Questions of exercise 04: tracking with MLflow (a metric history, a query over runs, an alias).

The checks read MLflow itself, so they hold for any seed or size: the answer must agree with what the tracking
store contains.
"""

from __future__ import annotations

from typing import Any

from helpers.checks import Question, ThoughtExperiment, Wrong, expect_choice

#: What the exercise logs to (its own experiment and registered model, so it never touches notebook 04's).
EXPERIMENT = "ex04-credit-monitoring"
MODEL = "ex04-credit-scoring"
HISTORY_RUN = "daily-approval-rate"
HISTORY_METRIC = "approval_rate"


def _client():
    from helpers import tracking

    return tracking.MlflowClient()


def _experiment_id() -> str:
    experiment = _client().get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        raise Wrong(f"there is no experiment {EXPERIMENT!r} yet: run the notebook's cells from the top.")
    return experiment.experiment_id


def _check_history(answer: Any) -> None:
    client = _client()
    runs = client.search_runs([_experiment_id()], filter_string=f"attributes.run_name = '{HISTORY_RUN}'")
    if not runs:
        raise Wrong(f"there is no run named {HISTORY_RUN!r}: start it with tracking.start_run({HISTORY_RUN!r}).")
    points = client.get_metric_history(runs[0].info.run_id, HISTORY_METRIC)
    if not points:
        raise Wrong(f"the run {HISTORY_RUN!r} has no metric {HISTORY_METRIC!r}: log the column with that name.")
    steps = sorted(p.step for p in points)
    if steps != list(range(steps[0], steps[0] + len(steps))):
        raise Wrong("the history has gaps or repeated steps: log exactly one row per day.")
    if isinstance(answer, bool) or not isinstance(answer, int) or answer != len(points):
        raise Wrong(f"{answer!r} is not the number of points MLflow holds for {HISTORY_METRIC!r}; read it back.")


def _check_worst_run(answer: Any) -> None:
    runs = _client().search_runs(
        [_experiment_id()], filter_string="metrics.fairness_ratio > -1", order_by=["metrics.fairness_ratio ASC"]
    )
    if not runs:
        raise Wrong("no run in the experiment has a fairness_ratio yet: run the audit cell first.")
    worst = runs[0]
    if not isinstance(answer, str):
        raise Wrong(f"give the run's name (a string such as 'audit-days-030-044'), got {type(answer).__name__}.")
    if answer != worst.info.run_name:
        ratio = next((r.data.metrics["fairness_ratio"] for r in runs if r.info.run_name == answer), None)
        detail = f"its fairness_ratio is {ratio:.3f}, not the lowest" if ratio is not None else "no such audit run"
        raise Wrong(f"{answer!r}: {detail}.")


def _check_promotion(answer: Any) -> None:
    client = _client()
    try:
        champion = int(client.get_model_version_by_alias(MODEL, "champion").version)
    except Exception as error:
        raise Wrong(f"{MODEL!r} has no 'champion' alias: run the registration cell first ({error}).") from None
    if champion != 2:
        raise Wrong(f"'champion' still points at version {champion}: move it to the retrained version 2.")
    if isinstance(answer, bool) or answer != champion:
        raise Wrong(f"{answer!r} is not the version 'champion' points at; read it with tracking.alias_version.")


q1 = Question(
    "Question 1",
    _check_history,
    hint=(
        f"Compute one {HISTORY_METRIC!r} per date (the mean of `approved`), as a DataFrame with columns `date` and "
        f"{HISTORY_METRIC!r}; inside `with tracking.start_run({HISTORY_RUN!r}) as run:` call `tracking.log_history`. "
        "Then count the points with `tracking.read_history(run.info.run_id, ...)`."
    ),
    solution=(
        "    daily = decisions.groupby('date', as_index=False)['approved'].mean()\n"
        "    daily = daily.rename(columns={'approved': 'approval_rate'})\n"
        "    with tracking.start_run('daily-approval-rate') as run:\n"
        "        tracking.log_history(daily, 'approval_rate')\n"
        "    answer_q1 = len(tracking.read_history(run.info.run_id, 'approval_rate'))"
    ),
    correct_message=(
        "One point per simulated day, stamped with the simulated date: the dashboard's chart is the timeline."
    ),
)

q2 = Question(
    "Question 2",
    _check_worst_run,
    hint=(
        "`tracking.runs_table(experiment_id, order_by=[...])` is `mlflow.search_runs`: order by "
        "'metrics.fairness_ratio ASC' and read the `tags.mlflow.runName` of the first row."
    ),
    solution=(
        "    runs = tracking.runs_table(experiment_id, filter_string=\"metrics.fairness_ratio > -1\",\n"
        "                               order_by=['metrics.fairness_ratio ASC'])\n"
        "    answer_q2 = runs['tags.mlflow.runName'].iloc[0]"
    ),
    correct_message=(
        "The worst window comes after the new data feed started (day 90): the model was trained before it. A "
        "query, not a scroll through the dashboard, is what makes this repeatable."
    ),
)

q3 = Question(
    "Question 3",
    _check_promotion,
    hint="`tracking.set_alias(MODEL, 'champion', version)`, then `tracking.alias_version(MODEL, 'champion')`.",
    solution=(
        "    tracking.set_alias(MODEL, 'champion', 2)\n"
        "    answer_q3 = tracking.alias_version(MODEL, 'champion')"
    ),
    correct_message=(
        "The serving code loads models:/ex04-credit-scoring@champion and did not change: moving the alias is the "
        "whole deployment-side change, and moving it back is the rollback."
    ),
)

q4 = Question(
    "Question 4",
    expect_choice(
        "models:/ex04-credit-scoring@champion",
        [
            "runs:/<run id>/model",
            "models:/ex04-credit-scoring/1",
            "models:/ex04-credit-scoring@champion",
            "build/model.pkl",
        ],
    ),
    hint="Which of these can change what it points at without anyone editing the serving code?",
    solution=(
        "models:/ex04-credit-scoring@champion. A run URI and a version number name one fixed model; a pickle file "
        "loses its lineage (data, metrics, run). An alias is a movable pointer with a history in the registry."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
    hint=(
        "The retrained model passes the four-fifths check again, but the data feed still counts rent as debt in two "
        "neighbourhoods. What does promotion fix, what does it hide, and what would an auditor want to find in MLflow?"
    ),
    solution=(
        "Promoting the retrained model is reasonable as a stop-gap: it decides the current applicants more fairly "
        "than the old one. But it hides the cause: the feed is wrong, and the model has now learned to discount "
        "debt-to-income for everyone, including applicants whose figure is correct. Record the decision where it "
        "can be audited: the audit runs with their fairness_ratio, the training and evaluation data versions "
        "(dataset inputs with digests), a tag on the new version naming the known data issue, and who moved the "
        "alias and why. Then fix the feed, retrain on corrected data, and promote through the same audit."
    ),
)
