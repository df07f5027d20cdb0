"""The course's own tooling, apart from the learner's library (``helpers``): a learner never needs to open it.

* ``python -m course run | notebooks | check-env | mlflow-ui | dashboard | live | lab | prometheus | bench``
  (``make run`` ...): the command line (``course.__main__``).
* ``notebooks``: executing notebooks (``make run``: in parallel, into build/; ``make notebooks``: in place) and
  generating the learner exercises from the solutions.
* ``handouts``: build/html/index.html, the hand-out index.
* ``servers``: starting and stopping servers (busy ports, health deadlines, children stopped by PID).
* ``dashboards``: the server commands (MLflow UI, Evidently UI, the live run, JupyterLab).
* ``prometheus``: a real Prometheus evaluating the course's alert rules on the live feed.
* ``environment``: the environment check.
"""
