"""The manifests in ``deploy/``: the numbers the simulators use are read from what would be applied to a cluster."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from helpers.paths import REPO_ROOT
from helpers.rollout.analysis import MetricSpec

__all__ = [
    "DEPLOY_DIR",
    "analysis_metrics",
    "as_yaml",
    "canary_steps",
    "deployment_settings",
    "duration_seconds",
    "load_manifest",
]


#: The course's Kubernetes manifests.
DEPLOY_DIR = REPO_ROOT / "deploy"


def load_manifest(name: str | Path) -> dict:
    """One YAML manifest from ``deploy/`` (a file name such as ``"deployment.yaml"``, or a path)."""
    import yaml

    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = DEPLOY_DIR / path
    if not path.exists():
        available = ", ".join(sorted(p.name for p in DEPLOY_DIR.glob("*.yaml")))
        raise ValueError(f"manifest {str(name)!r} not found; the manifests in deploy/ are: {available}")
    with path.open(encoding="utf-8") as handle:
        manifest = yaml.safe_load(handle)
    if not isinstance(manifest, dict) or "kind" not in manifest:
        raise ValueError(f"{path.name} is not a Kubernetes manifest (no 'kind')")
    return manifest


def as_yaml(fragment: Any) -> str:
    """A manifest or part of one as the YAML a person would write: keys in file order, short mappings inline
    (``pause: {duration: 15m}``) and multi-line text, such as a PromQL query, as a literal block."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    _Dumper.add_representer(str, text)
    return yaml.dump(fragment, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=120)


def _expect_kind(manifest: dict, kind: str) -> None:
    if manifest.get("kind") != kind:
        raise ValueError(f"expected a {kind} manifest, got kind {manifest.get('kind')!r}")


def deployment_settings(manifest: dict | str | Path = "deployment.yaml") -> dict[str, Any]:
    """What the simulator needs from a Deployment: ``replicas``, ``max_surge``, ``max_unavailable`` (as written),
    ``min_ready_seconds``, ``progress_deadline_seconds`` and ``readiness_probe`` (True when every container has
    one)."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "Deployment")
    spec = manifest["spec"]
    strategy = spec.get("strategy", {})
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise ValueError(f"strategy.type is {strategy.get('type')!r}; the simulator models RollingUpdate only")
    rolling = strategy.get("rollingUpdate", {})
    containers = spec["template"]["spec"]["containers"]
    return {
        "replicas": int(spec.get("replicas", 1)),
        "max_surge": rolling.get("maxSurge", "25%"),
        "max_unavailable": rolling.get("maxUnavailable", "25%"),
        "min_ready_seconds": int(spec.get("minReadySeconds", 0)),
        "progress_deadline_seconds": int(spec.get("progressDeadlineSeconds", 600)),
        "readiness_probe": all("readinessProbe" in c for c in containers),
    }


_DURATION = re.compile(r"^([0-9]+)(s|m|h)$")


def duration_seconds(duration: Any) -> int:
    if isinstance(duration, (int, np.integer)) and not isinstance(duration, bool):
        return int(duration)
    match = _DURATION.match(str(duration))
    if not match:
        raise ValueError(f"duration {duration!r} is not of the form '30s', '15m' or '1h'")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def canary_steps(manifest: dict | str | Path = "rollout.yaml") -> list[dict[str, Any]]:
    """The canary steps of an Argo Rollouts ``Rollout``, normalised: ``{"setWeight": w}``, ``{"pause": seconds or
    None}`` (None: until a person resumes) and ``{"analysis": [template names]}``."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "Rollout")
    steps = []
    for step in manifest["spec"]["strategy"]["canary"]["steps"]:
        if "setWeight" in step:
            steps.append({"setWeight": step["setWeight"]})
        elif "pause" in step:
            duration = (step["pause"] or {}).get("duration")
            steps.append({"pause": None if duration is None else duration_seconds(duration)})
        elif "analysis" in step:
            steps.append({"analysis": [t["templateName"] for t in step["analysis"]["templates"]]})
        else:
            steps.append(dict(step))  # run_canary names it as unknown
    return steps


def analysis_metrics(manifest: dict | str | Path = "analysis-template.yaml") -> list[MetricSpec]:
    """The metrics of an ``AnalysisTemplate`` as ``MetricSpec`` (conditions, count, interval, initialDelay and
    limits)."""
    manifest = manifest if isinstance(manifest, dict) else load_manifest(manifest)
    _expect_kind(manifest, "AnalysisTemplate")
    return [
        MetricSpec(
            name=m["name"],
            success_condition=m.get("successCondition"),
            failure_condition=m.get("failureCondition"),
            count=m.get("count"),
            interval=m.get("interval"),
            initial_delay=m.get("initialDelay"),
            failure_limit=m.get("failureLimit", 0),
            inconclusive_limit=m.get("inconclusiveLimit", 0),
            consecutive_error_limit=m.get("consecutiveErrorLimit", 4),
        )
        for m in manifest["spec"]["metrics"]
    ]
