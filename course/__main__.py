"""Command line: ``python -m course run | check-env | notebooks [NAME ...] | mlflow-ui | dashboard | live | lab | prometheus``."""

from __future__ import annotations

import sys

USAGE = """usage: python -m course COMMAND

commands:
  run                 execute every notebook (in parallel) into build/executed/, HTML to build/html/, print a table
  check-env           one [ OK ]/[FAIL] line per pinned package, the Jupyter kernel and each data file
  notebooks [NAME..]  re-execute the committed notebooks and solutions in place, regenerate learner exercises
  mlflow-ui [--port P]  serve the MLflow dashboard on the course store at http://127.0.0.1:5000
  dashboard [--port P]  serve the Evidently UI on the capstone's workspace at http://127.0.0.1:8000
  live [--port P]       log one simulated day per second to a new MLflow run (starts the server if none runs)
  lab [--port P]        JupyterLab on the repository at http://127.0.0.1:8888 (the address with its token is printed)
  mlflow-server [--port P] [--pg-port Q]  one MLflow server for a class, on PostgreSQL, at http://127.0.0.1:5050
  prometheus [--port P] a real Prometheus at http://127.0.0.1:9090 evaluating monitoring/alerts.yml on a replay
                        of the live feed (one simulated day per second; durations in the rules scaled to match)
  record-assistant    run the assistant's LLM over its world and rewrite its log in data/ (resumable; ~40 min)
  bench [NAME..]      run the benchmarks in benchmarks/ (all, or those whose name contains NAME) and print figures
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    from course.environment import apply_course_environment

    apply_course_environment()  # what the tools write goes below build/, with or without make
    if command == "run":
        from course.notebooks import run_and_report

        return run_and_report()
    if command == "check-env":
        from course.environment import check_environment

        return 0 if check_environment() else 1
    if command == "notebooks":
        from course.notebooks import refresh_committed

        refresh_committed(rest or None)
        return 0
    if command == "mlflow-server":
        from course.team_server import main as serve_team

        return serve_team(rest)
    if command in ("mlflow-ui", "dashboard", "live", "lab"):
        from course.dashboards import main as serve

        return serve(command, rest)
    if command == "prometheus":
        from course.prometheus import main as prometheus

        return prometheus(rest)
    if command == "record-assistant":
        from helpers.assistant.recording import record

        print(f"wrote {record()}")
        return 0
    if command == "bench":
        import subprocess

        from helpers.paths import REPO_ROOT

        scripts = sorted((REPO_ROOT / "benchmarks").glob("[!_]*.py"))
        scripts = [s for s in scripts if not rest or any(name in s.stem for name in rest)]
        if not scripts:
            print("no benchmark matches; available: " + ", ".join(s.stem for s in sorted((REPO_ROOT / "benchmarks").glob("[!_]*.py"))))
            return 2
        status = 0
        for script in scripts:
            print(f"== benchmarks/{script.name}", flush=True)
            status |= subprocess.run([sys.executable, str(script)], cwd=REPO_ROOT).returncode
        return status
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
