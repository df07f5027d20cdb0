"""The course's server commands: the MLflow dashboard, the Evidently UI, a live MLflow run, and JupyterLab.

* ``python -m course mlflow-ui`` (``make mlflow-ui``): ``mlflow server`` on the course store (build/mlflow),
  http://127.0.0.1:5000.
* ``python -m course dashboard`` (``make dashboard``): the Evidently UI on the capstone's workspace
  (build/workspace), http://127.0.0.1:8000.
* ``python -m course live`` (``make live``): the course MLflow server (started if none answers on the port) and a
  new run that grows by one simulated day per second (accuracy, fairness_ratio, drift_share): the homework's
  "dashboard at localhost:5000 showing real-time metrics".
* ``python -m course lab`` (``make lab``): JupyterLab on the repository, http://127.0.0.1:8888 with a token.

Every command takes ``--port P``; a busy port stops it at once with the fix, a server that does not come up makes it
exit non-zero, and Ctrl+C (or SIGTERM) stops everything it started (``course.servers``). Nothing phones home: the
Evidently UI always runs with ``DO_NOT_TRACK=1``, MLflow with ``MLFLOW_DISABLE_TELEMETRY=true``, JupyterLab without
its news feed and update check.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from course.servers import (
    HOST,
    Server,
    ServerError,
    Stopped,
    busy_port_message,
    check_port,
    port_in_use,
    serve_until_stopped,
    start,
    stop_all,
    stop_on_signals,
)
from helpers.paths import REPO_ROOT, relative

__all__ = [
    "MLFLOW_PORT",
    "EVIDENTLY_PORT",
    "LAB_PORT",
    "LIVE_EXPERIMENT",
    "LIVE_METRICS",
    "RUNS_VIEW",
    "MLFLOW_UI_REFRESH_SECONDS",
    "mlflow_ui_url",
    "experiment_links",
    "start_mlflow",
    "start_evidently",
    "start_lab",
    "run_live",
    "daily_monitoring",
    "main",
]

MLFLOW_PORT = 5000  #: the lesson's "dashboard at localhost:5000"
EVIDENTLY_PORT = 8000  #: the Evidently UI's own default
LAB_PORT = 8888  #: Jupyter's own default
#: Environment every Evidently UI the course starts gets: no usage events sent to the internet.
EVIDENTLY_ENV = {"DO_NOT_TRACK": "1"}
#: Environment every MLflow server the course starts gets.
MLFLOW_ENV = {"MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
#: The experiment ``live`` logs to, and the metrics it logs once per simulated day.
LIVE_EXPERIMENT = "live-dashboard"
LIVE_METRICS = ("accuracy", "fairness_ratio", "drift_share")
#: MLflow 3's UI opens in its GenAI view; this query opens the "Model training" view (runs, charts, the registry).
RUNS_VIEW = "?workflowType=machine_learning"
#: Seconds between two redraws of MLflow's metric charts (the UI polls; it does not follow each logged point).
MLFLOW_UI_REFRESH_SECONDS = 30


def mlflow_ui_url(base: str, experiment_id: str | None = None, run_id: str | None = None) -> str:
    """The MLflow UI address a learner should open: the experiments list, an experiment's runs list or a run, in the
    "Model training" view (``RUNS_VIEW``)."""
    path = "/#/experiments"
    if experiment_id is not None:
        path += f"/{experiment_id}/runs" + (f"/{run_id}" if run_id is not None else "")
    return f"{base}{path}{RUNS_VIEW}"


def experiment_links(base: str) -> list[tuple[str, str]]:
    """``(experiment name, runs-list address)`` for every experiment of the MLflow server at ``base``, in the order
    the UI lists them. Clicking an experiment in MLflow 3's list opens its GenAI overview; these open its runs."""
    from helpers import tracking

    client = tracking.connect(base)
    return [(e.name, mlflow_ui_url(base, e.experiment_id)) for e in client.search_experiments()]


def _announce_mlflow(server: Server) -> str:
    """What ``mlflow-ui`` prints once the server answers: the experiments list and each experiment's runs list."""
    lines = [f"MLflow server up at {mlflow_ui_url(server.url)} (answered after {server.started_seconds:.1f} s); "
             f"stop it with Ctrl+C. Each experiment's runs:"]  # fmt: skip
    lines += [f"  {name}: {url}" for name, url in experiment_links(server.url)]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- servers
