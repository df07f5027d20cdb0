# The course's commands. `make run` and `make test` create the environment (.venv) from requirements.txt first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Notebook kernels must be this environment's; hashing is reproducible.
export JUPYTER_PREFER_ENV_PATH := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Nothing phones home, whatever a notebook imports first (the kernelspec carries it too, for JupyterLab's kernels).
export MLFLOW_DISABLE_TELEMETRY := true
# Nothing the course starts phones home: no DVC analytics, no Evidently UI usage events.
export DVC_NO_ANALYTICS := 1
export DO_NOT_TRACK := 1
# Everything the tools write stays below build/, not in the home folder (course/environment.py lists the same).
export IPYTHONDIR := $(CURDIR)/build/ipython
export JUPYTER_CONFIG_DIR := $(CURDIR)/build/jupyter/config
export JUPYTER_DATA_DIR := $(CURDIR)/build/jupyter/data
export JUPYTER_RUNTIME_DIR := $(CURDIR)/build/jupyter/runtime
export JUPYTERLAB_SETTINGS_DIR := $(CURDIR)/build/jupyter/lab/user-settings
export JUPYTERLAB_WORKSPACES_DIR := $(CURDIR)/build/jupyter/lab/workspaces
export MPLCONFIGDIR := $(CURDIR)/build/matplotlib
export npm_config_cache := $(CURDIR)/build/npm
# The servers' port: `make dashboard PORT=8001` (each command has its own default).
PORT_ARG = $(if $(PORT),--port $(PORT))

.PHONY: install run test check lint lab mlflow-ui mlflow-server dashboard live prometheus notebooks check-env bench record-assistant clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-llm.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-llm.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" \
		--env MLFLOW_DISABLE_TELEMETRY true > /dev/null
	touch $(STAMP)

## run: execute every notebook into build/executed/, HTML into build/html/, print a table of timings
run: install
	$(PY) -m course run

## test: unit tests, every notebook and exercise executed with fast=True, nbval on the committed notebooks
## (its wall time goes to build/make-test-seconds.txt, which `make bench` prints)
test: install
	@mkdir -p build; start=$$(date +%s); \
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg; \
	status=$$?; echo "$$(( $$(date +%s) - start )) s, exit $$status, load $$(cut -d' ' -f1-3 /proc/loadavg)" \
	  > build/make-test-seconds.txt; cat build/make-test-seconds.txt; exit $$status

## check: the fast lane: every test but notebook executions and servers (markers `notebooks`, `server`); target < 1 min
## (no kernels here, so tests are shared out one by one, and nbval is not loaded)
check: install
	$(PY) -m pytest -n 2 --dist load -p no:nbval -q -m "not notebooks and not server" tests

## lint: ruff on the Python files (the rules are in pyproject.toml)
lint: install
	$(PY) -m ruff check .

## lab: JupyterLab on http://127.0.0.1:8888 (the address with its token is printed; PORT=8889 for another port)
lab: install
	$(PY) -m course lab $(PORT_ARG)

## mlflow-ui: the MLflow dashboard on the course store, http://127.0.0.1:5000 (PORT=5001 for another port)
mlflow-ui: install
	$(PY) -m course mlflow-ui $(PORT_ARG)

## mlflow-server: one MLflow server for a class on PostgreSQL (a private cluster under build/postgres, port 5433),
## http://127.0.0.1:5050 (PORT=5051 for another port); Ctrl+C stops the server and the cluster
mlflow-server: install
	$(PY) -m course mlflow-server $(PORT_ARG)

## dashboard: the Evidently UI on the capstone's workspace (build/workspace), http://127.0.0.1:8000
dashboard: install
	$(PY) -m course dashboard $(PORT_ARG)

## live: one simulated day per second logged to a new MLflow run; watch http://127.0.0.1:5000 (Ctrl+C stops all)
live: install
	$(PY) -m course live $(PORT_ARG)

## prometheus: a real Prometheus evaluating monitoring/alerts.yml on a replay of the live feed, one simulated day
## per second (the rules' durations scaled to match); alerts at http://127.0.0.1:9090/classic/alerts
prometheus: install
	$(PY) -m course prometheus $(PORT_ARG)

## notebooks: re-execute the committed notebooks and solutions in place, regenerate the learner exercises
notebooks: install
	$(PY) -m course notebooks $(ONLY)

## record-assistant: run notebook 05's LLM over its world again and rewrite data/assistant_log.* (resumable, slow)
record-assistant: install
	$(PY) -m course record-assistant

check-env: install
	$(PY) -m course check-env

## bench: the performance figures (printed, not asserted)
bench: install
	$(PY) -m course bench

clean:
	rm -rf build
