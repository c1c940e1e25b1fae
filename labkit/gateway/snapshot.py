"""A deployed stage, read once from the control plane and compiled for the hot path.

The deployment's definition (resources, methods, integrations, gateway responses) is a snapshot
taken when it was deployed; the stage's own settings (variables, method settings) are live.
https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html

A stage with a canary is two snapshots: the stage's own and the canary's (the canary deployment, the
stage variables with the canary's overrides). The route step sends `percentTraffic` of the requests
to the second. https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .router import Router


def method_setting_key(resource_path: str, http_method: str) -> str:
    """The methodSettings key AWS uses: `~1pets~1{id}/GET` (a `/` in the path becomes `~1`)."""
    return f"{resource_path.replace('/', '~1')}/{http_method}"


@dataclass
class Deployment:
    """One deployment's definition, compiled: the router and the API-wide settings."""

    deployment_id: str
    definition: dict[str, Any]
    router: Router = field(init=False)
    gateway_responses: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.router = Router(self.definition.get("resources") or [])
        self.gateway_responses = {
            r["responseType"]: r for r in self.definition.get("gatewayResponses") or [] if r.get("responseType")
        }

    @property
    def rest_api(self) -> dict[str, Any]:
        return self.definition.get("restApi") or {}

    @property
    def api_key_source(self) -> str:
        return self.rest_api.get("apiKeySource") or "HEADER"

    @property
    def binary_media_types(self) -> list[str]:
        return list(self.rest_api.get("binaryMediaTypes") or [])

    @property
    def endpoint_types(self) -> list[str]:
        return list((self.rest_api.get("endpointConfiguration") or {}).get("types") or ["EDGE"])


@dataclass
class StageSnapshot:
    """What the gateway serves for `{api_id}/{stage}`: a deployment plus the stage's settings."""

    api_id: str
    stage_name: str
    deployment: Deployment
    stage: dict[str, Any]
    _settings: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)
    plans: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)  # plans.RoutePlan by (resource id, method)
    canary: StageSnapshot | None = None  # the canary's snapshot, when the stage has canarySettings
    is_canary: bool = False  # this snapshot serves the canary's requests ($context.isCanaryRequest)

    @property
    def canary_percent(self) -> float:
        """`canarySettings.percentTraffic`: the share (0–100) of requests the canary answers."""
        return float((self.stage.get("canarySettings") or {}).get("percentTraffic") or 0.0) if self.canary else 0.0

    @property
    def use_stage_cache(self) -> bool:
        """Whether this snapshot's requests use the stage cache: the canary's only with `useStageCache`."""
        return not self.is_canary or bool((self.stage.get("canarySettings") or {}).get("useStageCache"))

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.stage.get("variables") or {})

    @property
    def deployment_id(self) -> str:
        return self.deployment.deployment_id

    def method_settings(self, resource_path: str, http_method: str) -> dict[str, Any]:
        """Stage-wide `*/*` settings overlaid with the method's own, as AWS applies them (computed once
        per method: a changed stage is a new snapshot). Callers must not modify the result."""
        key = (resource_path, http_method)
        found = self._settings.get(key)
        if found is None:
            found = self._settings[key] = self._merge_settings(resource_path, http_method)
        return found

    def own_method_setting(self, resource_path: str, http_method: str) -> dict[str, Any]:
        """The method's own methodSettings entry, without `*/*` ({} when it has none)."""
        settings = self.stage.get("methodSettings") or {}
        # `~1pets/GET` is the escaped form; a patch path written `/pets/GET/...` stores `pets/GET`.
        return settings.get(method_setting_key(resource_path, http_method)) or \
            settings.get(f"{resource_path.lstrip('/')}/{http_method}") or {}

    def _merge_settings(self, resource_path: str, http_method: str) -> dict[str, Any]:
        merged = dict((self.stage.get("methodSettings") or {}).get("*/*") or {})
        merged.update(self.own_method_setting(resource_path, http_method))
        return merged


def canary_stage(stage: dict[str, Any]) -> dict[str, Any]:
    """The stage as the canary's requests see it: the canary's deployment (the stage's own when the
    canary names none, as AWS records it) and the stage variables with `stageVariableOverrides` on top
    (an override may add a variable the stage lacks).
    test_apigateway_canary.snapshot.json::tests/aws/services/apigateway/test_apigateway_canary.py::
    TestCanaryDeployments::test_invoking_canary_deployment ("response-canary-deployment");
    TestStageCrudCanary::test_update_stage_with_copy_ops ("update-stage-with-copy")."""
    canary = stage.get("canarySettings") or {}
    return {**stage, "deploymentId": canary.get("deploymentId") or stage.get("deploymentId"),
            "variables": {**(stage.get("variables") or {}), **(canary.get("stageVariableOverrides") or {})}}
