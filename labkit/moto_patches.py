"""Completes moto 5.2's API Gateway (REST, v1) backend in-process so plain boto3 calls behave as AWS documents.

Apply with `install()` (idempotent). It patches moto's classes and its URL table, so it works for
`mock_aws()` and for a `ThreadedMotoServer` in the same process (install before the server's first
API Gateway request, when moto builds its routing table).

Extensions:

1. Deployments are snapshots: `create_deployment` captures the API definition (`capture_definition`),
   readable later with `deployment_definition`; `live_definition` captures the current one.
   Listeners (`add_listener`) hear "deployment", "stage", "usage" (API keys and usage plans) and
   "api-deleted" events; `generation()`
   counts them so cached compiled stages know they are stale.
2. Redeploying to an existing stage only repoints it (and merges `variables`); moto used to wipe
   its methodSettings, variables, tracing, access logs and tags.
3. moto's own execute-api callbacks are switched off (`update_integration_mocks` is a no-op);
   the kit's gateway answers execute-api URLs.
4. `put_integration` stores `cacheKeyParameters`; `cacheNamespace` defaults to the resource id.
5. `canarySettings` on create_stage, update_stage (`/canarySettings/...`, promotion `copy` ops)
   and create_deployment are stored and returned.
6. `update_stage` replace `/deploymentId` (or `/canarySettings/deploymentId`) with an unknown
   deployment → BadRequestException "Deployment id does not exist".
7. New operations: FlushStageCache and FlushStageAuthorizersCache (call hooks registered with
   `add_flush_hook` / `add_authorizer_flush_hook`), GetUsage (from the ledger fed by
   `record_usage`), TestInvokeMethod (delegates to `set_test_invoke_handler`, else
   `labkit.gateway.test_invoke.handle`).
8. `create_resource`: a duplicate sibling pathPart → ConflictException, a bad parentId →
   NotFoundException with nothing created; `delete_resource` also deletes the child resources
   (moto orphaned them, which broke every later get_resources / create_deployment).
9. `update_usage_plan`: removing an API stage by `apiId:stage`, per-method throttles under
   `/apiStages/{apiId}:{stage}/throttle/...`, fractional rate limits.
10. A new methodSettings entry gets AWS's recorded defaults (10,000/5,000 throttling, no
    cachingEnabled), or a copy of `*/*` for a per-method key.
11. CloudWatch GetMetricStatistics matches dimension sets exactly (AWS/ApiGateway publishes the
    same metric under several sets).
12. `create_authorizer` keeps `identityValidationExpression`.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import json
import re
import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway import models as _models
from moto.apigateway import responses as _responses
from moto.apigateway import urls as _urls
from moto.cloudwatch import models as _cloudwatch
from moto.apigateway.exceptions import BadRequestException, ConflictException, NotFoundException, ValidationException

__all__ = [
    "install",
    "capture_definition",
    "deployment_definition",
    "live_definition",
    "add_listener",
    "remove_listener",
    "generation",
    "add_flush_hook",
    "remove_flush_hook",
    "add_authorizer_flush_hook",
    "remove_authorizer_flush_hook",
    "record_usage",
    "set_test_invoke_handler",
]

log = logging.getLogger(__name__)

Listener = Callable[[str, str, str, str, "str | None"], None]
FlushHook = Callable[[str, str, str, str], None]
TestInvokeHandler = Callable[[str, str, str, str, str, dict], dict]

_lock = threading.RLock()
_generation = 0
_listeners: list[Listener] = []
_flush_hooks: list[FlushHook] = []
_authorizer_flush_hooks: list[FlushHook] = []
_test_invoke_handler: TestInvokeHandler | None = None

_SNAPSHOT_ATTR = "_labkit_definition"  # on moto's Deployment: the snapshot lives and dies with it
_CANARY_ATTR = "_labkit_canary"  # on moto's Stage
_USAGE_ATTR = "_labkit_usage"  # on moto's UsagePlan: {key_id: {"YYYY-MM-DD": count}}
_PATCHED = "_labkit_patch"


class _NotFound(NotFoundException):
    code = 404


# --------------------------------------------------------------------------------------------
# 1. Snapshots, listeners, generation
# --------------------------------------------------------------------------------------------


def capture_definition(rest_api: Any) -> dict[str, Any]:
    """The API definition of a moto `RestAPI` as boto3-shaped, deep-copied JSON data."""
    resources = []
    for resource in rest_api.resources.values():
        item = resource.to_dict()
        item.setdefault("parentId", None)
        item.setdefault("pathPart", None)
        item.setdefault("resourceMethods", {})
        resources.append(item)
    definition = {
        "restApi": rest_api.to_dict(),
        "resources": resources,
        "authorizers": [a.to_json() for a in rest_api.authorizers.values()],
        "gatewayResponses": [g.to_json() for g in rest_api.gateway_responses.values()],
        "models": [m.to_json() for m in rest_api.models.values()],
        "requestValidators": [v.to_dict() for v in rest_api.request_validators.values()],
    }
    return json.loads(json.dumps(definition))


def _backend(account_id: str, region_name: str) -> Any:
    return _models.apigateway_backends[account_id][region_name]


def deployment_definition(account_id: str, region_name: str, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    """The definition captured when the deployment was created (None if unknown or made before install)."""
    api = _backend(account_id, region_name).apis.get(api_id)
    deployment = api.deployments.get(deployment_id) if api is not None else None
    snapshot = getattr(deployment, _SNAPSHOT_ATTR, None)
    return copy.deepcopy(snapshot) if snapshot is not None else None


def live_definition(account_id: str, region_name: str, api_id: str) -> dict[str, Any]:
    """The API's definition right now (for test-invoke, which runs undeployed changes)."""
    return capture_definition(_backend(account_id, region_name).get_rest_api(api_id))