def start_mlflow(port: int = MLFLOW_PORT, store_uri: str | None = None, **options) -> Server:
    """Start ``mlflow server`` (one worker) on ``store_uri`` at 127.0.0.1:``port``.

    ``store_uri`` defaults to ``helpers.tracking.tracking_uri()``: the course store, or ``MLFLOW_TRACKING_URI``
    when that names a SQLite database.

    ``options`` go to ``course.servers.start`` (``timeout``, ``log_path``). Raises ``ServerError`` / ``ValueError``.
    """
    from helpers import tracking

    port = check_port(port)
    uri = store_uri or tracking.tracking_uri()
    db = tracking.sqlite_path(uri)
    if db is None:
        raise ValueError(
            f"the MLflow store {uri!r} is not a sqlite:/// database: if it is a running server, open it in a "
            f"browser; else unset MLFLOW_TRACKING_URI to serve the course store"
        )
    tracking.connect(uri)  # create (and migrate) a new store under its lock before the server opens it
    command = tracking.server_command(uri, db.parent / "artifacts", host=HOST, port=port)
    return start("MLflow server", command, port, "/health", env=MLFLOW_ENV, **options)


def start_evidently(port: int = EVIDENTLY_PORT, workspace: Path | str | None = None, **options) -> Server:
    """Start the Evidently UI on ``workspace`` (default: ``helpers.workspace.WORKSPACE_DIR``), ``DO_NOT_TRACK=1``.

    Raises:
        ValueError: a bad port, or no workspace with a project at ``workspace`` (the message says how to make one).
        ServerError: as ``course.servers.start``.
    """
    from helpers.workspace import WORKSPACE_DIR

    port = check_port(port)
    path = Path(workspace) if workspace is not None else WORKSPACE_DIR
    if not path.is_dir() or not any(p.is_dir() and (p / "metadata.json").exists() for p in path.iterdir()):
        raise ValueError(
            f"no Evidently workspace with a project at {_shown(path)}: run the capstone notebook first "
            f"(make run, or make notebooks ONLY=07), which writes its weekly snapshots there"
        )
    _check_workspace(path)
    command = [sys.executable, "-m", "evidently.cli", "ui", "--workspace", str(path.resolve()), "--host", HOST,
               "--port", str(port)]  # fmt: skip
    server = start("Evidently UI", command, port, "/api/version", env=EVIDENTLY_ENV, **options)
    try:  # the UI answers /api/version whatever its workspace holds: ask for what a visitor's first page asks
        with urllib.request.urlopen(f"{server.url}/api/projects", timeout=30) as response:
            json.load(response)
    except (OSError, ValueError) as error:
        stop_all([server])
        raise ServerError(f"the Evidently UI cannot read the workspace {_shown(path)} ({error}): "
                          f"{_REBUILD_WORKSPACE}") from None  # fmt: skip
    return server


_REBUILD_WORKSPACE = "delete the folder and run the capstone notebook again (make notebooks ONLY=07, or make run)"


def _check_workspace(path: Path) -> None:
    """Refuse a damaged workspace before a server starts: each project's metadata.json and each snapshot must be
    JSON (an interrupted write leaves a truncated file; the UI would say "up" and answer 500). One line names the
    file and the fix."""
    for project in sorted(p for p in path.iterdir() if p.is_dir()):
        for file in [project / "metadata.json", *sorted((project / "snapshots").glob("*.json"))]:
            if not file.exists():
                continue
            try:
                json.loads(file.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                raise ValueError(f"the Evidently workspace {_shown(path)} is damaged: {_shown(file)} is not valid "
                                 f"JSON ({error}); {_REBUILD_WORKSPACE}") from None  # fmt: skip


def _shown(path: Path) -> str:
    """A path as a learner typed or knows it: relative inside the repository, as given outside it."""
    return relative(path) if path.resolve().is_relative_to(REPO_ROOT) else str(path)


def start_lab(port: int = LAB_PORT, token: str | None = None, root: Path | str = REPO_ROOT, **options) -> Server:
    """Start JupyterLab on ``root`` (default: the repository) at 127.0.0.1:``port`` with ``token``.

    ``token`` defaults to ``JUPYTER_TOKEN`` when set, else a new random one; it is in ``server.url_with_token``.
    Jupyter's own port retries are off (a busy port is an error, not a silent move to the next port), and so are
    its news feed, update check and PyPI extension manager (no outside connection).
    """
    port = check_port(port)
    token = token or os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--ServerApp.root_dir={Path(root).resolve()}",
        f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses unless told
        command.append("--allow-root")
    _write_lab_settings()
    env = {"JUPYTER_PREFER_ENV_PATH": "1", "PYTHONHASHSEED": "0", **MLFLOW_ENV, **EVIDENTLY_ENV,
           "DVC_NO_ANALYTICS": "1"}  # fmt: skip
    server = start("JupyterLab", command, port, "/api", env=env, **options)
    server.login_url = f"{server.url}/lab?token={token}"
    return server


#: The course's JupyterLab settings: never fetch Jupyter's news nor check for updates, and so never ask on a first
#: visit (the "Would you like to receive official Jupyter news?" toast).
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
                {"fetchNews": "false", "checkForUpdates": False}}  # fmt: skip


