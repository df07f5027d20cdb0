"""``make prometheus``: a real Prometheus evaluating the course's alert rules on the live feed, replayed.

What runs: an exporter (``prometheus_client``, in this process) publishes the credit model's daily metrics from
the live feed (``course.dashboards.daily_monitoring``), one simulated day at a time; Debian's ``prometheus``
scrapes it and evaluates the rules of ``monitoring/alerts.yml``. Its own Alerts page (``/classic/alerts``) and API
(``/api/v1/alerts``) show each alert going pending, then firing.

**The time problem.** The rules are written for real days: a group evaluated every ``1d``, and the red flag
``for: 2d`` ("three consecutive daily evaluations"). Prometheus measures ``for`` on the wall clock; a replay
that plays one simulated day per second would have to run for two real days before the red flag could fire, and a
rule evaluated every second would see each simulated day a second long, not a day long.

**The solution here**: scale time, not the rules' meaning. The replay plays one simulated day every
``seconds_per_day`` wall-clock seconds, and the rule file Prometheus loads is *rendered* from alerts.yml (the one
source: nothing is retyped) with every duration (a group's ``interval``, ``for``, ``keep_firing_for``) multiplied
by ``seconds_per_day / 86400``: ``interval: 1d`` becomes one evaluation per replayed day and ``for: 2d`` two
replayed days, so an alert fires on the same simulated day as it would in production, as ``helpers.alerts`` and
promtool decide. Scrapes come four times per replayed day, so each evaluation reads the day that is playing.
What this does not give: Prometheus' timestamps are wall-clock times (its graphs show seconds, not days), and on a
loaded machine an evaluation can fall a moment before or after a day changes and see a day once more or once less.
The other honest route, backfilling historical blocks with ``promtool tsdb create-blocks-from openmetrics`` and
querying them at their simulated dates, gives true dates but no live Alerts page: rules are only evaluated now.

Everything generated goes to ``build/prometheus/`` (config, rules, the server's data, wiped at each start).
"""

from __future__ import annotations

import math
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from course.servers import HOST
from helpers.paths import BUILD_DIR, REPO_ROOT, relative

__all__ = [
    "COURSE_CONFIG",
    "COURSE_RULES",
    "DAY_METRIC",
    "EXPORTER_PORT",
    "FEED_METRICS",
    "INSTALL_HINT",
    "PROMETHEUS_PORT",
    "Feed",
    "PrometheusMissing",
    "find_prometheus",
    "main",
    "render_config",
    "render_rules",
    "replay",
    "scaled_duration",
    "start_exporter",
    "start_prometheus",
]

PROMETHEUS_PORT = 9090  #: Prometheus' own default
EXPORTER_PORT = 9109  #: the exporter's port in monitoring/prometheus.yml
COURSE_CONFIG = REPO_ROOT / "monitoring" / "prometheus.yml"
COURSE_RULES = REPO_ROOT / "monitoring" / "alerts.yml"
OUT_DIR = BUILD_DIR / "prometheus"
SECONDS_PER_DAY = 86400
#: Scrapes per replayed day: each evaluation reads a sample at most a quarter of a day old.
SCRAPES_PER_DAY = 4
INSTALL_HINT = (
    "Prometheus is not installed: on Debian or Ubuntu run `sudo apt-get install prometheus` (it brings promtool "
    "too); elsewhere download it from https://prometheus.io/download/ and put `prometheus` on your PATH"
)
#: The feed's columns and the metric each is published as (the names the rules of alerts.yml read).
FEED_METRICS = {
    "accuracy": ("credit_model_accuracy", "The credit model's accuracy as the feed reports it for the day"),
    "fairness_ratio": ("credit_disparate_impact", "Approval rate of the minority group / the majority's, today"),
    "drift_share": ("credit_drift_share", "Share of applicant features that drifted from the training days"),
}
#: Which simulated day the exporter is publishing (the replay's clock, to read beside the alerts).
DAY_METRIC = "credit_simulated_day"


