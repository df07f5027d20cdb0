"""Questions of exercise 04: tracking with MLflow's own API (a metric history, a query over runs, an alias).

The checks read MLflow itself (``mlflow.MlflowClient`` on the course store), so they hold for any seed or size: the
answer must agree with what the tracking store contains.
"""

from __future__ import annotations

from typing import Any

from helpers.exercises.checks import Question, ThoughtExperiment, Wrong, ____, expect_choice

__all__ = ["q1", "q2", "q3", "q4", "q5", "____"]

#: What the exercise logs to (its own experiment and registered model, so it never touches notebook 04's).
EXPERIMENT = "ex04-credit-monitoring"
MODEL = "ex04-credit-scoring"
HISTORY_RUN = "daily-approval-rate"
HISTORY_METRIC = "approval_rate"
#: The version retrained on the repaired feed (the exercise registers 1: champion, 2: broken feed, 3: repaired feed).
REPAIRED_VERSION = 3


def _client():
    from helpers import tracking

    return tracking.client()  # the store the notebook chose (tracking.use_experiment), with the course's settings


def _experiment_id() -> str:
    experiment = _client().get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        raise Wrong(f"there is no experiment {EXPERIMENT!r} yet: run the notebook's cells from the top.")
    return experiment.experiment_id


def _check_history(answer: Any) -> None:
    client = _client()
    runs = client.search_runs([_experiment_id()], filter_string=f"attributes.run_name = '{HISTORY_RUN}'")
    if not runs:
        raise Wrong(f"there is no run named {HISTORY_RUN!r}: start it with mlflow.start_run(run_name={HISTORY_RUN!r}).")
    points = client.get_metric_history(runs[0].info.run_id, HISTORY_METRIC)
    if not points:
        raise Wrong(f"the run {HISTORY_RUN!r} has no metric {HISTORY_METRIC!r}: log it under that name.")
    steps = sorted(p.step for p in points)
    if steps != list(range(steps[0], steps[0] + len(steps))):
        raise Wrong("the history has gaps or repeated steps: log exactly one point per day, with step=day.")
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
    try:
        champion = int(_client().get_model_version_by_alias(MODEL, "champion").version)
    except Exception as error:
        raise Wrong(f"{MODEL!r} has no 'champion' alias: run the registration cell first ({error}).") from None
    if champion == 2:
        raise Wrong(
            "'champion' points at version 2. It passes the four-fifths check, but it learned from the broken feed "
            "(rent counted as debt): it underweights debt for everyone. Which version learned from the repaired data?"
        )
    if champion != REPAIRED_VERSION:
        raise Wrong(f"'champion' still points at version {champion}: move it to the version you would promote.")
    if isinstance(answer, bool) or answer != champion:
        raise Wrong(
            f"{answer!r} is not the version 'champion' points at; read it back with get_model_version_by_alias."
        )


q1 = Question(
    "Question 1",
    _check_history,
    hint=(
        "`decisions.groupby('day')['approved'].mean()` gives one rate per day. Inside "
        f"`with mlflow.start_run(run_name={HISTORY_RUN!r}) as run:` call "
        f"`mlflow.log_metric({HISTORY_METRIC!r}, rate, step=day)` for each day. Then count the points of "
        "`client.get_metric_history(run.info.run_id, ...)`."
    ),
    solution=(
        "    daily = decisions.groupby('day')['approved'].mean()\n"
        "    with mlflow.start_run(run_name='daily-approval-rate') as run:\n"
        "        for day, rate in daily.items():\n"
        "            mlflow.log_metric('approval_rate', rate, step=int(day))\n"
        "    answer_q1 = len(client.get_metric_history(run.info.run_id, 'approval_rate'))\n"
        "One point per day; helpers.tracking.log_history does the same in one batch and also stamps each point with "
        "the simulated date."
    ),
    correct_message=(
        "One point per simulated day, with step = day: the dashboard's chart of this metric is the timeline."
    ),
)

q2 = Question(
    "Question 2",
    _check_worst_run,
    hint=(
        "`mlflow.search_runs([experiment_id], order_by=[...])` returns a DataFrame: order by "
        "'metrics.fairness_ratio ASC' and read the `tags.mlflow.runName` of the first row."
    ),
    solution=(
        "    runs = mlflow.search_runs([experiment_id], filter_string='metrics.fairness_ratio > -1',\n"
        "                              order_by=['metrics.fairness_ratio ASC'])\n"
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
    hint=(
        "Both retrained versions pass the four-fifths check on the repaired feed. Compare how many applicants each "
        "approves and how many of those default, and ask which data each learned from. Then "
        "`client.set_registered_model_alias(MODEL, 'champion', version)` and "
        "`client.get_model_version_by_alias(MODEL, 'champion').version`."
    ),
    solution=(
        "Version 3, retrained on the repaired feed:\n"
        "    client.set_registered_model_alias(MODEL, 'champion', 3)\n"
        "    answer_q3 = int(client.get_model_version_by_alias(MODEL, 'champion').version)\n"
        "Version 2 passes the fairness check only because it learned from data where rent was counted as debt: it "
        "gives debt-to-income less weight for everyone, so on correct data it approves almost every applicant, "
        "including more who default. Retraining until the metric passes hides the cause; the fix was the data."
    ),
    correct_message=(
        "Serving loads models:/ex04-credit-scoring@champion and did not change: moving the alias is the whole "
        "deployment-side change, and moving it back is the rollback."
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
        "loses its lineage (data, metrics, run). An alias is a movable pointer kept in the registry."
    ),
)

q5 = ThoughtExperiment(
    "Question 5",
    hint=(
        "An auditor asks, a year from now: why is version 3 the champion, and on which data was it judged? List what "
        "MLflow already holds about that decision, and what it does not record unless you do (who moved the alias, "
        "when, and why; what became of version 2)."
    ),
    solution=(
        "MLflow already holds: each run's parameters, metrics (the fairness ratios of the audits), start time and "
        "user; the dataset inputs with digests if the runs logged them; each version's link to its run. It does not "
        "record alias moves (no history of who pointed champion at version 3, or when), nor why version 2 was "
        "rejected. So I would log each model's training and evaluation data as dataset inputs (and keep the data "
        "itself retrievable, e.g. with DVC), tag version 2 'rejected: trained on the broken feed' and version 3 "
        "'promoted: passed the pre-update audit on the repaired feed', with the audit run's id, and write the alias "
        "move to an append-only log with who and when, since runs and tags in MLflow can be deleted."
    ),
)