def add_listener(fn: Listener) -> None:
    """Call fn(event, account_id, region_name, api_id, stage_name_or_None) after deployment/stage/api-deleted changes."""
    with _lock:
        if fn not in _listeners:
            _listeners.append(fn)


def remove_listener(fn: Listener) -> None:
    """Stop calling a listener added with `add_listener`."""
    with _lock:
        if fn in _listeners:
            _listeners.remove(fn)


def generation() -> int:
    """A counter bumped on every deployment/stage/api-deleted event: compiled stages older than it are stale."""
    return _generation


def _notify(event: str, account_id: str, region_name: str, api_id: str, stage_name: str | None) -> None:
    global _generation
    with _lock:
        _generation += 1
        listeners = list(_listeners)
    for fn in listeners:
        try:
            fn(event, account_id, region_name, api_id, stage_name)
        except Exception:  # a listener bug must not fail the control-plane call that already happened
            log.exception("labkit moto_patches listener %r failed on %s", fn, event)


# --------------------------------------------------------------------------------------------
# 7. Hook registration and the usage ledger
# --------------------------------------------------------------------------------------------


def add_flush_hook(fn: FlushHook) -> None:
    """Call fn(account_id, region_name, api_id, stage_name) on FlushStageCache."""
    with _lock:
        if fn not in _flush_hooks:
            _flush_hooks.append(fn)


def remove_flush_hook(fn: FlushHook) -> None:
    """Forget a hook added with `add_flush_hook`."""
    with _lock:
        if fn in _flush_hooks:
            _flush_hooks.remove(fn)


def add_authorizer_flush_hook(fn: FlushHook) -> None:
    """Call fn(account_id, region_name, api_id, stage_name) on FlushStageAuthorizersCache."""
    with _lock:
        if fn not in _authorizer_flush_hooks:
            _authorizer_flush_hooks.append(fn)


def remove_authorizer_flush_hook(fn: FlushHook) -> None:
    """Forget a hook added with `add_authorizer_flush_hook`."""
    with _lock:
        if fn in _authorizer_flush_hooks:
            _authorizer_flush_hooks.remove(fn)


def set_test_invoke_handler(fn: TestInvokeHandler | None) -> None:
    """Answer TestInvokeMethod with fn(account, region, api_id, resource_id, http_method, request) (None: the default)."""
    global _test_invoke_handler
    _test_invoke_handler = fn