class PrometheusMissing(RuntimeError):
    """The ``prometheus`` server (or ``promtool``) is not on PATH; the message says how to install it."""


def find_prometheus(program: str = "prometheus") -> str:
    """The path of ``program`` (``prometheus`` or ``promtool``), or ``PrometheusMissing`` with ``INSTALL_HINT``."""
    path = shutil.which(program)
    if path is None:
        raise PrometheusMissing(INSTALL_HINT)
    return path


def scaled_duration(value: str, seconds_per_day: float, what: str = "duration") -> str:
    """A Prometheus duration (``"2d"``) scaled to a replay of ``seconds_per_day`` wall seconds per simulated day,
    written in whole milliseconds (``"2000ms"`` at 1 s a day). Raises ``ValueError`` naming ``what``."""
    from helpers.alerts import parse_duration

    simulated = parse_duration(value, what).total_seconds()
    milliseconds = round(simulated / SECONDS_PER_DAY * seconds_per_day * 1000)
    if simulated > 0 and milliseconds < 1:
        raise ValueError(f"{what} {value!r} is under a millisecond at {seconds_per_day:g} s per simulated day")
    return f"{milliseconds}ms"


def _check_speed(seconds_per_day) -> float:
    if isinstance(seconds_per_day, bool) or not isinstance(seconds_per_day, (int, float)) \
            or not math.isfinite(seconds_per_day) or not 0.05 <= seconds_per_day <= 3600:
        raise ValueError(
            f"seconds_per_day must be a number of seconds from 0.05 to 3600, got {seconds_per_day!r}"
        )
    return float(seconds_per_day)


def render_rules(seconds_per_day: float, source: Path = COURSE_RULES, out_dir: Path = OUT_DIR) -> Path:
    """Write ``out_dir/rules.yml``: ``source``'s rules with every duration scaled (see the module doc)."""
    import yaml

    seconds_per_day = _check_speed(seconds_per_day)
    groups = yaml.safe_load(Path(source).read_text(encoding="utf-8"))["groups"]
    for group in groups:
        group["interval"] = scaled_duration(group.get("interval", "1d"), seconds_per_day,
                                            f"interval of group {group['name']!r}")  # fmt: skip
        for rule in group["rules"]:
            for key in ("for", "keep_firing_for"):
                if key in rule:
                    rule[key] = scaled_duration(rule[key], seconds_per_day, f"{key} of {rule.get('alert')!r}")
            rule.setdefault("annotations", {})["replay"] = f"1 simulated day = {seconds_per_day:g} s"
    out = Path(out_dir) / "rules.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Generated by `make prometheus` from {Path(source).name}, durations scaled to "
              f"{seconds_per_day:g} s per simulated day. Edit monitoring/alerts.yml, not this file.\n")  # fmt: skip
    out.write_text(header + yaml.safe_dump({"groups": groups}, sort_keys=False, width=120), encoding="utf-8")
    return out


