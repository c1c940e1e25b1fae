"""Canary releases on the data plane: the stage's canary deployment answers `percentTraffic` of the
requests, with the canary's stage-variable overrides and `$context.isCanaryRequest` true.
https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html
Recordings: LocalStack's AWS-validated `tests/aws/services/apigateway/test_apigateway_canary.snapshot.json`.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from labkit import VirtualClock
from labkit.apis import RestApi

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)



def _template(message):
    return json.dumps({"statusCode": 200, "message": message, "variable": "$stageVariables.testVar",
                       "nonExistingDefault": "$stageVariables.noStageVar",
                       "nonOverridden": "$stageVariables.defaultVar", "isCanary": "$context.isCanaryRequest"})


def _mock_root(client, name):
    api = RestApi.create(client, name)
    root = api.root_id
    client.put_method(restApiId=api.id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_method_response(restApiId=api.id, resourceId=root, httpMethod="GET", statusCode="200")
    client.put_integration(restApiId=api.id, resourceId=root, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    client.put_integration_response(restApiId=api.id, resourceId=root, httpMethod="GET", statusCode="200",
                                    selectionPattern="",
                                    responseTemplates={"application/json": _template("default deployment")})
    return api


def _two_deployments(lab, name, percent=0.0, use_stage_cache=None):
    """The recorded setup: deployment 1 on `dev` with two variables, then deployment 2 (another
    response template) as the canary with two overrides, one of a variable the stage lacks."""
    client = lab.client("apigateway")
    api = _mock_root(client, name)
    first = client.create_deployment(restApiId=api.id, stageName="dev",
                                     variables={"testVar": "default", "defaultVar": "default"})["id"]
    # The recording patches the template with update_integration_response, which moto lacks: put it again.
    client.put_integration_response(restApiId=api.id, resourceId=api.root_id, httpMethod="GET", statusCode="200",
                                    selectionPattern="",
                                    responseTemplates={"application/json": _template("canary deployment")})
    canary = {"percentTraffic": percent, "stageVariableOverrides": {"testVar": "canary", "noStageVar": "canary"}}
    if use_stage_cache is not None:
        canary["useStageCache"] = use_stage_cache
    second = client.create_deployment(restApiId=api.id, stageName="dev", canarySettings=canary)["id"]
    return client, api, first, second, lab.stage_url(api.id, "dev") + "/"


def test_invoking_canary_deployment(lab):
    """test_apigateway_canary.snapshot.json::tests/aws/services/apigateway/test_apigateway_canary.py::
    TestCanaryDeployments::test_invoking_canary_deployment: at 0 % the stage's deployment
    answers ("response-deployment-1"); at 100 % the canary does, with its overrides ("update-stage",
    "response-canary-deployment")."""
    client, api, first, second, url = _two_deployments(lab, "canary-invoke")
    gw = lab.gateway(clock=VirtualClock(), seed=1)
    before = gw.invoke("GET", url)
    assert before.status_code == 200
    assert before.json() == {"isCanary": "false", "message": "default deployment", "nonExistingDefault": "",
                             "nonOverridden": "default", "statusCode": 200, "variable": "default"}
    assert not before.trace.canary
    stage = client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "100.0"}])
    assert stage["deploymentId"] == first
    assert stage["canarySettings"] == {"deploymentId": second, "percentTraffic": 100.0, "useStageCache": False,
                                       "stageVariableOverrides": {"noStageVar": "canary", "testVar": "canary"}}
    assert stage["variables"] == {"defaultVar": "default", "testVar": "default"}
    after = gw.invoke("GET", url)
    assert after.status_code == 200
    assert after.json() == {"isCanary": "true", "message": "canary deployment", "nonExistingDefault": "canary",
                            "nonOverridden": "default", "statusCode": 200, "variable": "canary"}
    assert after.trace.canary


def test_promotion_makes_the_canary_the_stage_deployment(lab):
    """test_apigateway_canary.snapshot.json::tests/aws/services/apigateway/test_apigateway_canary.py::
    TestStageCrudCanary::test_update_stage_with_copy_ops ("get-stage",
    "update-stage-with-copy-2"): the copy operations promote the canary's deployment and overrides;
    the data plane then answers from the promoted deployment, as a stage request."""
    client, api, first, second, url = _two_deployments(lab, "canary-promote", percent=50.0)
    promoted = client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "value": "0.0", "path": "/canarySettings/percentTraffic"},
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"}])
    assert promoted["deploymentId"] == second
    assert promoted["canarySettings"]["percentTraffic"] == 0.0
    assert promoted["variables"] == {"defaultVar": "default", "testVar": "canary", "noStageVar": "canary"}
    gw = lab.gateway(clock=VirtualClock(), seed=1)
    answers = [gw.invoke("GET", url) for _ in range(20)]
    assert {a.json()["message"] for a in answers} == {"canary deployment"}
    assert {a.json()["isCanary"] for a in answers} == {"false"}
    assert {a.json()["variable"] for a in answers} == {"canary"}
    assert not any(a.trace.canary for a in answers)


def test_promotion_of_a_canary_made_by_update_stage(lab):
    """test_apigateway_canary.snapshot.json::tests/aws/services/apigateway/test_apigateway_canary.py::
    TestStageCrudCanary::test_update_stage_with_copy_ops ("update-stage-with-copy"): a
    canary made by patching percentTraffic alone takes the stage's deployment."""
    client = lab.client("apigateway")
    api = _mock_root(client, "canary-copy")
    first = client.create_deployment(restApiId=api.id, stageName="dev",
                                     variables={"testVar": "test", "testVar2": "test2"})["id"]
    stage = client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "value": "0.0", "path": "/canarySettings/percentTraffic"},
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"}])
    assert stage["deploymentId"] == first
    assert stage["canarySettings"] == {"deploymentId": first, "percentTraffic": 0.0, "useStageCache": False}
    assert stage["variables"] == {"testVar": "test", "testVar2": "test2"}
    answer = lab.gateway(clock=VirtualClock()).invoke("GET", lab.stage_url(api.id, "dev") + "/")
    assert answer.status_code == 200 and answer.json()["message"] == "default deployment"
    assert answer.json()["isCanary"] == "false"


