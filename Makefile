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
# The servers' port: `make dashboard PORT=8001` (each command has its own default).
PORT_ARG = $(if $(PORT),--port $(PORT))

.PHONY: install run test check lab mlflow-ui dashboard live notebooks check-env bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" \
		--env MLFLOW_DISABLE_TELEMETRY true > /dev/null
	touch $(STAMP)

## run: execute every notebook into build/executed/, HTML into build/html/, print a table of timings
run: install
	$(PY) -m helpers run

## test: unit tests, every notebook and exercise executed with fast=True, nbval on the committed notebooks
## (its wall time goes to build/make-test-seconds.txt, which `make bench` prints)
test: install
	@mkdir -p build; start=$$(date +%s); \
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg; \
	status=$$?; echo "$$(( $$(date +%s) - start )) s, exit $$status, load $$(cut -d' ' -f1-3 /proc/loadavg)" \
	  > build/make-test-seconds.txt; cat build/make-test-seconds.txt; exit $$status

## check: the fast lane: every test but notebook executions and servers (markers `notebooks`, `server`); target < 1 min
check: install
	$(PY) -m pytest -n 2 --dist loadfile -q -m "not notebooks and not server" tests

## lab: JupyterLab on http://127.0.0.1:8888 (the address with its token is printed; PORT=8889 for another port)
lab: install
	$(PY) -m helpers lab $(PORT_ARG)

## mlflow-ui: the MLflow dashboard on the course store, http://127.0.0.1:5000 (PORT=5001 for another port)
mlflow-ui: install
	$(PY) -m helpers mlflow-ui $(PORT_ARG)

## dashboard: the Evidently UI on the capstone's workspace (build/workspace), http://127.0.0.1:8000
dashboard: install
	$(PY) -m helpers dashboard $(PORT_ARG)

## live: one simulated day per second logged to a new MLflow run; watch http://127.0.0.1:5000 (Ctrl+C stops all)
live: install
	$(PY) -m helpers live $(PORT_ARG)

## notebooks: re-execute the committed notebooks and solutions in place, regenerate the learner exercises
notebooks: install
	$(PY) -m helpers notebooks $(ONLY)

check-env: install
	$(PY) -m helpers check-env

## bench: the performance figures (printed, not asserted)
bench: install
	$(PY) -m helpers bench

clean:
	rm -rf build
