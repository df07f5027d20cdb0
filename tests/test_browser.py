"""The dashboards in a real browser, as a person sees them: the Evidently UI shows the course's panels, values and the
lesson's lines; the links the course prints open MLflow's runs list and the live run's charts; JupyterLab renders
notebook 00 with its outputs and no news toast; Prometheus' Alerts page shows the red flag pending, then firing,
during a replay; the hand-out index links every notebook, exercise and report, with distinct titles and no request
to a host other than 127.0.0.1. Screenshots go to build/screenshots/ (the hand-out index links them).

Headless Chromium is Debian's ``chromium`` package driven by Playwright (Playwright's own browser download cannot
work offline). Without Chromium these tests skip and say how to install it. The servers are real, started by the
course's own machinery (``course.dashboards``) on free ports, and stopped by PID, children included.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from course import dashboards, servers
from helpers import workspace as W
from helpers.paths import BUILD_DIR, REPO_ROOT

pytestmark = pytest.mark.server

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = BUILD_DIR / "screenshots"
PAGE_SECONDS = 240  # a loaded 2-core machine renders these apps slowly; waits end as soon as the text is there
NOTEBOOK_00 = REPO_ROOT / "notebooks" / "00_start_here.ipynb"


def _chromium() -> str | None:
    for path in (*CHROMIUM_PATHS, shutil.which("chromium"), shutil.which("chromium-browser")):
        if path and Path(path).exists():
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu) to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path.relative_to(REPO_ROOT)}")
    return path


def _stop_and_check(server: servers.Server) -> None:
    """Stop the server; no process it started may survive (checked by PID)."""
    pids = [server.pid] + [p.pid for p in psutil.Process(server.pid).children(recursive=True)]
    servers.stop_all([server])
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"{server.name}: processes left running: {alive}"


# ------------------------------------------------------------------------------------------------ Evidently UI
@pytest.fixture(scope="module")
def course_workspace(tmp_path_factory):
    """Four weeks of the proxy_bias world, monitored as the course monitors it, in an Evidently workspace."""
    from helpers.world import APPLICANT_FEATURES, simulate_applications

    path = tmp_path_factory.mktemp("workspace")
    days = dashboards.daily_monitoring("proxy_bias", days=28, per_day=200)
    applications = simulate_applications("proxy_bias", days=28, per_day=200, seed=0)
    metrics = days.rename(columns={"fairness_ratio": W.DISPARATE_IMPACT}).drop(columns="drift_share")
    ws, project = W.open_project(path=path, fresh=True)
    W.add_dashboard(ws, project, groups=["majority", "minority"])
    W.add_weekly_snapshots(ws, project, applications, applications[applications["day"] < 14], APPLICANT_FEATURES,
                           metrics)  # fmt: skip
    return path, W.read_snapshots(ws, project)


def _project_list_shows_description(page, server) -> bool:
    """The project list (the UI's first page) shows each project's description under its name."""
    page.goto(server.url)
    page.get_by_text(W.PROJECT_NAME).first.wait_for()
    shown = W.PROJECT_DESCRIPTION[:40] in page.inner_text("body")
    page.get_by_text(W.PROJECT_NAME).first.click()
    return shown


def test_evidently_ui_shows_the_course_panels_the_lessons_lines_and_the_latest_disparate_impact(page, course_workspace):
    path, weeks = course_workspace
    server = dashboards.start_evidently(servers.free_port(), path)
    try:
        page.goto(server.url)
        page.get_by_text(W.PROJECT_NAME).first.click()
        for title in W.PANEL_TITLES:
            page.get_by_text(title, exact=True).first.wait_for()
        page.locator("svg").nth(4).wait_for()  # the four charts have drawn
        counter = page.get_by_text(W.PANEL_TITLES[0], exact=True).first.locator("xpath=ancestor::div[3]")
        shown = counter.inner_text()
        latest = weeks[W.DISPARATE_IMPACT].iloc[-1]
        # the counter shows the latest week's mean disparate impact, as the UI rounds it
        assert any(f"{latest:.{d}f}".rstrip("0") in shown.replace(" ", "") for d in (2, 3, 4)), (latest, shown)
        assert "majority" in page.inner_text("body") and "minority" in page.inner_text("body")
        for _, legend in W.REFERENCE_LINES.values():  # the lesson's lines, drawn as series with their legends
            page.get_by_text(legend, exact=True).first.wait_for()
        assert W.PROJECT_DESCRIPTION[:40] in page.inner_text("body") or _project_list_shows_description(page, server)
        time.sleep(2)  # the charts animate their lines in
        _screenshot(page, "evidently-dashboard.png")
    finally:
        _stop_and_check(server)


# ------------------------------------------------------------------------------------------------ MLflow UI
def _close_assistant(page) -> None:
    close = page.get_by_role("button", name="Close")  # the assistant panel that opens on a first visit
    if close.count():
        close.first.click()


def test_mlflow_links_the_course_prints_land_on_the_runs_list_and_the_live_runs_charts(page, tmp_path):
    """The links ``make mlflow-ui`` and ``make live`` print open MLflow's "Model training" view (MLflow 3 opens in
    its GenAI view otherwise): the experiments list with the model registry in the sidebar, the live experiment's
    runs list, and the live run's metric charts."""
    port = servers.free_port()
    server = dashboards.start_mlflow(port, store_uri="sqlite:///" + (tmp_path / "mlflow.db").as_posix())
    lines: list[str] = []
    try:
        assert dashboards.run_live(port, interval=0.05, days=12, out=lines.append) == 0  # uses the running server
        assert server.process.poll() is None, "live stopped a server it had not started"
        assert lines[0] == f"using the MLflow server already running at {server.url}"
        printed = next(line for line in lines if line.startswith("open "))
        assert f"every {dashboards.MLFLOW_UI_REFRESH_SECONDS} s" in printed  # the UI redraws on its own clock
        run_url = printed.split()[1]
        page.goto(dashboards.mlflow_ui_url(server.url))  # the first address make mlflow-ui prints
        page.get_by_text(dashboards.LIVE_EXPERIMENT, exact=True).first.wait_for()
        page.get_by_text("Model registry", exact=True).first.wait_for()  # the registry is in the sidebar
        _screenshot(page, "mlflow-experiments-list.png")
        links = dict(dashboards.experiment_links(server.url))  # and each experiment's runs list, printed below it
        page.goto(links[dashboards.LIVE_EXPERIMENT])
        page.get_by_text("live proxy_bias", exact=True).first.wait_for()  # the runs list, not a GenAI page
        assert "Start tracing" not in page.inner_text("body")
        _close_assistant(page)
        _screenshot(page, "mlflow-runs-list.png")
        page.goto(run_url.replace(dashboards.RUNS_VIEW, "") + "/model-metrics" + dashboards.RUNS_VIEW)
        feed = dashboards.daily_monitoring("proxy_bias", days=12)  # twelve days in, no loan's outcome is known yet
        shown = [key for key in dashboards.LIVE_METRICS if feed[key].notna().any()]
        assert shown and "accuracy" not in shown
        for key in shown:
            page.get_by_text(key, exact=True).first.wait_for()  # waits for text: the UI keeps polling
        page.locator(".js-plotly-plot .scatterlayer .trace").nth(len(shown) - 1).wait_for()
        _close_assistant(page)
        assert "live proxy_bias" in page.inner_text("body")
        _screenshot(page, "mlflow-live-run.png")
    finally:
        _stop_and_check(server)


