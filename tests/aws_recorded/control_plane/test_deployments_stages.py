"""Deployments and stages on the control plane, as AWS answers them.

Recordings: LocalStack's AWS-validated snapshots under tests/aws/services/apigateway/ (file and key in
each test's docstring). Dates, ids and ResponseMetadata are placeholders there and are not compared.
"""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

ACTIVE_STAGES = "Active stages pointing to this deployment must be moved or deleted"
INVALID_ACCESS_LOG_PATH = ("Invalid accessLogSettings path. Must be one of : "
                           "[/accessLogSettings/destinationArn, /accessLogSettings/format]")
LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:test-log-group"


def _api(lab):
    """The recordings' API: GET / with a MOCK integration (a deployment needs one)."""
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="stages")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    return client, api_id


def _bare(answer):
    """The answer without ResponseMetadata and dates (placeholders in the recordings)."""
    return {k: v for k, v in answer.items() if k not in ("ResponseMetadata", "createdDate", "lastUpdatedDate")}


def _error(failed):
    error = failed.value.response["Error"]
    return failed.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


def _stage(name, deployment_id, **more):
    """The stage fields AWS answers for a stage with nothing set (recorded "all-stages")."""
    return {"cacheClusterEnabled": False, "cacheClusterStatus": "NOT_AVAILABLE", "deploymentId": deployment_id,
            "methodSettings": {}, "stageName": name, "tracingEnabled": False, **more}


def test_update_deployment_description(lab):
    """test_apigateway_basic.snapshot.json::...::TestAPIGateway::test_update_rest_api_deployment
    "after-update": 200 with id, createdDate and the new description."""
    client, api_id = _api(lab)
    deployment_id = client.create_deployment(restApiId=api_id, description="my deployment")["id"]
    answer = client.update_deployment(restApiId=api_id, deploymentId=deployment_id,
                                      patchOperations=[{"op": "replace", "path": "/description",
                                                        "value": "new-description"}])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert isinstance(answer["createdDate"], dt.datetime)
    assert _bare(answer) == {"id": deployment_id, "description": "new-description"}
    assert client.get_deployment(restApiId=api_id, deploymentId=deployment_id)["description"] == "new-description"