def _write_lab_settings() -> None:
    """Write ``LAB_SETTINGS`` into the course's JupyterLab settings folder (below build/, see
    ``course.environment``), unless the learner has a settings file there already."""
    import json

    from course.environment import apply_course_environment

    apply_course_environment()
    folder = Path(os.environ["JUPYTERLAB_SETTINGS_DIR"])
    for name, settings in LAB_SETTINGS.items():
        path = folder / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------------- live
def daily_monitoring(scenario: str = "proxy_bias", days: int = 180, per_day: int = 300, seed: int = 0):
    """What ``live`` plays back: ``helpers.monitoring_table.simulated_monitoring`` (what a lender knows each day)."""
    from helpers.monitoring_table import simulated_monitoring

    return simulated_monitoring(scenario, days=days, per_day=per_day, seed=seed)


def _mlflow_answers(base: str, timeout: float = 10.0) -> bool:
    """True when an MLflow server answers at ``base``: its ``/health`` says ``OK`` (AirPlay on a Mac's port 5000
    answers 403; a server that takes no requests, nothing)."""
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=timeout) as response:
            return response.status == 200 and response.read(16).strip() == b"OK"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
        return False


def run_live(port: int = MLFLOW_PORT, interval: float = 1.0, scenario: str = "proxy_bias", days: int = 180,
             out=print) -> int:  # fmt: skip
    """``python -m course live``: log one simulated day per ``interval`` seconds to a new run; see the module doc."""
    port = check_port(port)
    if not interval > 0:
        raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
    from helpers.world import SCENARIOS  # checked before a server starts: a typo costs no waiting

    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of: {', '.join(SCENARIOS)}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 2:
        raise ValueError(
            f"days must be a whole number of at least 2 (a model is trained on the first half), got {days!r}"
        )
    base = f"http://{HOST}:{port}"
    started: list[Server] = []
    try:
        with stop_on_signals():
            if port_in_use(port):  # decided before anything slow is imported
                if not _mlflow_answers(base):
                    raise ServerError(busy_port_message(port, "MLflow server"))
                out(f"using the MLflow server already running at {base}")
            else:
                server = start_mlflow(port)
                started.append(server)
                out(f"started the course MLflow server at {base} in {server.started_seconds:.1f} s")
            from helpers import tracking  # slow (MLflow): imported once the port is known to be usable

            out(f"preparing {days} simulated days of the {scenario!r} scenario ...")
            table = daily_monitoring(scenario, days=days)
            client = tracking.connect(base)
            experiment = client.get_experiment_by_name(LIVE_EXPERIMENT)
            experiment_id = experiment.experiment_id if experiment else client.create_experiment(LIVE_EXPERIMENT)
            # MLflow's UI shows the "Model training" pages (runs and their metric charts) for this kind
            client.set_experiment_tag(experiment_id, "mlflow.experimentKind", "custom_model_development")
            run = client.create_run(experiment_id, run_name=f"live {scenario}", tags={"scenario": scenario})
            run_id = run.info.run_id
            out(f"open {mlflow_ui_url(base, experiment_id, run_id)} : one simulated day per {interval:g} s, "
                f"{len(LIVE_METRICS)} metrics; the page redraws its charts every {MLFLOW_UI_REFRESH_SECONDS} s, "
                f"not at each day; stop with Ctrl+C")  # fmt: skip
            _log_days(client, run_id, table, interval, base, f"python -m course live --port {port}", out)
            if started:
                return serve_until_stopped(started, f"all {len(table)} days logged; the server keeps running "
                                                    f"at {base} until Ctrl+C")  # fmt: skip
            return 0
    except (KeyboardInterrupt, Stopped):
        out("stopping ...")
        return 0
    finally:
        stop_all(started)


