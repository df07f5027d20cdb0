"""The MLflow UI shows notebook 05's traces from the link the notebook prints (``traces_url``: all time), although
their simulated dates are months old, with their assessments. Headless Debian Chromium via Playwright; the MLflow
server is real, on a free port, stopped by PID. Skips, naming the install command, without Chromium."""

from __future__ import annotations

import pytest
from test_browser import _chromium, _screenshot, _stop_and_check, browser, page  # noqa: F401  (fixtures)

from course import dashboards, servers
from helpers import tracking
from helpers.assistant.recording import load_log

pytestmark = pytest.mark.server


def test_traces_of_the_simulated_window_are_listed_from_the_printed_link(page, tmp_path, monkeypatch):  # noqa: F811
    from helpers.assistant.tracing import log_calls, log_judge, log_reviews, traces_url

    uri = tracking.sqlite_uri(tmp_path / "mlflow.db")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_TRACE_LOGGING", "false")
    experiment_id = tracking.use_experiment("05-triage-assistant", fresh=True)
    calls = load_log().query("replied").assign(prompt_version="v1")
    traced = log_calls(calls, experiment_id)
    log_judge(traced)
    log_reviews(traced)
    port = servers.free_port()
    server = dashboards.start_mlflow(port, store_uri=uri)
    try:
        page.goto(traces_url(experiment_id, port=port))
        page.get_by_text("triage_correct").first.wait_for()  # the assessments' column: the list has rows
        page.get_by_text(traced["message"].iloc[0][:40], exact=False).first.wait_for()  # a year-old trace is listed
        body = page.inner_text("body")
        listed = [m for m in traced["message"] if m[:40] in body]
        assert len(listed) >= min(len(traced), 5), f"{len(listed)} of {len(traced)} traces listed"
        tokens = (traced["prompt_tokens"] + traced["completion_tokens"]).astype(int).astype(str)
        assert "Tokens" in body and sum(t in body for t in tokens) >= min(len(traced), 5)  # the token usage column
        _screenshot(page, "mlflow-assistant-traces.png")
    finally:
        _stop_and_check(server)