def test_deployment_shape(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_update_stage_with_copy_ops
    "deployment-1", "deployment-canary": a deployment made without a description answers only id and
    createdDate (201), also a canary deployment (moto answered an empty description there)."""
    client, api_id = _api(lab)
    created = client.create_deployment(restApiId=api_id, stageName="dev")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(created) == {"id": created["id"]}
    canary = client.create_deployment(restApiId=api_id, stageName="dev", canarySettings={"percentTraffic": 50})
    assert _bare(canary) == {"id": canary["id"]}
    got = client.get_deployment(restApiId=api_id, deploymentId=canary["id"])
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(got) == {"id": canary["id"]}
    assert [_bare(d) for d in client.get_deployments(restApiId=api_id)["items"]] == [
        {"id": created["id"]}, {"id": canary["id"]}]


def test_delete_deployment_of_a_created_stage_is_refused_until_the_stage_moves(lab):
    """test_apigateway_common.snapshot.json::...::TestDeployments::test_create_update_deployments
    "delete-deployment-error", "get-stages-after-update", "delete-deployment-1",
    "delete-deployment-2-error": a stage made by CreateStage holds its deployment (400); once a new
    deployment repoints the stage, the old one deletes (202) and the new one is held."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id)["id"]
    client.create_stage(restApiId=api_id, stageName="s1", deploymentId=first)
    with pytest.raises(ClientError) as failed:
        client.delete_deployment(restApiId=api_id, deploymentId=first)
    assert _error(failed) == (400, "BadRequestException", ACTIVE_STAGES)
    second = client.create_deployment(restApiId=api_id, stageName="s1")["id"]
    assert [_bare(s) for s in client.get_stages(restApiId=api_id)["item"]] == [_stage("s1", second)]
    deleted = client.delete_deployment(restApiId=api_id, deploymentId=first)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as failed:
        client.delete_deployment(restApiId=api_id, deploymentId=second)
    assert _error(failed) == (400, "BadRequestException", ACTIVE_STAGES)


def test_delete_deployment_after_its_stage_is_deleted(lab):
    """test_apigateway_common.snapshot.json::...::TestDeployments::test_create_delete_deployments[True]
    "delete-deployment-error-0", "get-deployments-0": refused while the stage exists, allowed after."""
    client, api_id = _api(lab)
    deployment_id = client.create_deployment(restApiId=api_id)["id"]
    client.create_stage(restApiId=api_id, stageName="s1", deploymentId=deployment_id)
    with pytest.raises(ClientError) as failed:
        client.delete_deployment(restApiId=api_id, deploymentId=deployment_id)
    assert _error(failed) == (400, "BadRequestException", ACTIVE_STAGES)
    client.delete_stage(restApiId=api_id, stageName="s1")
    client.delete_deployment(restApiId=api_id, deploymentId=deployment_id)
    assert client.get_deployments(restApiId=api_id)["items"] == []


def test_get_stages_filters_by_deployment_id(lab):
    """test_apigateway_api.snapshot.json::...::TestApiGatewayStage::test_get_stages_filters_by_deployment_id
    "all-stages", "stages-deploy1", "stages-deploy2": AWS's stage fields (no empty variables or
    description), and deploymentId keeps only that deployment's stage."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id, stageName="stage1")["id"]
    second = client.create_deployment(restApiId=api_id, stageName="stage2")["id"]
    every = client.get_stages(restApiId=api_id)["item"]
    assert [_bare(s) for s in every] == [_stage("stage1", first), _stage("stage2", second)]
    assert all(isinstance(s["createdDate"], dt.datetime) and isinstance(s["lastUpdatedDate"], dt.datetime)
               for s in every)
    assert [_bare(s) for s in client.get_stages(restApiId=api_id, deploymentId=first)["item"]] == [
        _stage("stage1", first)]
    assert [_bare(s) for s in client.get_stages(restApiId=api_id, deploymentId=second)["item"]] == [
        _stage("stage2", second)]


def _dev_stage(lab):
    client, api_id = _api(lab)
    deployment_id = client.create_deployment(restApiId=api_id)["id"]
    created = client.create_stage(restApiId=api_id, stageName="dev", deploymentId=deployment_id,
                                  description="dev stage")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    return client, api_id, deployment_id


def _update(client, api_id, *operations):
    return client.update_stage(restApiId=api_id, stageName="dev", patchOperations=list(operations))


def test_stage_access_log_settings(lab):
    """test_apigateway_api.snapshot.json::...::TestApiGatewayStage::test_stage_access_log_settings
    "update-stage-access-log-dest-add", "-dest-replace", "-format-add", "-remove-all"."""
    client, api_id, deployment_id = _dev_stage(lab)
    dev = _stage("dev", deployment_id, description="dev stage")
    added = _update(client, api_id, {"op": "add", "path": "/accessLogSettings/destinationArn", "value": LOG_ARN})
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(added) == {**dev, "accessLogSettings": {"destinationArn": LOG_ARN}}
    replaced = _update(client, api_id, {"op": "replace", "path": "/accessLogSettings/destinationArn",
                                        "value": LOG_ARN + "a"})
    assert _bare(replaced) == {**dev, "accessLogSettings": {"destinationArn": LOG_ARN + "a"}}
    formatted = _update(client, api_id, {"op": "add", "path": "/accessLogSettings/format",
                                         "value": "$context.requestId $context.identity.sourceIp"})
    assert _bare(formatted) == {**dev, "accessLogSettings": {
        "destinationArn": LOG_ARN + "a", "format": "$context.requestId $context.identity.sourceIp"}}
    removed = _update(client, api_id, {"op": "remove", "path": "/accessLogSettings"})
    assert _bare(removed) == dev
    assert _bare(client.get_stage(restApiId=api_id, stageName="dev")) == dev


@pytest.mark.parametrize("op, path", [
    ("add", "/accessLogSettings/randomValue"), ("replace", "/accessLogSettings/randomValue"),
    ("add", "/accessLogSettings/*"), ("replace", "/accessLogSettings/*"),
    ("add", "/accessLogSettings"), ("replace", "/accessLogSettings")])
def test_stage_access_log_settings_invalid_path(lab, op, path):
    """test_apigateway_api.snapshot.json::...::TestApiGatewayStage::test_stage_access_log_settings_validation
    "invalid-path-add/replace", "star-and-add/replace", "root-and-add/replace"."""
    client, api_id, _ = _dev_stage(lab)
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": op, "path": path, "value": "updated"})
    assert _error(failed) == (400, "BadRequestException", INVALID_ACCESS_LOG_PATH)


@pytest.mark.parametrize("field", ["randomValue", "*", "destinationArn"])
def test_stage_access_log_settings_remove_one_field(lab, field):
    """test_apigateway_api.snapshot.json::...::test_stage_access_log_settings_validation "invalid-path-remove",
    "star-and-remove", "update-stage-access-log-dest-remove": removing one field is refused, even a set one."""
    client, api_id, _ = _dev_stage(lab)
    _update(client, api_id, {"op": "add", "path": "/accessLogSettings/destinationArn", "value": LOG_ARN})
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "remove", "path": f"/accessLogSettings/{field}"})
    assert _error(failed) == (400, "BadRequestException", f"Cannot remove method setting accessLogSettings/{field} "
                                                           "because there is no method setting for this method ")


@pytest.mark.parametrize("field", ["destinationArn", "format"])
def test_stage_access_log_settings_empty_value(lab, field):
    """test_apigateway_api.snapshot.json::...::test_stage_access_log_settings_validation
    "update-stage-access-log-destinationArn-empty", "update-stage-access-log-format-empty"."""
    client, api_id, _ = _dev_stage(lab)
    _update(client, api_id, {"op": "add", "path": "/accessLogSettings/destinationArn", "value": LOG_ARN})
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "replace", "path": f"/accessLogSettings/{field}", "value": ""})
    assert _error(failed) == (400, "BadRequestException", "Access Log value must not be empty")
    assert client.get_stage(restApiId=api_id, stageName="dev")["accessLogSettings"] == {"destinationArn": LOG_ARN}


def test_copy_other_than_a_promotion_is_refused(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_update_stage_with_copy_ops
    "copy-with-bad-statement"."""
    client, api_id, _ = _dev_stage(lab)
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "copy", "path": "/canarySettings/stageVariableOverrides", "from": "/variables"})
    assert _error(failed) == (
        400, "BadRequestException",
        "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid "
        "copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, "
        "/canarySettings/stageVariableOverrides]")


