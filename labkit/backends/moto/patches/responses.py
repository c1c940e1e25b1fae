"""Patches on moto's APIGatewayResponse (request parsing moto skips) and the new operations with
their URL paths: FlushStageCache, FlushStageAuthorizersCache, GetUsage, TestInvokeMethod."""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException, MethodNotFoundException, NotFoundException

from .hooks import FlushHook, authorizer_flush_hooks, flush_hooks, usage_rows, test_invoke_handler
from .models import canary_from_request, check_cache_size
from .shared import CANARY_ATTR, USAGE_ATTR, Callbacks, PATCH_LOCK, uses
from .snapshots import notify_listeners


class ResourceMissing(NotFoundException):
    """AWS's 404 for an unknown resource (moto's ResourceIdNotFoundException spells it "resource"):
    test_apigateway_api.snapshot.json::tests/aws/services/apigateway/test_apigateway_api.py::
    TestApigatewayTestInvoke::test_invoke_test_method "resource-id-not-found"."""

    code = 404

    def __init__(self) -> None:
        super().__init__("Invalid Resource identifier specified")


def _path_parts(response: Any) -> list[str]:
    return [unquote(p) for p in response.path.split("/")]


@uses()
def patch_create_stage_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """Store canarySettings given to CreateStage. https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"""

    @functools.wraps(original)
    def create_stage(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_cache_size(self._get_param("cacheClusterSize"), "createStageInput.cacheClusterSize")
        result = original(self, *args, **kwargs)
        canary = self._get_param("canarySettings")
        if canary is None:
            return result
        api_id, stage_name = _path_parts(self)[2], self._get_param("stageName")
        stage = self.backend.get_stage(api_id, stage_name)
        setattr(stage, CANARY_ATTR, canary_from_request(canary))
        notify_listeners("stage", self.current_account, self.region, api_id, stage_name)
        return 201, {"status": 201}, json.dumps(stage.to_json())

    return create_stage


@uses()
def patch_create_deployment_response(original: Callable[..., Any]) -> Callable[..., Any]:
    """A canary deployment becomes the stage's canary; the stage keeps its deploymentId.

    https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
    https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
    """

    @functools.wraps(original)
    def create_deployment(self: Any, *args: Any, **kwargs: Any) -> Any:
        canary = self._get_param("canarySettings")
        if canary is None:
            return original(self, *args, **kwargs)
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
        setattr(stage, CANARY_ATTR, canary_from_request(canary, deployment.id))
        notify_listeners("stage", self.current_account, self.region, api_id, stage_name)
        return 201, {"status": 201}, json.dumps(deployment.to_json())

    return create_deployment


def flush_stage_cache(self: Any) -> Any:
    """FlushStageCache: 202 after the flush hooks ran. https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageCache.html"""
    return _flush(self, flush_hooks)


def flush_stage_authorizers_cache(self: Any) -> Any:
    """FlushStageAuthorizersCache: 202 after the hooks ran. https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html"""
    return _flush(self, authorizer_flush_hooks)


def _flush(response: Any, hooks: Callbacks[FlushHook]) -> Any:
    parts = _path_parts(response)
    api_id, stage_name = parts[2], parts[4]
    response.backend.get_stage(api_id, stage_name)  # NotFoundException for an unknown API or stage
    for hook in hooks.current():
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

    ledger: dict[str, dict[str, int]] = getattr(plan, USAGE_ATTR, {})
    plan_keys = list(self.backend.usage_plan_keys.get(plan_id, {}))
    key_ids = plan_keys + [k for k in ledger if k not in plan_keys]
    if query.get("keyId"):
        key_ids = [k for k in key_ids if k == query["keyId"]]
    if query.get("limit"):
        key_ids = key_ids[: int(query["limit"])]  # simplification: one page, no `position`
    with PATCH_LOCK:
        items = {k: usage_rows(plan, dict(ledger.get(k, {})), start, end) for k in key_ids}
    # On the wire AWS names the map "values"; boto3 exposes it as "items".
    body = {"usagePlanId": plan_id, "startDate": start_text, "endDate": end_text, "values": items}
    return 200, {"status": 200}, json.dumps(body)


def test_invoke_method(self: Any) -> Any:
    """TestInvokeMethod via the pluggable handler, for a method that exists (an ANY method answers every verb:
    test_apigateway_api.snapshot.json::tests/aws/services/apigateway/test_apigateway_api.py::TestApigatewayTestInvoke::
    test_failed_invoke_test_method). https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html"""
    parts = _path_parts(self)
    api_id, resource_id, http_method = parts[2], parts[4], parts[6]
    api = self.backend.get_rest_api(api_id)  # NotFoundException naming the account for an unknown API
    resource = api.resources.get(resource_id)
    if resource is None:
        raise ResourceMissing()
    if http_method.upper() not in resource.resource_methods and "ANY" not in resource.resource_methods:
        raise MethodNotFoundException()  # AWS's "Invalid Method identifier specified", 404
    request = json.loads(self.body) if self.body else {}
    handler = test_invoke_handler()
    if handler is None:
        # The kit's wording: a bare moto (no Lab) has no gateway to run the method.
        raise BadRequestException("TestInvokeMethod needs a labkit Lab: no gateway is registered to run the method")
    result = handler(self.current_account, self.region, api_id, resource_id, http_method, request)
    return 200, {"status": 200}, json.dumps(result)


# AWS paths of the new operations (botocore's model resolves the action from method + URI); install()
# routes them to APIGatewayResponse.dispatch, as moto routes its own.
NEW_URL_PATTERNS = (
    "{0}/restapis/(?P<function_id>[^/]+)/stages/(?P<stage_name>[^/]+)/cache/data/?$",
    "{0}/restapis/(?P<function_id>[^/]+)/stages/(?P<stage_name>[^/]+)/cache/authorizers/?$",
    "{0}/usageplans/(?P<usage_plan_id>[^/]+)/usage/?$",
)
