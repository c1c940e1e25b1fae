"""labkit.moto_patches: moto's API Gateway backend completed to behave as AWS documents."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT

from labkit.backends.moto import patches as moto_patches

REGION = "us-east-1"

moto_patches.install()  # before any ThreadedMotoServer builds its routing table


def _session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


@pytest.fixture
def apigw():
    with mock_aws():
        yield _session().client("apigateway")


def _api_with_get(client, path_part: str = "pets") -> tuple[str, str, str]:
    """A REST API with GET /{path_part} on a MOCK integration: (api_id, root_id, resource_id)."""
    api_id = client.create_rest_api(name="lab")["id"]
    root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
    rid = client.create_resource(restApiId=api_id, parentId=root_id, pathPart=path_part)["id"]
    client.put_method(restApiId=api_id, resourceId=rid, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="MOCK")
    return api_id, root_id, rid


def _deployed_root_get(client) -> str:
    """A REST API with GET / on a MOCK integration, deployed to stage "dev": its id."""
    api_id = client.create_rest_api(name="a")["id"]
    root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK")
    client.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_install_is_idempotent():
    moto_patches.install()
    moto_patches.install()
    from moto.apigateway.models import RestAPI

    assert not hasattr(RestAPI.create_deployment.__wrapped__, "__wrapped__")  # wrapped once only


# AWS: a deployment is an immutable snapshot of the API.
# https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html
def test_deployment_is_a_snapshot_and_listeners_hear_changes(apigw):
    events = []

    def listener(*args):
        events.append(args)

    moto_patches.add_listener(listener)
    try:
        api_id, root_id, _ = _api_with_get(apigw)
        before = moto_patches.generation()
        dep1 = apigw.create_deployment(restApiId=api_id, stageName="dev")["id"]
        assert moto_patches.generation() > before

        rid = apigw.create_resource(restApiId=api_id, parentId=root_id, pathPart="owners")["id"]
        apigw.put_method(restApiId=api_id, resourceId=rid, httpMethod="GET", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="MOCK")
        dep2 = apigw.create_deployment(restApiId=api_id)["id"]

        snap1 = moto_patches.deployment_definition(ACCOUNT, REGION, api_id, dep1)
        snap2 = moto_patches.deployment_definition(ACCOUNT, REGION, api_id, dep2)
        assert set(snap1) == {"restApi", "resources", "authorizers", "gatewayResponses", "models", "requestValidators"}
        assert {r["path"] for r in snap1["resources"]} == {"/", "/pets"}
        assert {r["path"] for r in snap2["resources"]} == {"/", "/pets", "/owners"}
        pets = next(r for r in snap1["resources"] if r["path"] == "/pets")
        assert pets["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"
        live = moto_patches.live_definition(ACCOUNT, REGION, api_id)
        assert {r["path"] for r in live["resources"]} == {"/", "/pets", "/owners"}
        assert moto_patches.deployment_definition(ACCOUNT, REGION, api_id, "nope") is None

        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[{"op": "replace", "path": "/description", "value": "d"}])
        apigw.delete_stage(restApiId=api_id, stageName="dev")
        apigw.delete_rest_api(restApiId=api_id)
    finally:
        moto_patches.remove_listener(listener)
    assert [e[0] for e in events] == ["deployment", "deployment", "stage", "stage", "api-deleted"]
    assert events[0] == ("deployment", ACCOUNT, REGION, api_id, "dev")
    assert events[1][4] is None and events[-1][4] is None


# AWS: CreateDeployment with the name of an existing stage only repoints that stage; its settings stay.
# https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
def test_redeploy_to_existing_stage_keeps_its_settings(apigw):
    api_id, _, _ = _api_with_get(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"a": "1"})
    apigw.update_stage(
        restApiId=api_id,
        stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        ],
    )
    dep2 = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"b": "2"})["id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == dep2
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0
    assert stage["tracingEnabled"] is True
    assert stage["variables"] == {"a": "1", "b": "2"}


# The kit's gateway answers execute-api URLs; moto must not register its own callbacks.
# https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
def test_no_moto_execute_api_callbacks(apigw):
    from moto.core.models import responses_mock

    before = len(responses_mock.registered())
    api_id, _, _ = _api_with_get(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert len(responses_mock.registered()) == before


# AWS: PutIntegration stores cacheKeyParameters; cacheNamespace defaults to the resource id.
# https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html
def test_put_integration_keeps_cache_key_parameters(apigw):
    api_id, _, rid = _api_with_get(apigw)
    apigw.put_method(
        restApiId=api_id,
        resourceId=rid,
        httpMethod="POST",
        authorizationType="NONE",
        requestParameters={"method.request.querystring.type": False},
    )
    out = apigw.put_integration(
        restApiId=api_id,
        resourceId=rid,
        httpMethod="POST",
        type="HTTP",
        integrationHttpMethod="GET",
        uri="http://example.com/pets",
        cacheKeyParameters=["method.request.querystring.type"],
    )
    assert out["cacheKeyParameters"] == ["method.request.querystring.type"]
    got = apigw.get_integration(restApiId=api_id, resourceId=rid, httpMethod="POST")
    assert got["cacheKeyParameters"] == ["method.request.querystring.type"]
    assert got["cacheNamespace"] == rid


# AWS: a stage's canarySettings are set by CreateStage, UpdateStage and a canary CreateDeployment.
# https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html
# https://docs.aws.amazon.com/apigateway/latest/developerguide/promote-canary-deployment.html
def test_canary_settings_are_stored(apigw):
    api_id, _, _ = _api_with_get(apigw)
    dep1 = apigw.create_deployment(restApiId=api_id)["id"]
    dep2 = apigw.create_deployment(restApiId=api_id)["id"]
    apigw.create_stage(
        restApiId=api_id,
        stageName="prod",
        deploymentId=dep1,
        canarySettings={"percentTraffic": 10.0, "deploymentId": dep2, "stageVariableOverrides": {"v": "canary"}},
    )
    canary = apigw.get_stage(restApiId=api_id, stageName="prod")["canarySettings"]
    assert canary == {"percentTraffic": 10.0, "deploymentId": dep2, "stageVariableOverrides": {"v": "canary"}, "useStageCache": False}

    apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "25.5"},
            {"op": "replace", "path": "/canarySettings/useStageCache", "value": "true"},
            {"op": "replace", "path": "/canarySettings/stageVariableOverrides/w", "value": "x"},
            {"op": "remove", "path": "/canarySettings/stageVariableOverrides/v"},
        ],
    )
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == dep1  # the canary's deploymentId path must not move the stage
    assert stage["canarySettings"] == {"percentTraffic": 25.5, "deploymentId": dep2, "stageVariableOverrides": {"w": "x"}, "useStageCache": True}

    # promote, then remove the canary
    apigw.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
            {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"},
        ],
    )
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == dep2 and stage["variables"] == {"w": "x"}
    apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[{"op": "remove", "path": "/canarySettings"}])
    assert "canarySettings" not in apigw.get_stage(restApiId=api_id, stageName="prod")

    # a canary deployment becomes the stage's canary; the stage stays on its deployment
    dep3 = apigw.create_deployment(restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 5.0})["id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == dep2
    assert stage["canarySettings"]["deploymentId"] == dep3 and stage["canarySettings"]["percentTraffic"] == 5.0
    with pytest.raises(ClientError) as err:
        apigw.create_deployment(restApiId=api_id, stageName="nope", canarySettings={"percentTraffic": 5.0})
    assert "must already be created" in err.value.response["Error"]["Message"]


# AWS: UpdateStage refuses a deploymentId that does not exist (BadRequestException).
# https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
def test_update_stage_to_unknown_deployment_is_rejected(apigw):
    api_id, _, _ = _api_with_get(apigw)
    dep = apigw.create_deployment(restApiId=api_id, stageName="dev")["id"]
    with pytest.raises(ClientError) as err:
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[{"op": "replace", "path": "/deploymentId", "value": "zzzz"}])
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert err.value.response["Error"]["Message"] == "Deployment id does not exist"
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["deploymentId"] == dep


# AWS: "For a private API, you can't deploy your API without a resource policy."
# https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
# CreateDeployment answers BadRequestException with the message users quote from AWS:
# https://github.com/cloudposse/terraform-aws-api-gateway/pull/25 (no LocalStack recording has it).
PRIVATE_WITHOUT_POLICY = "Private REST API doesn't have a resource policy attached to it"
# The VPC-endpoint policy of https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
VPCE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123abcd"}}},
    {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]})


def _typed_api_with_root_get(client, endpoint_type: str, policy: str | None) -> str:
    """An API of `endpoint_type` (with `policy` if given) and GET / on a MOCK integration: its id."""
    extra = {"policy": policy} if policy is not None else {}
    api_id = client.create_rest_api(name="typed", endpointConfiguration={"types": [endpoint_type]}, **extra)["id"]
    root_id = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK")
    return api_id


def _refused_as_private_without_policy(call) -> None:
    with pytest.raises(ClientError) as err:
        call()
    error = err.value.response
    assert error["Error"]["Code"] == "BadRequestException"
    assert error["Error"]["Message"] == PRIVATE_WITHOUT_POLICY
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_private_api_without_a_resource_policy_is_not_deployed(apigw):
    api_id = _typed_api_with_root_get(apigw, "PRIVATE", None)
    _refused_as_private_without_policy(lambda: apigw.create_deployment(restApiId=api_id, stageName="prod"))
    assert apigw.get_deployments(restApiId=api_id)["items"] == []
    assert apigw.get_stages(restApiId=api_id)["item"] == []


@pytest.mark.parametrize("endpoint_type,policy", [("PRIVATE", VPCE_POLICY), ("REGIONAL", None), ("EDGE", None)])
def test_a_private_api_with_a_policy_and_a_public_one_without_deploy(apigw, endpoint_type, policy):
    api_id = _typed_api_with_root_get(apigw, endpoint_type, policy)
    deployment_id = apigw.create_deployment(restApiId=api_id, stageName="prod")["id"]
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [deployment_id]
    assert apigw.get_stage(restApiId=api_id, stageName="prod")["deploymentId"] == deployment_id


def test_a_private_api_whose_policy_was_emptied_is_not_redeployed(apigw):
    # Both ways in: a plain deployment and a canary deployment on the existing stage.
    api_id = _typed_api_with_root_get(apigw, "PRIVATE", VPCE_POLICY)
    first = apigw.create_deployment(restApiId=api_id, stageName="prod")["id"]
    apigw.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": ""}])
    _refused_as_private_without_policy(lambda: apigw.create_deployment(restApiId=api_id, stageName="prod"))
    _refused_as_private_without_policy(lambda: apigw.create_deployment(
        restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 10.0}))
    assert [d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]] == [first]
    stage = apigw.get_stage(restApiId=api_id, stageName="prod")
    assert stage["deploymentId"] == first and "canarySettings" not in stage


# AWS: FlushStageCache / FlushStageAuthorizersCache answer 202; unknown stage → NotFoundException.
# https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageCache.html
# https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html
def test_flush_stage_cache_calls_hooks(apigw):
    calls = []

    def hook(*args):
        calls.append(("data",) + args)

    def auth_hook(*args):
        calls.append(("auth",) + args)

    moto_patches.add_flush_hook(hook)
    moto_patches.add_authorizer_flush_hook(auth_hook)
    try:
        api_id, _, _ = _api_with_get(apigw)
        apigw.create_deployment(restApiId=api_id, stageName="dev")
        out = apigw.flush_stage_cache(restApiId=api_id, stageName="dev")
        assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
        apigw.flush_stage_authorizers_cache(restApiId=api_id, stageName="dev")
        with pytest.raises(ClientError) as err:
            apigw.flush_stage_cache(restApiId=api_id, stageName="nope")
        assert err.value.response["Error"]["Code"] == "NotFoundException"
    finally:
        moto_patches.remove_flush_hook(hook)
        moto_patches.remove_authorizer_flush_hook(auth_hook)
    assert calls == [("data", ACCOUNT, REGION, api_id, "dev"), ("auth", ACCOUNT, REGION, api_id, "dev")]


# AWS: GetUsage returns per-key daily [used, remaining] for a usage plan.
# https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
def test_get_usage_reports_recorded_counts(apigw):
    key_id = apigw.create_api_key(name="k", enabled=True)["id"]
    plan_id = apigw.create_usage_plan(name="p", quota={"limit": 100, "period": "DAY"})["id"]
    apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
    moto_patches.record_usage(ACCOUNT, REGION, plan_id, key_id, "2026-01-01", 3)
    moto_patches.record_usage(ACCOUNT, REGION, plan_id, key_id, "2026-01-02")

    usage = apigw.get_usage(usagePlanId=plan_id, startDate="2026-01-01", endDate="2026-01-03")
    assert usage["usagePlanId"] == plan_id
    assert usage["startDate"] == "2026-01-01" and usage["endDate"] == "2026-01-03"
    assert usage["items"] == {key_id: [[3, 97], [1, 99], [0, 100]]}
    assert apigw.get_usage(usagePlanId=plan_id, startDate="2026-01-01", endDate="2026-01-01", keyId="other")["items"] == {}

    weekly = apigw.create_usage_plan(name="w", quota={"limit": 10, "period": "WEEK"})["id"]
    moto_patches.record_usage(ACCOUNT, REGION, weekly, key_id, "2026-01-05", 4)  # a Monday
    moto_patches.record_usage(ACCOUNT, REGION, weekly, key_id, "2026-01-06", 2)
    rows = apigw.get_usage(usagePlanId=weekly, startDate="2026-01-05", endDate="2026-01-06")["items"][key_id]
    assert rows == [[4, 6], [2, 4]]

    with pytest.raises(ClientError) as err:
        apigw.get_usage(usagePlanId="nope", startDate="2026-01-01", endDate="2026-01-02")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["Error"]["Message"] == "Invalid Usage Plan ID specified"
    with pytest.raises(ClientError) as err:
        apigw.get_usage(usagePlanId=plan_id, startDate="01/01/2026", endDate="2026-01-02")
    assert err.value.response["Error"]["Code"] == "BadRequestException"


# AWS: TestInvokeMethod runs a method without deploying and returns status, body, headers, log, latency.
# https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html
def test_test_invoke_method_uses_the_handler(apigw):
    seen = []

    def handler(account, region, api_id, resource_id, http_method, request):
        seen.append((account, region, api_id, resource_id, http_method, request))
        return {"status": 200, "body": '{"ok":true}', "headers": {"X-A": "1"}, "multiValueHeaders": {"X-A": ["1"]}, "log": "log", "latency": 3}

    api_id, _, rid = _api_with_get(apigw)
    moto_patches.set_test_invoke_handler(handler)
    try:
        out = apigw.test_invoke_method(restApiId=api_id, resourceId=rid, httpMethod="GET", pathWithQueryString="/pets?a=1")
        with pytest.raises(ClientError) as err:
            apigw.test_invoke_method(restApiId=api_id, resourceId=rid, httpMethod="DELETE")
        assert err.value.response["Error"]["Code"] == "NotFoundException"
    finally:
        moto_patches.set_test_invoke_handler(None)
    assert out["status"] == 200 and out["body"] == '{"ok":true}' and out["headers"] == {"X-A": "1"}
    assert out["multiValueHeaders"] == {"X-A": ["1"]} and out["log"] == "log" and out["latency"] == 3
    assert seen == [(ACCOUNT, REGION, api_id, rid, "GET", {"pathWithQueryString": "/pets?a=1"})]


# AWS: a duplicate sibling pathPart is a ConflictException; a bad parentId creates nothing.
# https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
# https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteResource.html
def test_create_resource_conflicts_and_bad_parent(apigw):
    api_id, root_id, rid = _api_with_get(apigw)
    with pytest.raises(ClientError) as err:
        apigw.create_resource(restApiId=api_id, parentId=root_id, pathPart="pets")
    assert err.value.response["Error"]["Code"] == "ConflictException"
    assert err.value.response["Error"]["Message"] == "Another resource with the same parent already has this name: pets"
    with pytest.raises(ClientError) as err:
        apigw.create_resource(restApiId=api_id, parentId="nope", pathPart="x")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    assert err.value.response["Error"]["Message"] == "Invalid Resource identifier specified"
    assert sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]) == ["/", "/pets"]

    child = apigw.create_resource(restApiId=api_id, parentId=rid, pathPart="{petId}")["id"]
    apigw.create_resource(restApiId=api_id, parentId=child, pathPart="toys")
    apigw.delete_resource(restApiId=api_id, resourceId=rid)
    assert [r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]


# The same patches must hold for moto's server running in this process.
def test_patches_work_in_server_mode():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    flushed = []

    def hook(*args):
        flushed.append(args)

    moto_patches.add_flush_hook(hook)
    try:
        host, port = server.get_host_and_port()
        client = _session().client("apigateway", endpoint_url=f"http://{host}:{port}", config=Config(retries={"max_attempts": 1}))
        api_id, _, _ = _api_with_get(client)
        client.create_deployment(restApiId=api_id, stageName="dev")
        client.update_stage(restApiId=api_id, stageName="dev", patchOperations=[{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"}])
        dep2 = client.create_deployment(restApiId=api_id, stageName="dev")["id"]
        stage = client.get_stage(restApiId=api_id, stageName="dev")
        assert stage["deploymentId"] == dep2 and stage["methodSettings"]["*/*"]["cacheTtlInSeconds"] == 60

        assert client.flush_stage_cache(restApiId=api_id, stageName="dev")["ResponseMetadata"]["HTTPStatusCode"] == 202
        assert flushed == [(ACCOUNT, REGION, api_id, "dev")]

        key_id = client.create_api_key(name="k", enabled=True)["id"]
        plan_id = client.create_usage_plan(name="p", quota={"limit": 50, "period": "DAY"})["id"]
        client.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
        moto_patches.record_usage(ACCOUNT, REGION, plan_id, key_id, "2026-02-01", 7)
        usage = client.get_usage(usagePlanId=plan_id, startDate="2026-02-01", endDate="2026-02-01")
        assert usage["items"] == {key_id: [[7, 43]]}
    finally:
        moto_patches.remove_flush_hook(hook)
        server.stop()


def test_update_usage_plan_handles_stage_removal_and_method_throttles():
    # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsagePlan.html
    with mock_aws():
        moto_patches.install()
        client = boto3.client("apigateway", region_name="us-east-1")
        plan = client.create_usage_plan(name="p", throttle={"rateLimit": 1.0, "burstLimit": 1},
                                        apiStages=[{"apiId": "a1", "stage": "dev",
                                                    "throttle": {"/pets/GET": {"rateLimit": 1.0, "burstLimit": 1}}},
                                                   {"apiId": "a2", "stage": "dev"}])
        client.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "replace", "path": "/apiStages/a1:dev/throttle/~1pets/GET/rateLimit", "value": "2.5"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "0.5"},
            {"op": "remove", "path": "/apiStages", "value": "a2:dev"}])
        got = client.get_usage_plan(usagePlanId=plan["id"])
        assert got["throttle"]["rateLimit"] == 0.5
        assert [s["apiId"] for s in got["apiStages"]] == ["a1"]
        assert got["apiStages"][0]["throttle"]["/pets/GET"] == {"rateLimit": 2.5, "burstLimit": 1}
        client.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "remove", "path": "/apiStages", "value": "a1:dev"}])
        assert client.get_usage_plan(usagePlanId=plan["id"]).get("apiStages") == []


def test_new_method_settings_start_from_aws_defaults_and_per_method_from_the_stage_default(apigw):
    # Recorded on AWS (reference section 1, fact 11): 10,000/5,000; cachingEnabled false (AWS CLI
    # reference, update-stage example).
    # https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html
    client, api = apigw, _deployed_root_get(apigw)
    client.update_stage(restApiId=api, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"}])
    client.update_stage(restApiId=api, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/~1/GET/caching/ttlInSeconds", "value": "60"}])
    settings = client.get_stage(restApiId=api, stageName="dev")["methodSettings"]
    assert settings["*/*"]["throttlingBurstLimit"] == 5000 and settings["*/*"]["cachingEnabled"] is False
    assert settings["~1/GET"]["throttlingRateLimit"] == 50.0 and settings["~1/GET"]["cacheTtlInSeconds"] == 60


def test_removing_a_method_setting_drops_it_and_an_absent_one_is_refused(apigw):
    # Recorded AWS error: "Cannot remove method setting */* because there is no method setting for this method "
    client, api = apigw, _deployed_root_get(apigw)
    client.update_stage(restApiId=api, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"}])
    client.update_stage(restApiId=api, stageName="dev", patchOperations=[{"op": "remove", "path": "/*/*"}])
    assert client.get_stage(restApiId=api, stageName="dev")["methodSettings"] == {}
    with pytest.raises(ClientError, match="Cannot remove method setting"):
        client.update_stage(restApiId=api, stageName="dev", patchOperations=[{"op": "remove", "path": "/*/*"}])
