"""deploy/: the lesson's manifests validate offline, and notebook 06 reads its numbers from them."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import ValidationError

from helpers.paths import REPO_ROOT
from helpers.rollout import (
    analysis_metrics,
    canary_steps,
    deployment_settings,
    load_manifest,
    resolve_fenceposts,
    simulate_rolling_update,
)

KUBERNETES = "1.37"  # the schemas kubernetes-validate 1.37.0 bundles
NOTEBOOK = REPO_ROOT / "notebooks" / "06_safe_updates.ipynb"


def test_deployment_is_valid_for_a_current_kubernetes():
    kubernetes_validate.validate(load_manifest("deployment.yaml"), KUBERNETES, strict=True)


def test_validation_can_fail():
    manifest = copy.deepcopy(load_manifest("deployment.yaml"))
    manifest["spec"]["replicas"] = "ten"
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
    manifest = copy.deepcopy(load_manifest("deployment.yaml"))
    manifest["spec"]["strategy"]["rollingUpdate"]["maxSurgeX"] = 1  # strict: unknown fields are errors
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)


def test_both_zero_passes_the_schema_but_the_simulator_refuses_it():
    # The schema cannot express "not both 0"; the API server's validation (ValidateRollingUpdateDeployment) can.
    manifest = copy.deepcopy(load_manifest("deployment.yaml"))
    manifest["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": 0, "maxUnavailable": 0}
    kubernetes_validate.validate(manifest, KUBERNETES, strict=True)  # accepted offline ...
    settings = deployment_settings(manifest)
    with pytest.raises(ValueError, match="may not be 0 when maxSurge is 0"):  # ... refused here
        resolve_fenceposts(settings["replicas"], settings["max_surge"], settings["max_unavailable"])


def test_the_lesson_numbers_are_in_the_manifest():
    settings = deployment_settings()
    assert (settings["max_surge"], settings["max_unavailable"]) == ("25%", "10%")
    assert settings["readiness_probe"] and settings["min_ready_seconds"] > 0
    assert settings["progress_deadline_seconds"] > settings["min_ready_seconds"]
    assert resolve_fenceposts(settings["replicas"], settings["max_surge"], settings["max_unavailable"]) == (3, 1)


def test_a_changed_manifest_changes_the_simulation():
    manifest = copy.deepcopy(load_manifest("deployment.yaml"))
    manifest["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = "30%"
    settings = deployment_settings(manifest)
    update = simulate_rolling_update(settings["replicas"], settings["max_surge"], settings["max_unavailable"])
    assert update.unavailable == 3


def test_rollout_and_analysis_template():
    rollout = load_manifest("rollout.yaml")
    assert rollout["apiVersion"] == "argoproj.io/v1alpha1" and rollout["kind"] == "Rollout"
    steps = canary_steps(rollout)
    assert [s["setWeight"] for s in steps if "setWeight" in s] == [1, 10, 100]  # the lesson's 1% -> 10% -> 100%
    assert all(s["analysis"] == ["credit-model-canary"] for s in steps if "analysis" in s)
    template = load_manifest("analysis-template.yaml")
    assert template["metadata"]["name"] == "credit-model-canary"
    metrics = analysis_metrics(template)
    assert all("prometheus" in m["provider"] for m in template["spec"]["metrics"])
    fairness = next(m for m in metrics if m.name == "fairness-ratio")
    assert fairness.success_condition == "result[0] >= 0.8" and fairness.threshold == 0.8


def test_manifest_errors_name_the_file_or_kind():
    with pytest.raises(ValueError, match="deployment.yaml"):
        load_manifest("nonexistent.yaml")
    with pytest.raises(ValueError, match="expected a Rollout"):
        canary_steps(load_manifest("deployment.yaml"))


def _code(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_notebook_reads_the_numbers_from_the_manifests():
    code = _code(NOTEBOOK)
    for call in ("deployment_settings(", "canary_steps(", "analysis_metrics("):
        assert call in code, f"notebook 06 does not call {call}"
    # a retyped step ({"setWeight": 1}), fencepost ("25%") or condition (result[0] < 0.01) would not follow the files
    for literal in ('"25%"', "'25%'", '"10%"', "'10%'", '{"setWeight"', "{'setWeight'", "result[0]"):
        assert literal not in code, f"notebook 06 retypes {literal} instead of reading deploy/"


# ----------------------------------------------------------------------------------------------------------------
# The template's PromQL in Prometheus' own engine (promtool test rules): what Argo would receive
# ----------------------------------------------------------------------------------------------------------------
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="install Debian's prometheus package (apt-get install prometheus) for promtool"
)
FALLBACK = " or vector(0))"


def _queries() -> dict[str, str]:
    template = load_manifest("analysis-template.yaml")
    return {m["name"]: " ".join(m["provider"]["prometheus"]["query"].split()) for m in template["spec"]["metrics"]}


def _case(series: dict[str, str], expr: str, samples: list) -> dict:
    return {"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series.items()],
            "promql_expr_test": [{"expr": expr, "eval_time": "20m", "exp_samples": samples}]}


def _promtool(tmp_path, cases: list[dict]) -> subprocess.CompletedProcess:
    path = tmp_path / "queries_test.yml"
    path.write_text(yaml.safe_dump({"rule_files": [], "evaluation_interval": "1m", "tests": cases}), "utf-8")
    return subprocess.run([PROMTOOL, "test", "rules", path.name], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=False)


HEALTHY = {'credit_requests_total{version="canary",code="200"}': "0+600x30"}  # 10 a second, never a 5xx
FAULTY = {'credit_requests_total{version="canary",code="200"}': "0+540x30",
          'credit_requests_total{version="canary",code="503"}': "0+60x30"}  # 1 a second of 10 fails
IDLE = {'credit_requests_total{version="canary",code="200"}': "0+0x30",  # series exist, no request in 15 min
        'credit_requests_total{version="canary",code="503"}': "0+0x30"}


@needs_promtool
def test_error_rate_query_as_prometheus_answers_it(tmp_path):
    query = _queries()["error-rate"]
    assert FALLBACK in query, "the error-rate query must end its 5xx numerator with `or vector(0)`"
    without = query.replace(FALLBACK, "").replace("(sum(rate(", "sum(rate(", 1)
    cases = [
        _case(HEALTHY, query, [{"labels": "{}", "value": 0}]),  # no 5xx series: 0, not nothing
        _case(HEALTHY, without, []),  # the query as first written returns no series: Argo's Error
        _case(FAULTY, query, [{"labels": "{}", "value": 0.1}]),
    ]
    result = _promtool(tmp_path, cases)
    assert result.returncode == 0, result.stdout + result.stderr
    # no request in the window: 0 / 0 = NaN. promtool 2.42 reports NaN as a mismatch even against an expected NaN,
    # so expect a number and read what Prometheus got
    nan = _promtool(tmp_path, [_case(IDLE, query, [{"labels": "{}", "value": 0.5}])])
    assert "got: {} NaN" in nan.stdout + nan.stderr, nan.stdout + nan.stderr


@needs_promtool
def test_every_template_query_is_nan_for_an_idle_canary(tmp_path):
    # an idle canary: counters and histogram buckets exist but did not move in 15 minutes
    idle = dict(IDLE)
    idle.update({f'credit_request_duration_seconds_bucket{{version="canary",le="{le}"}}': "0+0x30"
                 for le in ("0.1", "0.3", "+Inf")})
    idle.update({f'credit_decisions_total{{version="canary",group="{g}",decision="{d}"}}': "0+0x30"
                 for g in ("minority", "majority") for d in ("approved", "declined")})
    for name, query in _queries().items():
        result = _promtool(tmp_path, [_case(idle, query, [{"labels": "{}", "value": 0.5}])])
        assert "got: {} NaN" in result.stdout + result.stderr, f"{name}: {result.stdout}{result.stderr}"


def test_the_canary_label_is_put_on_the_canary_pods():
    canary = load_manifest("rollout.yaml")["spec"]["strategy"]["canary"]
    assert canary["canaryMetadata"]["labels"]["version"] == "canary"  # the label the template's queries select
    assert all('version="canary"' in query for query in _queries().values())


def test_manifests_print_as_the_yaml_they_are():
    from helpers.rollout import as_yaml

    for name in ("rollout.yaml", "analysis-template.yaml", "deployment.yaml"):
        manifest = load_manifest(name)
        assert yaml.safe_load(as_yaml(manifest)) == manifest  # nothing lost or reordered in meaning
    steps = as_yaml(load_manifest("rollout.yaml")["spec"]["strategy"]["canary"]["steps"])
    assert "- pause: {duration: 15m}" in steps.splitlines()  # as written, not {'pause': 900}
    query = as_yaml(load_manifest("analysis-template.yaml")["spec"]["metrics"][0])
    assert "query: |" in query  # the PromQL as a block, line by line
