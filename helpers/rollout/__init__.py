"""Safe updates without a cluster: Kubernetes RollingUpdate, Argo Rollouts analysis and canaries, Flagger.

Each function decides what the real controller decides, read from its source:

* ``resolve_fenceposts`` and ``simulate_rolling_update`` (``kubernetes.py``): kubernetes/kubernetes
  ``pkg/controller/deployment/rolling.go`` (``rolloutRolling``, ``reconcileNewReplicaSet``,
  ``reconcileOldReplicaSets``, ``cleanupUnhealthyReplicas``, ``scaleDownOldReplicaSetsForRollingUpdate``) and
  ``util/deployment_util.go`` (``ResolveFenceposts``, ``NewRSNewReplicas``, ``MaxUnavailable``,
  ``DeploymentProgressing``, ``DeploymentTimedOut``), with the API server's validation of maxSurge / maxUnavailable.
* ``measurement_phase``, ``MetricRun`` and ``analysis_run`` (``analysis.py``): argoproj/argo-rollouts
  ``utils/evaluate/evaluate.go`` (``EvaluateResult``: NaN is evaluated, no series is an Error) and
  ``analysis/analysis.go`` (``runMeasurements`` counts, ``assessMetricStatus``): limits are compared *strictly
  greater than*.
* ``run_canary`` (``canary.py``): an Argo Rollouts canary, one handler per step kind (``setWeight`` / ``pause`` /
  ``analysis``); an AnalysisRun measures at once (or after ``initialDelay``), then every ``interval``; a Failed or
  Error analysis aborts (canary weight 0, the stable version serves everything), an Inconclusive one pauses.
* ``flagger_run`` (``flagger.py``): fluxcd/flagger ``pkg/controller/scheduler.go`` (``advanceCanary``,
  ``runCanary``): failed checks are counted cumulatively, a failed check holds the weight, rollback once failed
  checks >= threshold.

The manifests in ``deploy/`` hold the numbers (``manifests.py``: ``deployment_settings``, ``canary_steps``,
``analysis_metrics`` read them), so what the notebook simulates is what would be applied to a cluster. Import from
``helpers.rollout``.
"""

from helpers.rollout.analysis import (
    MEASUREMENT_PHASES,
    AnalysisResult,
    MetricRun,
    MetricSpec,
    analysis_run,
    measurement_phase,
)
from helpers.rollout.canary import CanaryResult, canary_traffic, run_canary
from helpers.rollout.flagger import FlaggerResult, flagger_run
from helpers.rollout.kubernetes import RollingUpdate, resolve_fenceposts, simulate_rolling_update
from helpers.rollout.manifests import (
    DEPLOY_DIR,
    analysis_metrics,
    as_yaml,
    canary_steps,
    deployment_settings,
    load_manifest,
)

__all__ = [
    "DEPLOY_DIR",
    "MEASUREMENT_PHASES",
    "AnalysisResult",
    "CanaryResult",
    "FlaggerResult",
    "MetricRun",
    "MetricSpec",
    "RollingUpdate",
    "analysis_metrics",
    "analysis_run",
    "as_yaml",
    "canary_steps",
    "canary_traffic",
    "deployment_settings",
    "flagger_run",
    "load_manifest",
    "measurement_phase",
    "resolve_fenceposts",
    "run_canary",
    "simulate_rolling_update",
]
