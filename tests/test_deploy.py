"""deploy/: the lesson's manifests validate offline, and notebook 06 reads its numbers from them."""

from __future__ import annotations

import copy
import json

import kubernetes_validate
import pytest
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
    frame = simulate_rolling_update(settings["replicas"], settings["max_surge"], settings["max_unavailable"])
    assert frame.attrs["unavailable"] == 3


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
