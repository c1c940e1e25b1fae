"""Patches on moto's models (RestAPI, Stage, UsagePlan, Authorizer) and backend: deployments,
stages (canary, cache settings, method settings), usage plans, resources and events for listeners."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException, ConflictException, NotFoundException, ValidationException

from labkit.gateway.cache import CACHE_CLUSTER_SIZES
from .shared import CANARY_ATTR, SNAPSHOT_ATTR, binder, uses
from .snapshots import notify_listeners, capture_definition


class _NotFound(NotFoundException):
    code = 404


# "For a private API, you can't deploy your API without a resource policy."
# https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
# No LocalStack recording has AWS's answer; the message is the one AWS returned to users (HTTP 400
# BadRequestException on CreateDeployment), quoted verbatim in
# https://github.com/cloudposse/terraform-aws-api-gateway/pull/25 and
# https://github.com/aws/serverless-application-model/issues/3764 (also hashicorp/terraform-provider-aws#14290).
PRIVATE_WITHOUT_POLICY = "Private REST API doesn't have a resource policy attached to it"


def _refuse_private_without_policy(rest_api: Any) -> None:
    """A PRIVATE API with no resource policy cannot be deployed (BadRequestException, nothing created)."""
    types = (rest_api.endpoint_configuration or {}).get("types") or []
    if "PRIVATE" in types and not str(rest_api.policy or "").strip():
        raise BadRequestException(PRIVATE_WITHOUT_POLICY)


@uses("name", "stage_variables")
def patch_create_deployment(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a PRIVATE API without a resource policy, snapshot the API at deploy time, and keep an
    existing stage's settings on redeploy.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
    https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html
    """

    bind = binder(original)

    @functools.wraps(original)
    def create_deployment(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        _refuse_private_without_policy(self)  # before moto makes the deployment (and the stage)
        name, stage_variables = call.arguments["name"], call.arguments["stage_variables"]
        existing = self.stages.get(name) if name else None
        deployment = original(*call.args, **call.kwargs)
        if existing is not None:
            # AWS only repoints the stage and merges the given variables (moto built a new Stage).
            existing.deployment_id = deployment.id
            existing.variables.update(stage_variables or {})
            self.stages[name] = existing
        setattr(deployment, SNAPSHOT_ATTR, capture_definition(self))
        notify_listeners("deployment", self.account_id, self.region_name, self.id, name or None)
        return deployment

    return create_deployment


@uses()
def patch_update_integration_mocks(original: Callable[..., Any]) -> Callable[..., Any]:
    """No moto execute-api callbacks: the kit's own gateway answers execute-api URLs."""

    @functools.wraps(original)
    def update_integration_mocks(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    return update_integration_mocks


@uses()
def patch_stage_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """Return canarySettings on the Stage. https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html"""

    @functools.wraps(original)
    def to_json(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        dct = original(self, *args, **kwargs)
        canary = getattr(self, CANARY_ATTR, None)
        if canary is not None:
            # No overrides: AWS leaves the key out (recorded: test_apigateway_canary.snapshot.json::
            # ...::test_update_stage_with_copy_ops "update-stage-with-copy").
            dct["canarySettings"] = {k: v for k, v in canary.items() if v != {} or k != "stageVariableOverrides"}
        return dct

    return to_json


def canary_from_request(value: dict[str, Any], deployment_id: str | None = None) -> dict[str, Any]:
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


@uses("patch_operations")
def patch_stage_apply_operations(original: Callable[..., Any]) -> Callable[..., Any]:
    """Handle `/canarySettings/...` patches and the canary promotion `copy` ops moto ignores.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html
    https://docs.aws.amazon.com/apigateway/latest/developerguide/promote-canary-deployment.html
    """

    bind = binder(original)

    @functools.wraps(original)
    def apply_operations(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        for op in call.arguments["patch_operations"]:
            path, kind = op.get("path", ""), op.get("op")
            canary = getattr(self, CANARY_ATTR, None)
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
                setattr(self, CANARY_ATTR, None)
            elif path.startswith("/canarySettings/"):
                # A canary made by a patch starts on the stage's deployment (recorded:
                # test_apigateway_canary.snapshot.json::...::test_update_stage_with_copy_ops "update-stage-with-copy").
                canary = canary if canary is not None else canary_from_request({}, self.deployment_id)
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
                setattr(self, CANARY_ATTR, canary)
            else:
                call.arguments["patch_operations"] = [op]
                original(*call.args, **call.kwargs)
        return self

    return apply_operations


@uses("function_id", "stage_name", "patch_operations")
def patch_backend_update_stage(original: Callable[..., Any]) -> Callable[..., Any]:
    """Reject a stage pointed at an unknown deployment, then notify listeners.

    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
    """

    bind = binder(original)

    @functools.wraps(original)
    def update_stage(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        function_id, stage_name = call.arguments["function_id"], call.arguments["stage_name"]
        patch_operations = call.arguments["patch_operations"]
        api = self.get_rest_api(function_id)
        self.get_stage(function_id, stage_name)  # an unknown stage is a NotFoundException first
        _validate_cache_settings(patch_operations or [])
        for op in patch_operations or []:
            if op.get("op") == "replace" and op.get("path") in ("/deploymentId", "/canarySettings/deploymentId"):
                if op.get("value") not in api.deployments:
                    # Wording from the kit's brief (LocalStack uses it too); not found in the AWS docs
                    # or in the recorded AWS responses of shared/reference, so treat it as unconfirmed.
                    raise BadRequestException("Deployment id does not exist")
        stage = original(*call.args, **call.kwargs)
        notify_listeners("stage", self.account_id, self.region_name, function_id, stage_name)
        return stage

    return update_stage


def check_cache_size(value: Any, where: str) -> None:
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
            check_cache_size(value, "updateStageInput.cacheClusterSize")
        elif path.endswith("/caching/ttlInSeconds"):
            try:
                ttl = int(str(value))
            except ValueError:
                ttl = -1
            if not 0 <= ttl <= 3600:
                raise BadRequestException(f"Invalid cache ttl specified: {value}. The cache TTL must be between "
                                          "0 and 3600 seconds.")


@uses("function_id", "stage_name")
def patch_backend_stage_event(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners after create_stage / delete_stage."""
    bind = binder(original)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        result = original(self, *args, **kwargs)
        notify_listeners("stage", self.account_id, self.region_name, call.arguments["function_id"], call.arguments["stage_name"])
        return result

    return wrapper


@uses()
def patch_backend_usage_event(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners ("usage") after an API key, usage plan or plan key changes, so the gateway
    re-reads who may call what with no polling."""

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        notify_listeners("usage", self.account_id, self.region_name, "", None)
        return result

    return wrapper


@uses("patch_operations")
def patch_usage_plan_apply_patch_operations(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateUsagePlan as AWS documents it: remove `/apiStages` by apiId:stage even when the stage
    carries method throttles, per-method throttles under `/apiStages/{apiId}:{stage}/throttle/...`,
    and a fractional `/throttle/rateLimit` (moto compared whole dicts, ignored method throttles and
    cast the rate to int). https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsagePlan.html"""

    bind = binder(original)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        rest = []
        for op in call.arguments["patch_operations"]:
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
        call.arguments["patch_operations"] = rest
        return original(*call.args, **call.kwargs)

    return wrapper


# What AWS stores when a method-settings entry is first created by patching one field (recorded on
# AWS: reference section 1, fact 11; the AWS CLI reference's `update-stage` example;
# test_apigateway_common.snapshot.json::...::TestStages::test_update_stage_remove_wildcard "update-stage").
# Moto used 1000/2000 and cacheDataEncrypted True.
AWS_METHOD_SETTING_DEFAULTS: dict[str, Any] = {
    "throttlingRateLimit": 10000.0,
    "throttlingBurstLimit": 5000,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    "metricsEnabled": False,
    "dataTraceEnabled": False,
}


@uses("resource_path_and_method", "key")
def patch_stage_method_setting(original: Callable[..., Any]) -> Callable[..., Any]:
    """A new methodSettings entry starts from AWS's defaults, or from `*/*` for a per-method key.
    https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html"""

    bind = binder(original)

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        resource_path_and_method, key = call.arguments["resource_path_and_method"], call.arguments["key"]
        if resource_path_and_method not in self.method_settings and self._method_settings_translations(key):
            base = self.method_settings.get("*/*") if resource_path_and_method != "*/*" else None
            self.method_settings[resource_path_and_method] = dict(base or AWS_METHOD_SETTING_DEFAULTS)
        return original(self, *args, **kwargs)

    return wrapper


@uses("function_id")
def patch_backend_delete_rest_api(original: Callable[..., Any]) -> Callable[..., Any]:
    """Notify listeners after delete_rest_api (its snapshots go with its Deployment objects)."""
    bind = binder(original)

    @functools.wraps(original)
    def delete_rest_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        function_id = bind(self, *args, **kwargs).arguments["function_id"]
        result = original(self, *args, **kwargs)
        notify_listeners("api-deleted", self.account_id, self.region_name, function_id, None)
        return result

    return delete_rest_api


@uses("function_id", "parent_resource_id", "path_part")
def patch_backend_create_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    """Reject a duplicate sibling (409) or an unknown parent (404) before moto adds the resource.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
    """

    bind = binder(original)

    @functools.wraps(original)
    def create_resource(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        function_id, parent_resource_id = arguments["function_id"], arguments["parent_resource_id"]
        path_part = arguments["path_part"]
        api = self.get_rest_api(function_id)
        if path_part:
            if parent_resource_id not in api.resources:
                raise _NotFound("Invalid Resource identifier specified")
            for resource in api.resources.values():
                if resource.parent_id == parent_resource_id and resource.path_part == path_part:
                    raise ConflictException(f"Another resource with the same parent already has this name: {path_part}")
        return original(self, *args, **kwargs)

    return create_resource


@uses("function_id", "resource_id")
def patch_backend_delete_resource(original: Callable[..., Any]) -> Callable[..., Any]:
    """Delete a resource's descendants with it, so no orphan breaks the API (moto left them).

    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteResource.html
    """

    bind = binder(original)

    @functools.wraps(original)
    def delete_resource(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = bind(self, *args, **kwargs).arguments
        function_id, resource_id = arguments["function_id"], arguments["resource_id"]
        api = self.get_rest_api(function_id)
        if resource_id not in api.resources:
            raise _NotFound("Invalid Resource identifier specified")
        doomed, frontier = set(), {resource_id}
        while frontier:
            doomed |= frontier
            frontier = {r.id for r in api.resources.values() if r.parent_id in frontier} - doomed
        for rid in doomed - {resource_id}:
            api.resources.pop(rid, None)
        return original(self, *args, **kwargs)

    return delete_resource


@uses()
def patch_authorizer_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateAuthorizer keeps `identityValidationExpression` (moto misspelt the keyword on the way in).
    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html"""

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        if "identiy_validation_expression" in kwargs:
            kwargs.setdefault("identity_validation_expression", kwargs.pop("identiy_validation_expression"))
        original(self, *args, **kwargs)

    return wrapper