# ------------------------------------------------------------------------------------------------ JupyterLab
def _first_output_line(path: Path) -> str:
    """The first line of the first text output stored in the committed notebook (what a reader must see)."""
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            lines = [line.strip() for line in "".join(text).splitlines() if line.strip()]
            if lines:
                return lines[0]
    raise AssertionError(f"{path.name} has no text output")


def test_jupyterlab_renders_notebook_00_with_its_outputs(page, tmp_path):
    token = "browser-test-token"
    (tmp_path / "notebooks").mkdir()
    shutil.copy(NOTEBOOK_00, tmp_path / "notebooks" / NOTEBOOK_00.name)  # a copy: autosave never touches the repo
    server = dashboards.start_lab(servers.free_port(), token=token, root=tmp_path)
    try:
        page.goto(f"{server.url}/lab/tree/notebooks/{NOTEBOOK_00.name}?token={token}")
        expected = _first_output_line(NOTEBOOK_00)
        page.locator(".jp-OutputArea-output").first.wait_for()
        page.get_by_text(expected).first.wait_for()
        time.sleep(3)  # JupyterLab asks its first-visit question (news) within a second or two when it asks
        assert "Jupyter news" not in page.inner_text("body"), "the course's settings should keep the news toast away"
        _screenshot(page, "jupyterlab-notebook-00.png")
    finally:
        _stop_and_check(server)  # the kernel the opened notebook started goes too