def test_promotion_by_copy_answers_the_promoted_stage(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_update_stage_with_copy_ops
    "update-stage-with-copy-2": the stage answers the canary's deployment and variables after promotion,
    and percentTraffic 0."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id, stageName="dev",
                                     variables={"testVar": "test", "testVar2": "test2"})["id"]
    second = client.create_deployment(restApiId=api_id, stageName="dev", canarySettings={
        "percentTraffic": 50, "stageVariableOverrides": {"testVar": "override"}})["id"]
    got = client.get_stage(restApiId=api_id, stageName="dev")
    assert got["deploymentId"] == first
    promoted = _update(client, api_id,
                       {"op": "copy", "path": "/deploymentId", "from": "/canarySettings/deploymentId"},
                       {"op": "copy", "path": "/variables", "from": "/canarySettings/stageVariableOverrides"},
                       {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"})
    assert _bare(promoted) == _stage("dev", second, variables={"testVar": "override", "testVar2": "test2"},
                                     canarySettings={"deploymentId": second, "percentTraffic": 0.0,
                                                     "stageVariableOverrides": {"testVar": "override"},
                                                     "useStageCache": False})


def _invalid_path(path):
    return ("Invalid method setting path: " + path + ". Must be one of: [/deploymentId, /description, "
            "/cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, "
            "/accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, "
            "/{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, "
            "/{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit"
            "/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, "
            "/{resourcePath}/{httpMethod}/caching/dataEncrypted, "
            "/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, "
            "/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, "
            "/*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit "
            "/*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, "
            "/*/*/caching/requireAuthorizationForCacheControl, "
            "/*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]")


@pytest.mark.parametrize("path", ["/documentation_version", "/tags/tag1", "/canarySettings", "/canarySettings/badPath"])
def test_update_stage_unknown_path(lab, path):
    """test_apigateway_common.snapshot.json::...::TestStages::test_create_update_stages "error-update-doc-version",
    "error-update-tags"; test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::
    test_update_stage_canary_deployment_validation "update-stage-canary-settings-bad-path-2",
    "update-stage-canary-settings-replace-bad-path": a replace on a path UpdateStage does not know."""
    client, api_id, _ = _dev_stage(lab)
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "replace", "path": path, "value": "123"})
    assert _error(failed) == (400, "BadRequestException", _invalid_path(path))


