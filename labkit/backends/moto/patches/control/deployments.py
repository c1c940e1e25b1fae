"""Deployments and stages: moto's answers made AWS's (issue 15). Each behaviour cites its recording
(LocalStack's AWS-validated tests/aws/services/apigateway/*.snapshot.json: file and key) or AWS's doc.

Stage answers are reshaped where moto renders them for CreateStage (around the kit's canary wrap in
`responses.py`), GetStage, GetStages and UpdateStage. The kit's own gateway reads `Stage.to_json()`
(source.py), which keeps `variables` and every other field it reads.

What this module restores:
- UpdateDeployment (moto lacks it): `replace /description`, 200 with the deployment
  (test_apigateway_basic.snapshot.json::TestAPIGateway::test_update_rest_api_deployment "after-update").
- A deployment answers `id`, `createdDate` and `description` only when it has one, never `stageName`
  (test_apigateway_common.snapshot.json::TestDeployments::test_create_update_deployments "get-deployment-1").
- DeleteDeployment refuses while any stage points at the deployment (400 "Active stages pointing to this
  deployment must be moved or deleted"), also for a stage made by CreateStage, and allows it once the stage
  is repointed (test_apigateway_common.snapshot.json::TestDeployments::test_create_update_deployments).
- CreateStage answers 201 (test_apigateway_api.snapshot.json::TestApiGatewayStage::test_stage_access_log_settings
  "create-stage").
- CreateStage refuses a canary on an unknown deployment, 400 "Deployment id does not exist", with no stage made
  (test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_create_canary_deployment "bad-canary-deployment-id").
- A canary CreateDeployment with an empty stageName answers AWS's "... Provided value is " (the kit answered "null")
  (test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_create_canary_deployment_validation
  "create-canary-deployment-empty-stage").
- UpdateStage `replace /clientCertificateId` takes only an existing client certificate (404 otherwise, the kit's
  wording) and the stage answers it; `remove /clientCertificateId` or an empty value clears it (CreateStage has no
  such parameter) (https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html#UpdateStage-Patch,
  API_Stage.html).
- A stage answers `createdDate`, `lastUpdatedDate`, `cacheClusterStatus` "NOT_AVAILABLE", `tracingEnabled`
  false, and leaves out empty `variables`, `description` and `accessLogSettings`
  (test_apigateway_api.snapshot.json::TestApiGatewayStage::test_get_stages_filters_by_deployment_id "all-stages").
- GetStages(deploymentId=...) lists only the stages on that deployment (same test, "stages-deploy1").
- UpdateStage `add`/`replace` on `/accessLogSettings/destinationArn` and `/format`, `remove /accessLogSettings`,
  and AWS's errors for other paths and empty values
  (test_apigateway_api.snapshot.json::TestApiGatewayStage::test_stage_access_log_settings and _validation).
- An add/replace on a path UpdateStage does not know answers AWS's "Invalid method setting path" (or "Invalid add
  operation" for `add /canarySettings/deploymentId`) (test_apigateway_common.snapshot.json::TestStages::
  test_create_update_stages "error-update-doc-version"; test_apigateway_canary.snapshot.json::TestStageCrudCanary::
  test_update_stage_canary_deployment_validation).
- UpdateStage refuses a method setting's `throttling/rateLimit` that is negative, NaN, infinite or not a number and a
  `throttling/burstLimit` that is not a whole number >= 0, 400 naming the path (issue 16 item 9; moto stored them or
  failed with a bare Python error; AWS's minimum 0 is documented, its message is not recorded: see numbers.py).
- A `copy` patch other than AWS's two promotion copies answers AWS's message
  (test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_update_stage_with_copy_ops "copy-with-bad-statement").
- An API holds at most 10 stages (AWS's default quota, raisable): CreateStage, or CreateDeployment naming a new
  stageName, refuses an 11th with a 400 and makes nothing (issue 17; the quota:
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html,
  `stages_per_api` in data/limits/api_gateway_rest.yaml; the message is the kit's, see STAGE_QUOTA_REACHED).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException, DeploymentNotFoundException
from moto.apigateway.models import APIGatewayBackend, Deployment, RestAPI, Stage
from moto.apigateway.responses import APIGatewayResponse

from ..shared import Wrap, binder, uses
from .documentation import Missing
from .misc_operations import CERTIFICATES_ATTR
from .numbers import rate, whole

CREATED_ATTR = "_labkit_created"  # on moto's Stage: epoch seconds, as AWS's createdDate
UPDATED_ATTR = "_labkit_updated"  # on moto's Stage: epoch seconds, as AWS's lastUpdatedDate
CERTIFICATE_ATTR = "_labkit_client_certificate"  # on moto's Stage: its clientCertificateId, if any

# test_apigateway_common.snapshot.json::TestDeployments::test_create_update_deployments "delete-deployment-error"
STAGE_STILL_ON_DEPLOYMENT = "Active stages pointing to this deployment must be moved or deleted"
# test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_create_canary_deployment "bad-canary-deployment-id"
UNKNOWN_CANARY_DEPLOYMENT = "Deployment id does not exist"
# test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_create_canary_deployment_validation
# "create-canary-deployment-empty-stage" (AWS's text, no space after "specified.")
EMPTY_CANARY_STAGE = ("Invalid deployment content specified.Non null and non empty stageName must be provided for "
                      "canary deployment. Provided value is ")
UNKNOWN_CERTIFICATE = "Invalid Client Certificate identifier specified"  # kit's wording (not recorded)
# Stages per API: 10 by default, raisable through Service Quotas (`stages_per_api` in data/limits/api_gateway_rest.yaml;
# https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
STAGES_PER_API = 10
# The kit's wording: AWS's answer to an 11th stage is not recorded (no LocalStack snapshot, no issue quoting it).
# It follows the one recorded count-quota refusal, CreateRestApi's 400 BadRequestException "Maximum number of APIs
# has been reached. Please contact AWS if you need additional APIs." (github.com/Miserlou/Zappa/issues/628). Not a
# 429 LimitExceededException: the API reference gives that code for the request *rate*, and boto3 retries it.
STAGE_QUOTA_REACHED = ("Maximum number of stages has been reached for this API ({quota}). Delete a stage or "
                       "request a quota increase (Service Quotas: Stages per API).")
# test_apigateway_api.snapshot.json::TestApiGatewayStage::test_stage_access_log_settings_validation
ACCESS_LOG_FIELDS = ("destinationArn", "format")
INVALID_ACCESS_LOG_PATH = ("Invalid accessLogSettings path. Must be one of : "
                           "[/accessLogSettings/destinationArn, /accessLogSettings/format]")
EMPTY_ACCESS_LOG_VALUE = "Access Log value must not be empty"
# test_apigateway_canary.snapshot.json::TestStageCrudCanary::test_update_stage_with_copy_ops "copy-with-bad-statement"
PROMOTION_COPIES = {("/deploymentId", "/canarySettings/deploymentId"),
                    ("/variables", "/canarySettings/stageVariableOverrides")}


def _path_parts(response: Any) -> list[str]:
    return [unquote(p) for p in response.path.split("/")]


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    return status, {"status": status}, json.dumps(body)


# ---------------------------------------------------------------- deployments


def deployment_as_aws(deployment: Any) -> dict[str, Any]:
    """A Deployment as AWS answers it: no stageName, description only when set."""
    body: dict[str, Any] = {"id": deployment.id, "createdDate": deployment.created_date}
    if deployment.description:
        body["description"] = deployment.description
    return body


@uses()
def patch_deployment_to_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """Deployment answers as AWS's (test_apigateway_common.snapshot.json::TestDeployments::
    test_create_update_deployments "get-deployment-1": only id and createdDate)."""

    @functools.wraps(original)
    def to_json(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        original(self, *args, **kwargs)  # moto's own checks, if any ever come
        return deployment_as_aws(self)

    return to_json


@uses("deployment_id")
def patch_rest_api_delete_deployment(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse while a stage points at the deployment (moto looked at the stage it was created with,
    so it allowed deleting a CreateStage stage's deployment and refused after a repoint).
    https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html"""

    bind = binder(original)

    @functools.wraps(original)
    def delete_deployment(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = bind(self, *args, **kwargs)
        deployment_id = call.arguments["deployment_id"]
        if deployment_id not in self.deployments:
            raise DeploymentNotFoundException()
        if any(stage.deployment_id == deployment_id for stage in self.stages.values()):
            raise BadRequestException(STAGE_STILL_ON_DEPLOYMENT)
        self.deployments[deployment_id].stage_name = None  # moto's own check then passes
        return original(*call.args, **call.kwargs)

    return delete_deployment


def update_deployment(self: Any) -> Any:
    """UpdateDeployment: `replace /description`; 200 with the deployment.
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateDeployment.html
    (recorded: test_apigateway_basic.snapshot.json::TestAPIGateway::test_update_rest_api_deployment "after-update")"""
    parts = _path_parts(self)
    api_id, deployment_id = parts[2], parts[4]
    api = self.backend.get_rest_api(api_id)
    if deployment_id not in api.deployments:
        raise DeploymentNotFoundException()
    deployment = api.deployments[deployment_id]
    for op in self._get_param("patchOperations") or []:
        path, kind = op.get("path"), op.get("op")
        if path == "/description" and kind in ("replace", "add"):
            deployment.description = op.get("value") or ""
        elif path == "/description" and kind == "remove":
            deployment.description = ""
        else:
            # The kit's wording: AWS's for other paths is not recorded.
            raise BadRequestException(f"Invalid patch path {path}")
    return _json(200, deployment_as_aws(deployment))


def check_stage_quota(api: Any, stage_name: Any) -> None:
    """Refuse a new stage on an API that already has STAGES_PER_API (a stage it has is not new: a deployment
    may repoint it)."""
    if stage_name and stage_name not in api.stages and len(api.stages) >= STAGES_PER_API:
        raise BadRequestException(STAGE_QUOTA_REACHED.format(quota=STAGES_PER_API))


@uses()
def patch_create_deployment(original: Callable[..., Any]) -> Callable[..., Any]:
    """A canary deployment named with an empty stageName answers AWS's message for it (recorded
    "create-canary-deployment-empty-stage"); a deployment naming an 11th stage is refused before the deployment
    is made; everything else goes on to the kit's canary wrap (responses.py)."""

    @functools.wraps(original)
    def create_deployment(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self._get_param("canarySettings") is not None and self._get_param("stageName") == "":
            raise BadRequestException(EMPTY_CANARY_STAGE)
        check_stage_quota(self.backend.get_rest_api(_path_parts(self)[2]), self._get_param("stageName"))
        return original(self, *args, **kwargs)

    return create_deployment


# ---------------------------------------------------------------- stages


def stage_as_aws(stage: Any) -> dict[str, Any]:
    """A Stage as AWS answers it (recorded: test_apigateway_api.snapshot.json::TestApiGatewayStage::
    test_get_stages_filters_by_deployment_id "all-stages"; test_stage_access_log_settings "create-stage")."""
    body = stage.to_json()
    for key in ("variables", "description", "accessLogSettings"):
        if not body.get(key):
            body.pop(key, None)
    body.setdefault("cacheClusterStatus", "NOT_AVAILABLE")
    body.setdefault("tracingEnabled", False)
    now = int(time.time())
    body["createdDate"] = getattr(stage, CREATED_ATTR, now)
    body["lastUpdatedDate"] = getattr(stage, UPDATED_ATTR, body["createdDate"])
    if getattr(stage, CERTIFICATE_ATTR, None):
        body["clientCertificateId"] = getattr(stage, CERTIFICATE_ATTR)
    return body


def _check_certificate(response: Any, certificate_id: Any) -> None:
    """A stage names only an existing client certificate (an empty id means none).
    https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html"""
    if certificate_id and certificate_id not in response.backend.__dict__.get(CERTIFICATES_ATTR, {}):
        raise Missing(UNKNOWN_CERTIFICATE)


def _check_new_stage(response: Any) -> None:
    """CreateStage's checks moto lacks: the stage quota, and the canary's deployment exists."""
    api = response.backend.get_rest_api(_path_parts(response)[2])
    check_stage_quota(api, response._get_param("stageName"))
    canary = response._get_param("canarySettings") or {}
    if canary.get("deploymentId") and canary["deploymentId"] not in api.deployments:
        raise BadRequestException(UNKNOWN_CANARY_DEPLOYMENT)


@uses()
def patch_stage_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """A new stage knows when it was made, and starts with AWS's cache status and tracing flag."""

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.cache_cluster_status is None:
            self.cache_cluster_status = "NOT_AVAILABLE"
        if self.tracing_enabled is None:
            self.tracing_enabled = False
        now = int(time.time())
        setattr(self, CREATED_ATTR, now)
        setattr(self, UPDATED_ATTR, now)

    return init


@uses()
def patch_get_stage(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetStage in AWS's shape."""

    @functools.wraps(original)
    def get_stage(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = _path_parts(self)
        return _json(200, stage_as_aws(self.backend.get_stage(parts[2], parts[4])))

    return get_stage


@uses()
def patch_create_stage(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateStage answers 201 with the stage in AWS's shape (recorded: test_apigateway_api.snapshot.json::
    TestApiGatewayStage::test_stage_access_log_settings "create-stage"); it runs around the kit's
    canary-settings wrap (responses.py), so what that stored is in the answer."""

    @functools.wraps(original)
    def create_stage(self: Any, *args: Any, **kwargs: Any) -> Any:
        _check_new_stage(self)
        answer = original(self, *args, **kwargs)
        if isinstance(answer, tuple) and int(answer[0]) >= 300:
            return answer
        stage = self.backend.get_stage(_path_parts(self)[2], self._get_param("stageName"))
        return _json(201, stage_as_aws(stage))

    return create_stage


@uses()
def patch_get_stages(original: Callable[..., Any]) -> Callable[..., Any]:
    """GetStages in AWS's shape, filtered by `deploymentId` when given.
    https://docs.aws.amazon.com/apigateway/latest/api/API_GetStages.html"""

    @functools.wraps(original)
    def get_stages(self: Any, *args: Any, **kwargs: Any) -> Any:
        stages = self.backend.get_stages(_path_parts(self)[2])
        wanted = (self.querystring.get("deploymentId") or [None])[0]
        if wanted:
            stages = [s for s in stages if s.deployment_id == wanted]
        return _json(200, {"item": [stage_as_aws(s) for s in stages]})

    return get_stages


def _check_access_log_op(op: dict[str, Any]) -> None:
    """AWS's answers to an add/replace under /accessLogSettings (a remove goes on to the method-settings
    check, whose message AWS also gives: recorded "invalid-path-remove", "update-stage-access-log-dest-remove")."""
    field = op.get("path", "")[len("/accessLogSettings/"):] if op.get("path", "").startswith("/accessLogSettings/") else None
    if field not in ACCESS_LOG_FIELDS:
        raise BadRequestException(INVALID_ACCESS_LOG_PATH)
    if not op.get("value"):
        raise BadRequestException(EMPTY_ACCESS_LOG_VALUE)


def _check_copy_op(op: dict[str, Any]) -> None:
    """Only AWS's two promotion copies are accepted (recorded "copy-with-bad-statement")."""
    if (op.get("path"), op.get("from")) not in PROMOTION_COPIES:
        raise BadRequestException(
            f"Invalid copy operation with path: {op.get('path')} and from {op.get('from')}. Valid copy:path are "
            "[/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, "
            "/canarySettings/stageVariableOverrides]")


# test_apigateway_common.snapshot.json::TestStages::test_create_update_stages "error-update-doc-version"
# (AWS's list, verbatim, with its missing commas).
STAGE_PATHS = (
    "/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, "
    "/accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, "
    "/{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, "
    "/{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit"
    "/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, "
    "/{resourcePath}/{httpMethod}/caching/dataEncrypted, "
    "/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, "
    "/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, "
    "/*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit "
    "/*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, "
    "/*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, "
    "/variables/{variable_name}, /tracingEnabled")
STAGE_FIELDS = ("/deploymentId", "/description", "/cacheClusterEnabled", "/cacheClusterSize", "/clientCertificateId",
                "/tracingEnabled")
CANARY_FIELDS = ("/canarySettings/percentTraffic", "/canarySettings/deploymentId", "/canarySettings/useStageCache")


def _is_writable_path(stage: Any, path: str) -> bool:
    """A path an add/replace may name: a stage field, a variable, a canary field or a method setting."""
    if path in STAGE_FIELDS or path in CANARY_FIELDS:
        return True
    if path.startswith(("/variables/", "/canarySettings/stageVariableOverrides/")):
        return True
    parts = path.split("/", 3)
    return len(parts) == 4 and stage._method_settings_translations(parts[3]) is not None


def _check_write_path(stage: Any, op: dict[str, Any]) -> None:
    """AWS's answers to an add/replace on a path UpdateStage does not know (recorded: common
    "error-update-doc-version", "error-update-tags"; canary "update-stage-canary-settings-bad-path-2",
    "update-stage-canary-settings-replace-bad-path", "update-stage-add-deployment")."""
    path = op.get("path", "")
    if op.get("op") == "add" and path == "/canarySettings/deploymentId":
        raise BadRequestException(f"Invalid add operation with path: {path}")
    if not _is_writable_path(stage, path):
        raise BadRequestException(f"Invalid method setting path: {path}. Must be one of: [{STAGE_PATHS}]")


def _check_throttle_value(op: dict[str, Any]) -> None:
    """A method setting's throttling rate or burst is a number >= 0 (issue 16 item 9; numbers.py has the sources)."""
    path = op.get("path", "")
    if path.endswith("/throttling/rateLimit"):
        rate(op.get("value"), path)
    elif path.endswith("/throttling/burstLimit"):
        whole(op.get("value"), path)


def _certificate_ops(response: Any, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `/clientCertificateId` patches (moto ignores them), each checked: a replace names an existing
    certificate or none. https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html#UpdateStage-Patch"""
    found = [op for op in operations if op.get("path") == "/clientCertificateId"]
    for op in found:
        if op.get("op") in ("add", "replace"):
            _check_certificate(response, op.get("value"))
    return found


def _is_access_log_write(op: dict[str, Any]) -> bool:
    path = op.get("path", "")
    return op.get("op") in ("add", "replace") and (path == "/accessLogSettings" or path.startswith("/accessLogSettings/"))


@uses()
def patch_update_stage(original: Callable[..., Any]) -> Callable[..., Any]:
    """UpdateStage: access log settings and copy checks as AWS answers them, then the backend's own
    update (the kit's other stage patches), answered in AWS's shape.
    https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html#UpdateStage-Patch"""

    @functools.wraps(original)
    def update_stage(self: Any, *args: Any, **kwargs: Any) -> Any:
        parts = _path_parts(self)
        api_id, stage_name = parts[2], parts[4]
        operations = list(self._get_param("patchOperations") or [])
        stage = self.backend.get_stage(api_id, stage_name)  # NotFoundException first
        access_log_ops = [op for op in operations if _is_access_log_write(op)]
        for op in operations:
            if op.get("op") == "copy":
                _check_copy_op(op)
        for op in access_log_ops:
            _check_access_log_op(op)
        for op in operations:
            if op.get("op") in ("add", "replace") and not _is_access_log_write(op):
                _check_write_path(stage, op)
                _check_throttle_value(op)
        certificate_ops = _certificate_ops(self, operations)
        rest = [op for op in operations if not _is_access_log_write(op) and op not in certificate_ops]
        before = dict(stage.access_log_settings) if stage.access_log_settings else None
        for op in access_log_ops:
            stage.access_log_settings = {**(stage.access_log_settings or {}), op["path"].split("/")[-1]: op["value"]}
        try:
            stage = self.backend.update_stage(api_id, stage_name, rest)
        except Exception:
            stage.access_log_settings = before
            raise
        if not stage.access_log_settings:
            stage.access_log_settings = None
        for op in certificate_ops:
            setattr(stage, CERTIFICATE_ATTR, op.get("value") if op.get("op") in ("add", "replace") else None)
        setattr(stage, UPDATED_ATTR, int(time.time()))
        return _json(200, stage_as_aws(stage))

    return update_stage


# Operations moto lacks, added to its APIGatewayResponse under their botocore names (e.g. update_method).
OPERATIONS: tuple[Callable[..., Any], ...] = (update_deployment,)


def wraps() -> list[Wrap]:
    """moto functions this module replaces (checked by targets.problems() before anything is patched)."""
    return [
        Wrap(Deployment, "to_json", patch_deployment_to_json),
        Wrap(RestAPI, "delete_deployment", patch_rest_api_delete_deployment),
        Wrap(APIGatewayResponse, "create_deployment", patch_create_deployment),
        Wrap(Stage, "__init__", patch_stage_init),
        Wrap(APIGatewayResponse, "get_stage", patch_get_stage),
        Wrap(APIGatewayResponse, "create_stage", patch_create_stage),
        Wrap(APIGatewayResponse, "get_stages", patch_get_stages),
        Wrap(APIGatewayResponse, "update_stage", patch_update_stage),
    ]


def relied_on() -> list[tuple[type, str]]:
    """moto attributes this module calls without wrapping them."""
    backend = APIGatewayBackend
    return [(Stage, "_method_settings_translations"), (backend, "get_stages"), (backend, "update_stage"),
            (backend, "get_rest_api")]