# ------------------------------------------------------------------------------------------------ Prometheus
def _red_flag_state(base: str) -> str | None:
    """DisparateImpactRedFlag's state by Prometheus' API (None: inactive, or Prometheus not up yet)."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(f"{base}/api/v1/alerts", timeout=5) as response:
            alerts = json.loads(response.read())["data"]["alerts"]
    except OSError:
        return None
    return next((a["state"] for a in alerts if a["labels"]["alertname"] == "DisparateImpactRedFlag"), None)


def _alerts_page_state(page, base: str) -> str:
    """The Alerts page as a person reads it: the red flag's row expanded, its State column (PENDING / FIRING)."""
    page.goto(f"{base}/classic/alerts")
    rule = page.get_by_text("DisparateImpactRedFlag", exact=True).first
    rule.click()  # expands the rule: its definition and its active alert
    body = page.inner_text("body")
    if "DisparateImpactRedFlag (1 active)" not in body:
        return "inactive"
    return "firing" if "FIRING" in body else "pending" if "PENDING" in body else "unknown"


def test_prometheus_alerts_page_shows_the_red_flag_pending_then_firing_during_a_replay(page, tmp_path):
    """``make prometheus`` at a second a day from day 84: the Alerts page shows DisparateImpactRedFlag pending, then
    firing (the feed holds several runs of low days, so a page that loads a moment late gets the next one)."""
    import signal
    import subprocess
    import sys

    from course import prometheus as P

    if shutil.which("prometheus") is None:
        pytest.skip(P.INSTALL_HINT)
    port, exporter_port = servers.free_port(), servers.free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "prometheus.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "course", "prometheus", "--port", str(port), "--exporter-port", str(exporter_port),
         "--seconds-per-day", "1", "--start-day", "84"],
        cwd=REPO_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    shown: list[str] = []
    try:
        deadline = time.monotonic() + PAGE_SECONDS
        for wanted in ("pending", "firing"):
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.1)
                if _red_flag_state(base) == wanted and _alerts_page_state(page, base) == wanted:
                    shown.append(wanted)
                    _screenshot(page, f"prometheus-alert-{wanted}.png")
                    break
        assert shown == ["pending", "firing"], (shown, log.read_text())
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


# ------------------------------------------------------------------------------------------------ hand-outs
@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """A hand-out folder as make run leaves it, for one notebook (fast): its page, every exercise's page, a report
    (Markdown and its HTML page) and the screenshots the tests above took; served on 127.0.0.1."""
    import functools
    import http.server
    import threading

    from course.handouts import write_index
    from course.notebooks import course_notebooks, render_exercises, run_all

    build = tmp_path_factory.mktemp("handout") / "build"
    (result,) = run_all([course_notebooks()[0]], parameters={"fast": True}, out_dir=build)
    assert result.ok, result.error
    render_exercises(build)
    (build / "reports").mkdir()
    (build / "reports" / "transparency_report.md").write_text("# Transparency report\n")
    (build / "reports" / "transparency_report.html").write_text("<title>Transparency report</title><h1>Report</h1>")
    if SCREENSHOTS.exists():
        shutil.copytree(SCREENSHOTS, build / "screenshots")
    write_index(build)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # no line per request in the test's output
            pass

    handler = functools.partial(Quiet, directory=str(build))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", servers.free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield build, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_handout_index_links_every_notebook_exercise_and_report_with_distinct_titles_and_nothing_outside(
        page, handout):  # fmt: skip
    from urllib.parse import urlparse

    from course.notebooks import course_notebooks, learner_notebooks

    build, base = handout
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if urlparse(request.url).hostname != "127.0.0.1" else None)  # fmt: skip
    page.goto(f"{base}/html/index.html")
    body = page.inner_text("body")
    links = {a.inner_text().strip(): a.get_attribute("href") for a in page.locator("a").all()}
    from course.handouts import notebook_title

    assert notebook_title(course_notebooks()[0]) in links  # the one notebook run is linked ...
    for notebook in course_notebooks()[1:]:
        assert f"{notebook_title(notebook)} (not run yet" in body  # ... the others say how to make them
    for exercise in learner_notebooks():
        assert notebook_title(exercise) in links, exercise.name
    assert links.get("transparency_report.html") == "../reports/transparency_report.html"
    assert not any(href.endswith(".md") for href in links.values())  # the report's page, not its Markdown
    _screenshot(page, "handouts-index.png")
    titles = []
    for label, href in links.items():
        if href.endswith(".html") and not href.startswith("../reports"):
            page.goto(f"{base}/html/{href}")
            titles.append(page.title())
    assert len(titles) == 1 + len(learner_notebooks()) and len(set(titles)) == len(titles), titles
    assert "Notebook" not in titles
    assert not outside, f"requests to hosts other than 127.0.0.1: {sorted(set(outside))[:5]}"