def test_add_canary_deployment_id_is_refused(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_update_stage_canary_deployment_validation
    "update-stage-add-deployment"."""
    client, api_id, deployment_id = _dev_stage(lab)
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "add", "path": "/canarySettings/deploymentId", "value": deployment_id})
    assert _error(failed) == (400, "BadRequestException",
                              "Invalid add operation with path: /canarySettings/deploymentId")


def test_update_stage_fields_variables_and_method_settings(lab):
    """test_apigateway_common.snapshot.json::...::TestStages::test_create_update_stages "update-stage",
    "get-stage": description, variables, tracing and method settings in one UpdateStage (a per-method
    entry starts from */*)."""
    client, api_id, deployment_id = _dev_stage(lab)
    answer = _update(client, api_id,
                     {"op": "replace", "path": "/description", "value": "stage new"},
                     {"op": "replace", "path": "/variables/var1", "value": "test"},
                     {"op": "replace", "path": "/variables/var2", "value": "test2"},
                     {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "123"},
                     {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
                     {"op": "replace", "path": "/tracingEnabled", "value": "true"},
                     {"op": "replace", "path": "/test/GET/throttling/burstLimit", "value": "124"})
    setting = {"cacheDataEncrypted": False, "cacheTtlInSeconds": 300, "cachingEnabled": True,
               "dataTraceEnabled": False, "metricsEnabled": False, "requireAuthorizationForCacheControl": True,
               "throttlingRateLimit": 10000.0, "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}
    expected = _stage("dev", deployment_id, description="stage new", tracingEnabled=True,
                      variables={"var1": "test", "var2": "test2"},
                      methodSettings={"*/*": {**setting, "throttlingBurstLimit": 123},
                                      "test/GET": {**setting, "throttlingBurstLimit": 124}})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(answer) == expected
    assert _bare(client.get_stage(restApiId=api_id, stageName="dev")) == expected


def test_create_stage_answers_201_with_the_stage_in_aws_shape(lab):
    """test_apigateway_api.snapshot.json::...::TestApiGatewayStage::test_stage_access_log_settings "create-stage":
    201, dates, cacheClusterStatus NOT_AVAILABLE, tracingEnabled false, no empty variables."""
    client, api_id = _api(lab)
    deployment_id = client.create_deployment(restApiId=api_id)["id"]
    created = client.create_stage(restApiId=api_id, stageName="dev", deploymentId=deployment_id,
                                  description="dev stage")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(created) == _stage("dev", deployment_id, description="dev stage")
    assert isinstance(created["createdDate"], dt.datetime) and isinstance(created["lastUpdatedDate"], dt.datetime)