def render_config(seconds_per_day: float, exporter_port: int, out_dir: Path = OUT_DIR) -> Path:
    """Write ``out_dir/prometheus.yml``: the course's configuration with the replay's intervals, the rendered
    rules and the exporter's port (the course's file is the template: nothing else changes)."""
    import yaml

    seconds_per_day = _check_speed(seconds_per_day)
    config = yaml.safe_load(COURSE_CONFIG.read_text(encoding="utf-8"))
    rules = render_rules(seconds_per_day, out_dir=out_dir)
    config["global"]["scrape_interval"] = f"{max(1, round(seconds_per_day * 1000 / SCRAPES_PER_DAY))}ms"
    config["global"]["evaluation_interval"] = scaled_duration("1d", seconds_per_day)
    config["rule_files"] = [rules.name]
    config["scrape_configs"][0]["static_configs"] = [{"targets": [f"{HOST}:{exporter_port}"]}]
    out = Path(out_dir) / "prometheus.yml"
    out.write_text("# Generated by `make prometheus` from monitoring/prometheus.yml.\n"
                   + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")  # fmt: skip
    return out


@dataclass(eq=False)  # a collector is registered by identity
class Feed:
    """The day the exporter publishes: a collector that yields the metrics of ``row`` (a feed row or None).

    A missing or NaN value publishes no sample at all, as a real exporter with nothing to report: Prometheus then
    sees the series disappear (``absent()`` holds), which is not the same as a value of 0.
    """

    row: dict | None = None
    day: int | None = None

    def __post_init__(self):
        self._lock = threading.Lock()

    def show(self, day: int, row: dict) -> None:
        with self._lock:
            self.day, self.row = day, dict(row)

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        with self._lock:
            day, row = self.day, self.row
        if row is None:
            return
        yield GaugeMetricFamily(DAY_METRIC, "The simulated day the exporter is publishing", value=day)
        for column, (name, text) in FEED_METRICS.items():
            value = row.get(column)
            if value is not None and value == value:  # NaN: no sample
                yield GaugeMetricFamily(name, text, value=float(value))


def start_exporter(feed: Feed, port: int):
    """Serve ``feed`` at http://127.0.0.1:``port``/metrics in a daemon thread; returns the HTTP server (call
    ``shutdown()`` and ``server_close()`` to stop it)."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=False)
    registry.register(feed)
    server, _ = start_http_server(port, addr=HOST, registry=registry)
    return server


def start_prometheus(port: int, config: Path, **options):
    """Start Debian's ``prometheus`` on 127.0.0.1:``port`` with ``config`` and a fresh data folder beside it.

    Raises ``PrometheusMissing`` (with ``INSTALL_HINT``) or ``course.servers.ServerError``.
    """
    from course.servers import start

    program = find_prometheus()
    data = Path(config).parent / "data"
    if data.exists():  # the last replay's series and alert states: a new replay starts clean
        shutil.rmtree(data)
    # run from the config's folder with relative paths: the Alerts page names the rule file "rules.yml"
    command = [program, f"--config.file={Path(config).name}", f"--web.listen-address={HOST}:{port}",
               f"--storage.tsdb.path={data.name}", "--log.level=warn"]  # fmt: skip
    return start("Prometheus", command, port, "/-/ready", cwd=Path(config).parent, **options)


def _wait_for_first_scrape(base: str, seconds_per_day: float, timeout: float = 60.0) -> None:
    """Wait until Prometheus holds a sample of the exporter (it finds its targets about 5 s after it starts), then
    one evaluation more, so the replay's first day is one that Prometheus evaluates."""
    import json
    import time
    import urllib.request
    from urllib.parse import quote

    from course.servers import ServerError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/query?query={quote(DAY_METRIC)}", timeout=5) as response:
                if json.loads(response.read())["data"]["result"]:
                    time.sleep(seconds_per_day)
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerError(f"Prometheus at {base} did not scrape the exporter within {timeout:.0f} s: see its targets at "
                      f"{base}/classic/targets")  # fmt: skip


def _play(feed: Feed, table, start_day: int, seconds_per_day: float, out) -> None:
    """Publish ``table``'s rows from ``start_day`` on, one every ``seconds_per_day`` (on a steady clock)."""
    import time

    tick = time.monotonic()
    for day in range(start_day, len(table)):
        feed.show(day, table.iloc[day].to_dict())
        if day % 10 == 0:
            out(f"simulated day {day} ({table.iloc[day]['date']:%Y-%m-%d})")
        tick += seconds_per_day
        time.sleep(max(0.0, tick - time.monotonic()))


def replay(port: int = PROMETHEUS_PORT, exporter_port: int = EXPORTER_PORT, seconds_per_day: float = 1.0,
           start_day: int = 60, days: int = 180, scenario: str = "proxy_bias", out=print) -> int:  # fmt: skip
    """``python -m course prometheus``: the exporter, Prometheus with the rendered rules, and the replay; after the
    last day both keep serving until Ctrl+C. Returns the exit status (see the module doc)."""
    from course.servers import (
        ServerError,
        Stopped,
        busy_port_message,
        check_port,
        port_in_use,
        serve_until_stopped,
        stop_all,
        stop_on_signals,
    )

    port, exporter_port = check_port(port), check_port(exporter_port)
    seconds_per_day = _check_speed(seconds_per_day)
    find_prometheus()  # before anything slow: a missing server costs no waiting
    for number, name, flag in ((port, "Prometheus", "--port"), (exporter_port, "exporter", "--exporter-port")):
        if port_in_use(number):
            raise ServerError(busy_port_message(number, name).replace("--port", flag))
    if isinstance(start_day, bool) or not isinstance(start_day, int) or not 0 <= start_day < days:
        raise ValueError(f"start_day must be a whole number from 0 to {days - 1} (days={days}), got {start_day!r}")
    servers, exporter = [], None
    try:
        with stop_on_signals():
            from course.dashboards import daily_monitoring

            out(f"preparing {days} simulated days of the {scenario!r} scenario ...")
            table = daily_monitoring(scenario, days=days)
            config = render_config(seconds_per_day, exporter_port)
            feed = Feed()
            exporter = start_exporter(feed, exporter_port)
            feed.show(start_day, table.iloc[start_day].to_dict())
            servers.append(start_prometheus(port, config))
            base = f"http://{HOST}:{port}"
            out("waiting for Prometheus' first scrape of the exporter (about 5 s) ...")
            _wait_for_first_scrape(base, seconds_per_day)
            out(f"Prometheus up: alerts at {base}/classic/alerts (the page does not refresh itself: reload it)\n"
                f"  a metric at {base}/classic/graph?g0.expr=credit_disparate_impact&g0.tab=0&g0.range_input=5m\n"
                f"  the exporter at http://{HOST}:{exporter_port}/metrics\n"
                f"One simulated day every {seconds_per_day:g} s from day {start_day}; the rules of "
                f"monitoring/alerts.yml run with every duration scaled to match ({relative(config.parent)}/rules.yml): "
                f"for: 2d lasts {2 * seconds_per_day:g} s. Stop with Ctrl+C")  # fmt: skip
            _play(feed, table, start_day, seconds_per_day, out)
            return serve_until_stopped(servers, "replay finished: Prometheus keeps serving the last day; Ctrl+C stops")
    except (KeyboardInterrupt, Stopped):
        out("stopping ...")
        return 0
    finally:
        stop_all(servers)
        if exporter is not None:
            exporter.shutdown()
            exporter.server_close()


def main(argv: list[str]) -> int:
    """``python -m course prometheus [--port P] [--exporter-port P] [--seconds-per-day S] [--start-day D]``."""
    import argparse
    import sys

    from course.servers import ServerError

    parser = argparse.ArgumentParser(prog="python -m course prometheus", description="a real Prometheus evaluating "
                                     "the course's alert rules on a replay of the live feed")  # fmt: skip
    parser.add_argument("--port", default=PROMETHEUS_PORT, help=f"Prometheus' port (default {PROMETHEUS_PORT})")
    parser.add_argument("--exporter-port", default=EXPORTER_PORT, help=f"the exporter's (default {EXPORTER_PORT})")
    parser.add_argument("--seconds-per-day", type=float, default=1.0, help="wall seconds per simulated day (1)")
    parser.add_argument("--start-day", type=int, default=60, help="first day played (60: the first after training)")
    parser.add_argument("--scenario", default="proxy_bias", help="world scenario (default proxy_bias)")
    args = parser.parse_args(argv)
    try:
        return replay(args.port, args.exporter_port, args.seconds_per_day, args.start_day, scenario=args.scenario,
                      out=lambda text: print(text, flush=True))  # fmt: skip
    except PrometheusMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
