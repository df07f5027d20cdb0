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

.PHONY: install run test lab mlflow-ui notebooks check-env bench clean

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
test: install
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

## lab: JupyterLab on 127.0.0.1
lab: install
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser

## mlflow-ui: the MLflow dashboard on the course store, http://127.0.0.1:5000
mlflow-ui: install
	$(PY) -m helpers mlflow-ui

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