def test_create_canary_deployment_with_stage(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_create_canary_deployment_with_stage
    "create-stage", "create-canary-deployment", "get-stage": a canary deployment on an existing stage answers
    201 with id only; the stage keeps its deployment and answers the canary's."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id)["id"]
    created = client.create_stage(restApiId=api_id, stageName="dev", deploymentId=first, description="dev stage",
                                  variables={"testVar": "default"})
    dev = _stage("dev", first, description="dev stage", variables={"testVar": "default"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(created) == dev
    canary = client.create_deployment(restApiId=api_id, stageName="dev", canarySettings={
        "percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary"}})
    assert canary["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(canary) == {"id": canary["id"]}
    got = client.get_stage(restApiId=api_id, stageName="dev")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(got) == {**dev, "canarySettings": {"deploymentId": canary["id"], "percentTraffic": 50.0,
                                                    "stageVariableOverrides": {"testVar": "canary"},
                                                    "useStageCache": False}}


def test_create_canary_deployment(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_create_canary_deployment "create-stage",
    "get-stage-1", "create-stage-2", "bad-canary-deployment-id": CreateStage takes canarySettings, a canary
    deployment replaces them, and a canary on an unknown deployment is refused with no stage made."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id)["id"]
    base = {"description": "dev stage", "variables": {"testVar": "default"}}
    created = client.create_stage(restApiId=api_id, stageName="dev1", deploymentId=first, **base, canarySettings={
        "deploymentId": first, "percentTraffic": 40, "stageVariableOverrides": {"testVar": "canary1"}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(created) == _stage("dev1", first, **base, canarySettings={
        "deploymentId": first, "percentTraffic": 40.0, "stageVariableOverrides": {"testVar": "canary1"},
        "useStageCache": False})
    second = client.create_deployment(restApiId=api_id, stageName="dev1", canarySettings={
        "percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary2"}})["id"]
    assert _bare(client.get_stage(restApiId=api_id, stageName="dev1")) == _stage("dev1", first, **base, canarySettings={
        "deploymentId": second, "percentTraffic": 50.0, "stageVariableOverrides": {"testVar": "canary2"},
        "useStageCache": False})
    other = client.create_stage(restApiId=api_id, stageName="dev2", deploymentId=first, **base, canarySettings={
        "deploymentId": second, "percentTraffic": 60, "stageVariableOverrides": {"testVar": "canary-overridden"}})
    assert other["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert _bare(other) == _stage("dev2", first, **base, canarySettings={
        "deploymentId": second, "percentTraffic": 60.0, "stageVariableOverrides": {"testVar": "canary-overridden"},
        "useStageCache": False})
    with pytest.raises(ClientError) as failed:
        client.create_stage(restApiId=api_id, stageName="dev3", deploymentId=first, description="dev stage",
                            canarySettings={"deploymentId": "deploy"})
    assert _error(failed) == (400, "BadRequestException", "Deployment id does not exist")
    assert [s["stageName"] for s in client.get_stages(restApiId=api_id)["item"]] == ["dev1", "dev2"]


def test_create_canary_deployment_by_stage_update(lab):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_create_canary_deployment_by_stage_update
    "update-stage-with-deployment", "remove-stage-canary", "update-stage-with-percent", "get-stage": a patch
    makes the canary (percentTraffic 0, no overrides), `remove /canarySettings` drops it, and a percent
    patch makes a new one on the stage's own deployment."""
    client, api_id = _api(lab)
    first = client.create_deployment(restApiId=api_id)["id"]
    second = client.create_deployment(restApiId=api_id)["id"]
    client.create_stage(restApiId=api_id, stageName="dev", deploymentId=first, description="dev stage",
                        variables={"testVar": "default"})
    dev = _stage("dev", first, description="dev stage", variables={"testVar": "default"})
    made = _update(client, api_id, {"op": "replace", "path": "/canarySettings/deploymentId", "value": second})
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert _bare(made) == {**dev, "canarySettings": {"deploymentId": second, "percentTraffic": 0.0,
                                                     "useStageCache": False}}
    assert _bare(_update(client, api_id, {"op": "remove", "path": "/canarySettings"})) == dev
    percent = _update(client, api_id, {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "50"})
    expected = {**dev, "canarySettings": {"deploymentId": first, "percentTraffic": 50.0, "useStageCache": False}}
    assert _bare(percent) == expected
    assert _bare(client.get_stage(restApiId=api_id, stageName="dev")) == expected


@pytest.mark.parametrize("stage_name, message", [
    (None, "Invalid deployment content specified.Non null and non empty stageName must be provided for canary "
           "deployment. Provided value is null"),
    ("", "Invalid deployment content specified.Non null and non empty stageName must be provided for canary "
         "deployment. Provided value is "),
    ("non-existing", "Invalid deployment content specified.Stage non-existing must already be created before "
                     "making a canary release deployment"),
])
def test_create_canary_deployment_validation(lab, stage_name, message):
    """test_apigateway_canary.snapshot.json::...::TestStageCrudCanary::test_create_canary_deployment_validation
    "create-canary-deployment-no-stage", "-empty-stage", "-non-existing-stage"; no deployment is made."""
    client, api_id = _api(lab)
    kwargs = {} if stage_name is None else {"stageName": stage_name}
    with pytest.raises(ClientError) as failed:
        client.create_deployment(restApiId=api_id, canarySettings={
            "percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary"}}, **kwargs)
    assert _error(failed) == (400, "BadRequestException", message)
    assert client.get_deployments(restApiId=api_id)["items"] == []


def test_stage_client_certificate(lab):
    """UpdateStage names only an existing client certificate, and the stage answers it as `clientCertificateId`;
    remove clears it (https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html#UpdateStage-Patch,
    API_Stage.html; the 404's wording is the kit's, AWS's is not recorded)."""
    client, api_id, _ = _dev_stage(lab)
    certificate = client.generate_client_certificate(description="backend")["clientCertificateId"]
    assert "clientCertificateId" not in client.get_stage(restApiId=api_id, stageName="dev")
    assert _update(client, api_id, {"op": "replace", "path": "/clientCertificateId",
                                    "value": certificate})["clientCertificateId"] == certificate
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "replace", "path": "/clientCertificateId", "value": "nope"})
    assert _error(failed) == (404, "NotFoundException", "Invalid Client Certificate identifier specified")
    assert client.get_stage(restApiId=api_id, stageName="dev")["clientCertificateId"] == certificate
    removed = _update(client, api_id, {"op": "remove", "path": "/clientCertificateId"})
    assert "clientCertificateId" not in removed
    other = client.generate_client_certificate()["clientCertificateId"]
    assert _update(client, api_id, {"op": "replace", "path": "/clientCertificateId",
                                    "value": other})["clientCertificateId"] == other


@pytest.mark.parametrize("path, value, allowed", [
    ("/*/*/throttling/rateLimit", "-1", "a number of requests per second >= 0"),
    ("/*/*/throttling/rateLimit", "NaN", "a number of requests per second >= 0"),
    ("/*/*/throttling/rateLimit", "Infinity", "a number of requests per second >= 0"),
    ("/*/*/throttling/rateLimit", "abc", "a number of requests per second >= 0"),
    ("/test/GET/throttling/burstLimit", "-5", "a whole number >= 0"),
    ("/*/*/throttling/burstLimit", "abc", "a whole number >= 0"),
    ("/*/*/throttling/burstLimit", "1.5", "a whole number >= 0"),
])
def test_stage_throttle_numbers(lab, path, value, allowed):
    """Issue 16 item 9: a stage's throttling rate is a double >= 0 and its burst an integer >= 0
    (https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html; the minimum 0 as AWS documents it
    for ThrottleSettings; AWS's message is not recorded: the kit's names the path, the range and the value).
    The stage is left as it was."""
    client, api_id, _ = _dev_stage(lab)
    with pytest.raises(ClientError) as failed:
        _update(client, api_id, {"op": "replace", "path": path, "value": value})
    assert _error(failed) == (400, "BadRequestException", f"Invalid {path}: {value!r}. It must be {allowed}.")
    assert client.get_stage(restApiId=api_id, stageName="dev")["methodSettings"] == {}


# ---------------------------------------------------------------- the stage quota (issue 17)

STAGE_QUOTA = 10  # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html


def _fill_stages(client, api_id):
    """An API with its 10 stages (the default quota), all on one deployment."""
    deployment_id = client.create_deployment(restApiId=api_id, stageName="s0")["id"]
    for n in range(1, STAGE_QUOTA):
        client.create_stage(restApiId=api_id, stageName=f"s{n}", deploymentId=deployment_id)
    return deployment_id


def _stage_names(client, api_id):
    return sorted(s["stageName"] for s in client.get_stages(restApiId=api_id)["item"])


def test_the_stage_quota_matches_the_limits_file():
    """The kit's quota is the one data/limits/api_gateway_rest.yaml cites (AWS's quotas table)."""
    from labkit.backends.moto.patches.control.deployments import STAGES_PER_API
    from labkit.design.limits import limit

    assert STAGES_PER_API == limit("stages_per_api").value == STAGE_QUOTA


def test_create_stage_refuses_an_eleventh_stage(lab):
    """AWS's default quota: 10 stages per API. The 11th CreateStage is refused (400, the kit's wording: AWS's
    is not recorded) and no stage is made."""
    client, api_id = _api(lab)
    deployment_id = _fill_stages(client, api_id)
    with pytest.raises(ClientError) as failed:
        client.create_stage(restApiId=api_id, stageName="s10", deploymentId=deployment_id)
    status, code, message = _error(failed)
    assert (status, code) == (400, "BadRequestException")
    assert "Maximum number of stages" in message and "(10)" in message
    assert len(_stage_names(client, api_id)) == STAGE_QUOTA


def test_create_deployment_refuses_an_eleventh_stage_and_makes_no_deployment(lab):
    """CreateDeployment naming a new 11th stage is refused before anything is made: no stage, no deployment."""
    client, api_id = _api(lab)
    _fill_stages(client, api_id)
    before = client.get_deployments(restApiId=api_id)["items"]
    with pytest.raises(ClientError) as failed:
        client.create_deployment(restApiId=api_id, stageName="s10")
    assert _error(failed)[:2] == (400, "BadRequestException")
    assert "Maximum number of stages" in _error(failed)[2]
    assert client.get_deployments(restApiId=api_id)["items"] == before
    assert "s10" not in _stage_names(client, api_id)


def test_a_full_api_still_redeploys_its_stages_and_takes_a_stage_after_a_delete(lab):
    """The quota counts stages, not deployments: a deployment to an existing stage is fine, and deleting a
    stage makes room for another."""
    client, api_id = _api(lab)
    _fill_stages(client, api_id)
    redeployed = client.create_deployment(restApiId=api_id, stageName="s3")["id"]
    assert client.get_stage(restApiId=api_id, stageName="s3")["deploymentId"] == redeployed
    client.delete_stage(restApiId=api_id, stageName="s9")
    client.create_stage(restApiId=api_id, stageName="s10", deploymentId=redeployed)
    assert len(_stage_names(client, api_id)) == STAGE_QUOTA


def test_the_stage_quota_is_per_api(lab):
    """Another API in the account has its own 10 stages."""
    client, api_id = _api(lab)
    _fill_stages(client, api_id)
    _, other = _api(lab)
    client.create_deployment(restApiId=other, stageName="prod")
    assert _stage_names(client, other) == ["prod"]