def record_usage(account_id: str, region_name: str, usage_plan_id: str, key_id: str, day: str, count: int = 1) -> int:
    """Add `count` requests by `key_id` on `day` (YYYY-MM-DD) to a usage plan's ledger; returns the day's total.

    The ledger lives on moto's UsagePlan object, so a moto reset or deleting the plan clears it;
    an unknown plan raises moto's NotFoundException.
    """
    _dt.date.fromisoformat(day)
    plan = _backend(account_id, region_name).get_usage_plan(usage_plan_id)
    with _lock:
        ledger = plan.__dict__.setdefault(_USAGE_ATTR, {})
        per_day = ledger.setdefault(key_id, {})
        per_day[day] = per_day.get(day, 0) + count
        return per_day[day]


def _period_start(day: _dt.date, period: str) -> _dt.date:
    # Simplification: WEEK = ISO week (Monday, UTC), MONTH = calendar month. AWS does not document
    # where its periods start, and the quota `offset` (first period only) is ignored.
    if period == "WEEK":
        return day - _dt.timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    return day


def _usage_rows(plan: Any, per_day: dict[str, int], start: _dt.date, end: _dt.date) -> list[list[int | None]]:
    quota = plan.quota or {}
    limit = quota.get("limit")
    period = str(quota.get("period") or "DAY").upper()
    rows: list[list[int | None]] = []
    day = start
    while day <= end:
        used = per_day.get(day.isoformat(), 0)
        remaining: int | None = None  # no quota on the plan: nothing to count down from
        if limit is not None:
            first = _period_start(day, period)
            in_period = sum(
                per_day.get((first + _dt.timedelta(days=i)).isoformat(), 0) for i in range((day - first).days + 1)
            )
            remaining = max(int(limit) - in_period, 0)
        rows.append([used, remaining])
        day += _dt.timedelta(days=1)
    return rows


# --------------------------------------------------------------------------------------------
# Patches on moto's models (RestAPI, Stage) and backend
# --------------------------------------------------------------------------------------------


def _patch_create_deployment(original: Callable[..., Any]) -> Callable[..., Any]:
    """Snapshot the API at deploy time, and keep an existing stage's settings on redeploy.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
    https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html
    """

    @functools.wraps(original)
    def create_deployment(self: Any, name: str, description: str, stage_variables: Any = None) -> Any:
        existing = self.stages.get(name) if name else None
        deployment = original(self, name, description, stage_variables)
        if existing is not None:
            # AWS only repoints the stage and merges the given variables (moto built a new Stage).
            existing.deployment_id = deployment.id
            existing.variables.update(stage_variables or {})
            self.stages[name] = existing
        setattr(deployment, _SNAPSHOT_ATTR, capture_definition(self))
        _notify("deployment", self.account_id, self.region_name, self.id, name or None)
        return deployment

    return create_deployment


def _noop_update_integration_mocks(self: Any, stage_name: str) -> None:
    """No moto execute-api callbacks: the kit's own gateway answers execute-api URLs."""


def _patch_stage_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """Return canarySettings on the Stage. https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html"""

    @functools.wraps(original)
    def to_json(self: Any) -> dict[str, Any]:
        dct = original(self)
        canary = getattr(self, _CANARY_ATTR, None)
        if canary is not None:
            dct["canarySettings"] = canary
        return dct

    return to_json


def _canary_from_request(value: dict[str, Any], deployment_id: str | None = None) -> dict[str, Any]:
    canary = {
        "percentTraffic": float(value.get("percentTraffic") or 0.0),
        "useStageCache": bool(value.get("useStageCache", False)),
        "stageVariableOverrides": dict(value.get("stageVariableOverrides") or {}),
    }
    if deployment_id or value.get("deploymentId"):
        canary["deploymentId"] = deployment_id or value.get("deploymentId")
    return canary