def _log_days(client, run_id: str, table, interval: float, base: str, restart: str, out) -> None:
    """Log ``table``'s days to run ``run_id``, one per ``interval`` seconds, and end the run with its status
    (FINISHED, FAILED when the server stopped answering: ``ServerError`` naming ``restart``, KILLED on Ctrl+C)."""
    from mlflow.entities import Metric
    from mlflow.exceptions import MlflowException

    status = "FINISHED"
    try:
        saved = _fail_fast()  # a server that stops answering is reported in seconds, not after minutes
        for step, row in table.iterrows():
            tick = time.monotonic()
            values = {k: float(row[k]) for k in LIVE_METRICS if row[k] == row[k]}  # skip NaN (no value)
            client.log_batch(run_id, metrics=[Metric(k, v, int(time.time() * 1000), int(step))
                                              for k, v in values.items()], synchronous=True)  # fmt: skip
            shown = "  ".join(f"{k} {v:.3f}" for k, v in values.items())
            out(f"day {step:3d} ({row['date'].date()})  {shown}")
            time.sleep(max(0.0, interval - (time.monotonic() - tick)))
    except (OSError, MlflowException) as error:
        status = "FAILED"
        raise ServerError(f"the MLflow server at {base} stopped answering ({error}); start it again with "
                          f"{restart}") from error  # fmt: skip
    except BaseException:
        status = "KILLED"
        raise
    finally:
        try:
            client.set_terminated(run_id, status=status)
        except Exception:  # the server may be going down with us
            pass
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        for key in [k for k, v in saved.items() if v is None]:
            os.environ.pop(key, None)


def _fail_fast() -> dict[str, str | None]:
    """MLflow's HTTP client: no retries, 10 s per request (a value the user set wins). Returns the previous values,
    which ``run_live`` puts back when it is done."""
    settings = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
    saved = {key: os.environ.get(key) for key in settings}
    for key, value in settings.items():
        os.environ.setdefault(key, value)
    return saved


# ---------------------------------------------------------------------------------------------------- commands
def _parser(command: str, port: int, about: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m course {command}", description=about)
    parser.add_argument("--port", default=port, help=f"port on 127.0.0.1 (default {port})")
    return parser


def main(command: str, argv: list[str]) -> int:
    """Run one server command (``mlflow-ui``, ``dashboard``, ``live``, ``lab``) with its arguments; exit status."""
    about = {
        "mlflow-ui": (MLFLOW_PORT, "serve the MLflow dashboard on the course store"),
        "dashboard": (EVIDENTLY_PORT, "serve the Evidently UI on the capstone's workspace (build/workspace)"),
        "live": (MLFLOW_PORT, "log one simulated day per second to a new MLflow run, starting the server if needed"),
        "lab": (LAB_PORT, "JupyterLab on the repository"),
    }
    default_port, text = about[command]
    parser = _parser(command, default_port, text)
    if command == "dashboard":
        parser.add_argument(
            "--workspace", default=None, help="the Evidently workspace folder (default build/workspace)"
        )
    if command == "live":
        parser.add_argument("--interval", type=float, default=1.0, help="seconds per simulated day (default 1)")
        parser.add_argument("--days", type=int, default=180, help="simulated days to play (default 180)")
        parser.add_argument("--scenario", default="proxy_bias", help="world scenario (default proxy_bias)")
    args = parser.parse_args(argv)
    servers: list[Server] = []
    try:
        port = check_port(args.port)
        if command == "live":
            return run_live(port, interval=args.interval, scenario=args.scenario, days=args.days)
        if port_in_use(port):  # at once, before the slow imports of MLflow, Evidently or Jupyter
            raise ServerError(busy_port_message(port, {"mlflow-ui": "MLflow server", "dashboard": "Evidently UI",
                                                       "lab": "JupyterLab"}[command]))  # fmt: skip
        with stop_on_signals():
            if command == "dashboard":
                servers.append(start_evidently(port, args.workspace))
            else:
                servers.append({"mlflow-ui": start_mlflow, "lab": start_lab}[command](port))
            server = servers[0]
            if command == "mlflow-ui":
                return serve_until_stopped(servers, _announce_mlflow(server))
            return serve_until_stopped(
                servers,
                f"{server.name} up at {server.login_url or server.url} (answered after {server.started_seconds:.1f} s);"
                f" stop it with Ctrl+C",
            )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        stop_all(servers)