# --- the kit's own tests of the routing split (no recording: canary-release.html) ----------------------


@pytest.mark.parametrize("percent", [10.0, 50.0])
def test_percent_traffic_goes_to_the_canary(lab, percent):
    """canary-release.html: `percentTraffic` of the requests go to the canary (seeded: ± 2.5 points
    over 2,000 requests, about 4 standard deviations at 10 %)."""
    _, _, _, _, url = _two_deployments(lab, f"canary-split-{int(percent)}", percent=percent)
    gw = lab.gateway(clock=VirtualClock(), seed=7)
    answers = [gw.invoke("GET", url) for _ in range(2000)]
    counts = Counter(a.json()["message"] for a in answers)
    assert abs(100 * counts["canary deployment"] / 2000 - percent) < 2.5
    assert all(a.trace.canary == (a.json()["message"] == "canary deployment") for a in answers)
    assert all(a.json()["isCanary"] == ("true" if a.trace.canary else "false") for a in answers)


def test_the_split_is_the_same_with_the_same_seed(lab):
    _, _, _, _, url = _two_deployments(lab, "canary-seeded", percent=30.0)
    runs = []
    for _ in range(2):
        gw = lab.gateway(clock=VirtualClock(), seed=3)
        runs.append([gw.invoke("GET", url).trace.canary for _ in range(200)])
    assert runs[0] == runs[1] and 0 < sum(runs[0]) < 200


def test_all_canary_at_100_and_none_at_0(lab):
    client, api, _, _, url = _two_deployments(lab, "canary-ends", percent=100.0)
    gw = lab.gateway(clock=VirtualClock(), seed=0)
    assert {gw.invoke("GET", url).json()["message"] for _ in range(50)} == {"canary deployment"}
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"}])
    assert {gw.invoke("GET", url).json()["message"] for _ in range(50)} == {"default deployment"}


def test_removing_the_canary_sends_everything_to_the_stage(lab):
    client, api, _, _, url = _two_deployments(lab, "canary-removed", percent=100.0)
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[{"op": "remove", "path": "/canarySettings"}])
    answer = lab.gateway(clock=VirtualClock()).invoke("GET", url)
    assert answer.json()["message"] == "default deployment"
    assert answer.json()["isCanary"] == ""  # $context.isCanaryRequest: present only with a canary


@pytest.mark.parametrize("use_stage_cache", [False, True])
def test_use_stage_cache_decides_whether_canary_requests_use_the_stage_cache(lab, use_stage_cache):
    """API_CanarySettings `useStageCache`: whether the canary's requests use the stage cache."""
    client, api, _, _, url = _two_deployments(lab, f"canary-cache-{use_stage_cache}", percent=100.0,
                                              use_stage_cache=use_stage_cache)
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"}])
    gw = lab.gateway(clock=VirtualClock(), seed=0)
    answers = [gw.invoke("GET", url) for _ in range(2)]
    assert all(a.trace.canary for a in answers)
    if use_stage_cache:
        assert [a.headers["x-labkit-cache"] for a in answers] == ["MISS", "HIT"]
    else:
        assert all("x-labkit-cache" not in a.headers for a in answers)


def test_a_split_canary_stage_is_not_compiled_for_simulations(lab):
    """A simulated request class is one deployment's: a split stage is answered request by request."""

    _, api, _, _, url = _two_deployments(lab, "canary-compile", percent=50.0)
    gw = lab.gateway(clock=VirtualClock(), seed=0)
    assert gw.prepare(gw.request_from_url("GET", url, None, b"")) is None