def _str2bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _patch_stage_apply_operations(original: Callable[..., Any]) -> Callable[..., Any]:
    """Handle `/canarySettings/...` patches and the canary promotion `copy` ops moto ignores.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html
    https://docs.aws.amazon.com/apigateway/latest/developerguide/promote-canary-deployment.html
    """

    @functools.wraps(original)
    def apply_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        for op in patch_operations:
            path, kind = op.get("path", ""), op.get("op")
            canary = getattr(self, _CANARY_ATTR, None)
            if kind == "copy":
                source = op.get("from", "")
                if canary is None:
                    raise BadRequestException("Promotion not available. Canary does not exist.")
                if path == "/deploymentId" and source == "/canarySettings/deploymentId":
                    self.deployment_id = canary.get("deploymentId")
                elif path == "/variables" and source == "/canarySettings/stageVariableOverrides":
                    self.variables.update(canary.get("stageVariableOverrides") or {})
                else:
                    raise BadRequestException(f"Invalid copy operation from {source} to {path}")
            elif kind == "remove" and re.fullmatch(r"/[^/]+/[^/]+", path) and not path.startswith("/variables/"):
                # Removing a method setting: `/*/*` or `/~1pets/GET` (recorded AWS error when it is absent).
                # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
                key = path[1:]
                if key not in self.method_settings:
                    raise BadRequestException(f"Cannot remove method setting {key} because there is no method "
                                              "setting for this method ")
                del self.method_settings[key]
            elif path == "/canarySettings":
                if kind != "remove":
                    raise BadRequestException(f"Invalid patch path {path}")
                setattr(self, _CANARY_ATTR, None)
            elif path.startswith("/canarySettings/"):
                canary = canary if canary is not None else _canary_from_request({})
                field = path[len("/canarySettings/") :]
                if field.startswith("stageVariableOverrides/"):
                    var = field[len("stageVariableOverrides/") :]
                    if kind == "remove":
                        canary["stageVariableOverrides"].pop(var, None)
                    else:
                        canary["stageVariableOverrides"][var] = op.get("value")
                elif field == "percentTraffic":
                    canary["percentTraffic"] = float(op.get("value"))
                elif field == "useStageCache":
                    canary["useStageCache"] = _str2bool(op.get("value"))
                elif field == "deploymentId":
                    canary["deploymentId"] = op.get("value")
                else:
                    raise BadRequestException(f"Invalid patch path {path}")
                setattr(self, _CANARY_ATTR, canary)
            else:
                original(self, [op])
        return self

    return apply_operations


def _patch_backend_update_stage(original: Callable[..., Any]) -> Callable[..., Any]:
    """Reject a stage pointed at an unknown deployment, then notify listeners.

    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
    """

    @functools.wraps(original)
    def update_stage(self: Any, function_id: str, stage_name: str, patch_operations: Any) -> Any:
        api = self.get_rest_api(function_id)
        self.get_stage(function_id, stage_name)  # an unknown stage is a NotFoundException first
        _validate_cache_settings(patch_operations or [])
        for op in patch_operations or []:
            if op.get("op") == "replace" and op.get("path") in ("/deploymentId", "/canarySettings/deploymentId"):
                if op.get("value") not in api.deployments:
                    # Wording from the kit's brief (LocalStack uses it too); not found in the AWS docs
                    # or in the recorded AWS responses of shared/reference, so treat it as unconfirmed.
                    raise BadRequestException("Deployment id does not exist")
        stage = original(self, function_id, stage_name, patch_operations)
        _notify("stage", self.account_id, self.region_name, function_id, stage_name)
        return stage

    return update_stage


CACHE_CLUSTER_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


def _check_cache_size(value: Any, where: str) -> None:
    """The sizes AWS offers (GB); the message follows AWS's enum-validation form.
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"""
    if value is not None and str(value) not in CACHE_CLUSTER_SIZES:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(CACHE_CLUSTER_SIZES)}]")


def _validate_cache_settings(patch_operations: list[dict[str, Any]]) -> None:
    """Cache size among AWS's sizes; TTL 0–3600 s (the wording of the TTL error is the kit's: AWS's
    is not recorded). https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""
    for op in patch_operations:
        path, value = op.get("path", ""), op.get("value")
        if op.get("op") not in ("replace", "add"):
            continue
        if path == "/cacheClusterSize":
            _check_cache_size(value, "updateStageInput.cacheClusterSize")
        elif path.endswith("/caching/ttlInSeconds"):
            try:
                ttl = int(str(value))
            except ValueError:
                ttl = -1
            if not 0 <= ttl <= 3600:
                raise BadRequestException(f"Invalid cache ttl specified: {value}. The cache TTL must be between "
                                          "0 and 3600 seconds.")


def _patch_backend_stage_event(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners after create_stage / delete_stage."""

    @functools.wraps(original)
    def wrapper(self: Any, function_id: str, stage_name: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, function_id, stage_name, *args, **kwargs)
        _notify("stage", self.account_id, self.region_name, function_id, stage_name)
        return result

    return wrapper


def _patch_backend_usage_event(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners ("usage") after an API key, usage plan or plan key changes, so the gateway
    re-reads who may call what with no polling."""

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        _notify("usage", self.account_id, self.region_name, "", None)
        return result

    return wrapper


def _patch_usage_plan_apply_patch_operations(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateUsagePlan as AWS documents it: remove `/apiStages` by apiId:stage even when the stage
    carries method throttles, per-method throttles under `/apiStages/{apiId}:{stage}/throttle/...`,
    and a fractional `/throttle/rateLimit` (moto compared whole dicts, ignored method throttles and
    cast the rate to int). https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsagePlan.html"""

    @functools.wraps(original)
    def wrapper(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        rest = []
        for op in patch_operations:
            path, kind = op.get("path", ""), op.get("op")
            if path == "/apiStages" and kind == "remove":
                api_id, _, stage = str(op.get("value", "")).partition(":")
                self.api_stages[:] = [s for s in self.api_stages
                                      if (s.get("apiId"), s.get("stage")) != (api_id, stage)]
            elif path.startswith("/apiStages/") and "/throttle" in path:
                head, _, method_path = path[len("/apiStages/"):].partition("/throttle")
                api_id, _, stage = head.partition(":")
                entry = next((s for s in self.api_stages if (s.get("apiId"), s.get("stage")) == (api_id, stage)), None)
                if entry is None:
                    raise NotFoundException(f"Invalid API stage {head} specified")
                throttle = entry.setdefault("throttle", {})
                parts = method_path.strip("/").split("/")
                field_name = parts[-1] if parts[-1] in ("rateLimit", "burstLimit") else None
                key = "/".join(parts[:-1] if field_name else parts).replace("~1", "/")
                key = key if key.startswith("/") else "/" + key  # "/pets/GET"; the root is "//GET"
                if kind == "remove" and field_name is None:
                    throttle.pop(key, None)
                elif field_name:
                    settings = throttle.setdefault(key, {})
                    if kind == "remove":
                        settings.pop(field_name, None)
                    else:
                        value = op.get("value")
                        settings[field_name] = float(value) if field_name == "rateLimit" else int(value)
            elif path == "/throttle/rateLimit" and kind in ("add", "replace"):
                self.throttle["rateLimit"] = float(op["value"])
            else:
                rest.append(op)
        return original(self, rest)

    return wrapper


# What AWS stores when a method-settings entry is first created by patching one field (recorded on
# AWS: reference section 1, fact 11); moto used 1000/2000 and cachingEnabled False.
AWS_METHOD_SETTING_DEFAULTS: dict[str, Any] = {
    "throttlingRateLimit": 10000.0,
    "throttlingBurstLimit": 5000,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    "metricsEnabled": False,
    "dataTraceEnabled": False,
}


def _patch_stage_method_setting(original: Callable[..., Any]) -> Callable[..., Any]:
    """A new methodSettings entry starts from AWS's defaults, or from `*/*` for a per-method key.
    https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html"""

    @functools.wraps(original)
    def wrapper(self: Any, resource_path_and_method: str, key: str, value: str) -> Any:
        if resource_path_and_method not in self.method_settings and self._method_settings_translations(key):
            base = self.method_settings.get("*/*") if resource_path_and_method != "*/*" else None
            self.method_settings[resource_path_and_method] = dict(base or AWS_METHOD_SETTING_DEFAULTS)
        return original(self, resource_path_and_method, key, value)

    return wrapper


def _patch_backend_delete_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners after delete_rest_api (its snapshots go with its Deployment objects)."""

    @functools.wraps(original)
    def delete_rest_api(self: Any, function_id: str) -> Any:
        result = original(self, function_id)
        _notify("api-deleted", self.account_id, self.region_name, function_id, None)
        return result

    return delete_rest_api


def _patch_backend_create_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    """Reject a duplicate sibling (409) or an unknown parent (404) before moto adds the resource.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
    """

    @functools.wraps(original)
    def create_resource(self: Any, function_id: str, parent_resource_id: str, path_part: str) -> Any:
        api = self.get_rest_api(function_id)
        if path_part:
            if parent_resource_id not in api.resources:
                raise _NotFound("Invalid Resource identifier specified")
            for resource in api.resources.values():
                if resource.parent_id == parent_resource_id and resource.path_part == path_part:
                    raise ConflictException(f"Another resource with the same parent already has this name: {path_part}")
        return original(self, function_id, parent_resource_id, path_part)

    return create_resource


def _patch_backend_delete_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    """Delete a resource's descendants with it, so no orphan breaks the API (moto left them).

    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteResource.html
    """

    @functools.wraps(original)
    def delete_resource(self: Any, function_id: str, resource_id: str) -> Any:
        api = self.get_rest_api(function_id)
        if resource_id not in api.resources:
            raise _NotFound("Invalid Resource identifier specified")
        doomed, frontier = set(), {resource_id}
        while frontier:
            doomed |= frontier
            frontier = {r.id for r in api.resources.values() if r.parent_id in frontier} - doomed
        for rid in doomed - {resource_id}:
            api.resources.pop(rid, None)
        return original(self, function_id, resource_id)

    return delete_resource


# --------------------------------------------------------------------------------------------
# Patches on moto's APIGatewayResponse (request parsing moto skips, and new operations)
# --------------------------------------------------------------------------------------------


def _path_parts(response: Any) -> list[str]:
    return [unquote(p) for p in response.path.split("/")]


def _patch_put_integration(original: Callable[..., Any]) -> Callable[..., Any]:
    """Store cacheKeyParameters; cacheNamespace defaults to the resource id.

    https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
    https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html
    """

    @functools.wraps(original)
    def put_integration(self: Any) -> Any:
        original(self)
        parts = _path_parts(self)
        api_id, resource_id, method = parts[2], parts[4], parts[6]
        integration = self.backend.get_integration(api_id, resource_id, method)
        cache_key_parameters = self._get_param("cacheKeyParameters")
        if cache_key_parameters is not None:
            integration.cache_key_parameters = list(cache_key_parameters)
        if not integration.cache_namespace:
            integration.cache_namespace = resource_id
        return 201, {"status": 201}, json.dumps(integration.to_json())

    return put_integration


def _patch_create_stage_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """Store canarySettings given to CreateStage. https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"""

    @functools.wraps(original)
    def create_stage(self: Any) -> Any:
        _check_cache_size(self._get_param("cacheClusterSize"), "createStageInput.cacheClusterSize")
        result = original(self)
        canary = self._get_param("canarySettings")
        if canary is None:
            return result
        api_id, stage_name = _path_parts(self)[2], self._get_param("stageName")
        stage = self.backend.get_stage(api_id, stage_name)
        setattr(stage, _CANARY_ATTR, _canary_from_request(canary))
        _notify("stage", self.current_account, self.region, api_id, stage_name)
        return 201, {"status": 201}, json.dumps(stage.to_json())

    return create_stage


def _patch_create_deployment_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """A canary deployment becomes the stage's canary; the stage keeps its deploymentId.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
    https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
    """

    @functools.wraps(original)
    def create_deployment(self: Any) -> Any:
        canary = self._get_param("canarySettings")
        if canary is None:
            return original(self)
        api_id = _path_parts(self)[2]
        stage_name = self._get_param("stageName")
        # Error wording recorded from AWS (reference section 6, item 12).
        if not stage_name:
            raise BadRequestException(
                "Invalid deployment content specified.Non null and non empty stageName must be provided "
                "for canary deployment. Provided value is null"
            )
        api = self.backend.get_rest_api(api_id)
        if stage_name not in api.stages:
            raise BadRequestException(
                f"Invalid deployment content specified.Stage {stage_name} must already be created "
                "before making a canary release deployment"
            )
        deployment = self.backend.create_deployment(api_id, None, self._get_param("description") or "")
        deployment.stage_name = stage_name
        stage = api.stages[stage_name]
        setattr(stage, _CANARY_ATTR, _canary_from_request(canary, deployment.id))
        _notify("stage", self.current_account, self.region, api_id, stage_name)
        return 201, {"status": 201}, json.dumps(deployment.to_json())

    return create_deployment


def flush_stage_cache(self: Any) -> Any:
    """FlushStageCache: 202 after the flush hooks ran. https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageCache.html"""
    return _flush(self, _flush_hooks)


def flush_stage_authorizers_cache(self: Any) -> Any:
    """FlushStageAuthorizersCache: 202 after the hooks ran. https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html"""
    return _flush(self, _authorizer_flush_hooks)


def _flush(response: Any, hooks: list[FlushHook]) -> Any:
    parts = _path_parts(response)
    api_id, stage_name = parts[2], parts[4]
    response.backend.get_stage(api_id, stage_name)  # NotFoundException for an unknown API or stage
    with _lock:
        to_call = list(hooks)
    for hook in to_call:
        hook(response.current_account, response.region, api_id, stage_name)
    return 202, {"status": 202}, ""


def get_usage(self: Any) -> Any:
    """GetUsage: per-key daily [used, remaining] from the ledger. https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html"""
    plan_id = _path_parts(self)[2]
    plan = self.backend.get_usage_plan(plan_id)  # NotFoundException "Invalid Usage Plan ID specified"
    query = {k: v[0] for k, v in self.querystring.items() if v}
    start_text, end_text = query.get("startDate"), query.get("endDate")
    # botocore already requires both dates; the server-side wording below is the kit's (AWS's is not documented).
    if not start_text or not end_text:
        raise BadRequestException("The startDate and endDate parameters are required")
    try:
        start, end = _dt.date.fromisoformat(start_text), _dt.date.fromisoformat(end_text)
    except ValueError:
        raise BadRequestException("Invalid date format: startDate and endDate must be YYYY-MM-DD") from None
    if end < start:
        raise BadRequestException("The endDate must not be before the startDate")

    ledger: dict[str, dict[str, int]] = getattr(plan, _USAGE_ATTR, {})
    plan_keys = list(self.backend.usage_plan_keys.get(plan_id, {}))
    key_ids = plan_keys + [k for k in ledger if k not in plan_keys]
    if query.get("keyId"):
        key_ids = [k for k in key_ids if k == query["keyId"]]
    if query.get("limit"):
        key_ids = key_ids[: int(query["limit"])]  # simplification: one page, no `position`
    with _lock:
        items = {k: _usage_rows(plan, dict(ledger.get(k, {})), start, end) for k in key_ids}
    # On the wire AWS names the map "values"; boto3 exposes it as "items".
    body = {"usagePlanId": plan_id, "startDate": start_text, "endDate": end_text, "values": items}
    return 200, {"status": 200}, json.dumps(body)


def test_invoke_method(self: Any) -> Any:
    """TestInvokeMethod via the pluggable handler. https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html"""
    parts = _path_parts(self)
    api_id, resource_id, http_method = parts[2], parts[4], parts[6]
    self.backend.get_method(api_id, resource_id, http_method)  # NotFoundException for unknown API/resource/method
    request = json.loads(self.body) if self.body else {}
    handler = _test_invoke_handler
    if handler is None:
        from labkit.gateway.test_invoke import handle as handler  # written by the gateway; imported lazily
    result = handler(self.current_account, self.region, api_id, resource_id, http_method, request)
    return 200, {"status": 200}, json.dumps(result)


# AWS paths of the new operations (botocore's model resolves the action from method + URI).
_NEW_URL_PATHS = {
    "{0}/restapis/(?P<function_id>[^/]+)/stages/(?P<stage_name>[^/]+)/cache/data/?$": _responses.APIGatewayResponse.dispatch,
    "{0}/restapis/(?P<function_id>[^/]+)/stages/(?P<stage_name>[^/]+)/cache/authorizers/?$": _responses.APIGatewayResponse.dispatch,
    "{0}/usageplans/(?P<usage_plan_id>[^/]+)/usage/?$": _responses.APIGatewayResponse.dispatch,
}


def _mark(fn: Callable[..., Any]) -> Callable[..., Any]:
    setattr(fn, _PATCHED, True)
    return fn


def _patch_cloudwatch_get_metric_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetMetricStatistics matches the dimension set exactly, as CloudWatch does (moto matched any
    superset, so stage-level numbers included the per-method ones).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html"""

    @functools.wraps(original)
    def wrapper(self: Any, namespace: str, metric_name: str, start_time: Any, end_time: Any, period: int,
                stats: list[str], dimensions: list[dict[str, str]], unit: str | None = None) -> Any:
        wanted = {(d["Name"], d.get("Value")) for d in dimensions or []}
        everything = type(self).get_all_metrics(self)
        exact = [m for m in everything if {(d.name, d.value) for d in m.dimensions} == wanted]
        with _lock:
            self.get_all_metrics = lambda: exact
            try:
                return original(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)
            finally:
                del self.get_all_metrics

    return wrapper


def _patch_authorizer_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateAuthorizer keeps `identityValidationExpression` (moto misspelt the keyword on the way in).
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html"""

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        if "identiy_validation_expression" in kwargs:
            kwargs.setdefault("identity_validation_expression", kwargs.pop("identiy_validation_expression"))
        original(self, *args, **kwargs)

    return wrapper


def install() -> None:
    """Apply every extension to moto's API Gateway backend (idempotent, process-wide)."""
    backend_cls, rest_api_cls, stage_cls = _models.APIGatewayBackend, _models.RestAPI, _models.Stage
    response_cls = _responses.APIGatewayResponse
    wraps: list[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
        (rest_api_cls, "create_deployment", _patch_create_deployment),
        (rest_api_cls, "update_integration_mocks", lambda _orig: _noop_update_integration_mocks),
        (stage_cls, "to_json", _patch_stage_to_json),
        (stage_cls, "apply_operations", _patch_stage_apply_operations),
        (stage_cls, "_patch_method_setting", _patch_stage_method_setting),
        (backend_cls, "update_stage", _patch_backend_update_stage),
        (backend_cls, "create_stage", _patch_backend_stage_event),
        (backend_cls, "delete_stage", _patch_backend_stage_event),
        (backend_cls, "delete_rest_api", _patch_backend_delete_rest_api),
        *[(backend_cls, name, _patch_backend_usage_event) for name in (
            "create_api_key", "update_api_key", "delete_api_key", "create_usage_plan", "update_usage_plan",
            "delete_usage_plan", "create_usage_plan_key", "delete_usage_plan_key")],
        (backend_cls, "create_resource", _patch_backend_create_resource),
        (backend_cls, "delete_resource", _patch_backend_delete_resource),
        (response_cls, "put_integration", _patch_put_integration),
        (_models.UsagePlan, "apply_patch_operations", _patch_usage_plan_apply_patch_operations),
        (_models.Authorizer, "__init__", _patch_authorizer_init),
        (_cloudwatch.CloudWatchBackend, "get_metric_statistics", _patch_cloudwatch_get_metric_statistics),
        (response_cls, "create_stage", _patch_create_stage_response),
        (response_cls, "create_deployment", _patch_create_deployment_response),
    ]
    with _lock:
        for owner, name, make in wraps:
            current = owner.__dict__[name]
            if not getattr(current, _PATCHED, False):
                setattr(owner, name, _mark(make(current)))
        for fn in (flush_stage_cache, flush_stage_authorizers_cache, get_usage, test_invoke_method):
            if not hasattr(response_cls, fn.__name__):
                setattr(response_cls, fn.__name__, fn)
        for pattern, handler in _NEW_URL_PATHS.items():
            _urls.url_paths.setdefault(pattern, handler)
