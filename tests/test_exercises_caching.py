"""The checks of 06_caching accept the right answer, reject a wrong or blank one with a hint, and never raise."""

from __future__ import annotations

import pytest

from labkit import VirtualClock
from labkit.exercises import caching as exercises
from labkit.apis import RestApi, lambda_uri
from exercise_asserts import hints as _hints, passes as _passes

COUNTER = '''
import json
calls = {"n": 0}
def handler(event, context):
    calls["n"] += 1
    return {"statusCode": 200, "body": json.dumps({"calls": calls["n"], "query": event["queryStringParameters"]})}
'''
REGION, FORMAT = exercises.REPORT_KEYS


# --- exercise 1 ----------------------------------------------------------------------------------------

def test_backend_calls(capsys):
    _hints(capsys, exercises.check_backend_calls(None), "7 requests")
    _hints(capsys, exercises.check_backend_calls("three"), "whole number")
    _hints(capsys, exercises.check_backend_calls(7), "not every request")
    _hints(capsys, exercises.check_backend_calls(2), "does not extend")
    _hints(capsys, exercises.check_backend_calls(1), "expires")
    _hints(capsys, exercises.check_backend_calls(5), "timeline")
    _passes(capsys, exercises.check_backend_calls(3))
    _passes(capsys, exercises.check_backend_calls("3"))


def test_backend_calls_match_the_gateway(lab):
    """The answer the check expects is what a virtual gateway's stage cache does."""
    fn = lab.lambda_function("count-predict", COUNTER)
    client = lab.client("apigateway")
    api = RestApi.create(client, "predict")
    api.resource("/items").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": str(exercises.PREDICT_TTL)}])
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    url = lab.stage_url(api.id, "dev") + "/items"
    seen = []
    for t in exercises.PREDICT_TIMES:
        clock.advance(t - clock.elapsed)
        seen.append(gw.invoke("GET", url).headers["x-labkit-cache"])
    assert seen.count("MISS") == exercises.backend_calls_for() == 3
    assert exercises.check_backend_calls(seen.count("MISS"))


# --- exercise 2 ----------------------------------------------------------------------------------------

def _reports_api(lab, name="reports"):
    """The exercise's set-up: GET /reports keyed on region only, on a cached stage `dev`."""
    fn = lab.lambda_function(f"count-{name}", COUNTER)
    client = lab.client("apigateway")
    api = RestApi.create(client, name)
    reports = api.resource("/reports")
    reports.method("GET", request_parameters={REGION: False, FORMAT: False})

    def integrate(keys):
        client.put_integration(restApiId=api.id, resourceId=reports.id, httpMethod="GET", type="AWS_PROXY",
                               integrationHttpMethod="POST", uri=lambda_uri(api.region, fn), cacheKeyParameters=keys)

    integrate([REGION])
    api.deploy("dev")
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"}])
    return api, integrate


def test_cache_key_blank_and_unfixed(lab, capsys):
    api, _ = _reports_api(lab)
    _hints(capsys, exercises.check_cache_key(lab, None), "api.id")
    _hints(capsys, exercises.check_cache_key(lab, "nosuchapi"), "failed")
    _hints(capsys, exercises.check_cache_key(lab, api.id), FORMAT)


def test_cache_key_without_redeploying(lab, capsys):
    api, integrate = _reports_api(lab, "noredeploy")
    integrate([REGION, FORMAT])
    _hints(capsys, exercises.check_cache_key(lab, api.id), "deploy the API")


def test_cache_key_with_caching_off(lab, capsys):
    api, integrate = _reports_api(lab, "cacheoff")
    integrate([REGION, FORMAT])
    api.deploy("dev")
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "false"}])
    _hints(capsys, exercises.check_cache_key(lab, api.id), "cache cluster on")


def test_cache_key_fixed(lab, capsys):
    api, integrate = _reports_api(lab, "fixed")
    integrate([REGION, FORMAT])
    api.deploy("dev")
    _passes(capsys, exercises.check_cache_key(lab, api.id))


def test_cache_key_without_reports(lab, capsys):
    api = RestApi.create(lab.client("apigateway"), "empty")
    _hints(capsys, exercises.check_cache_key(lab, api.id), "/reports")


# --- exercise 3 ----------------------------------------------------------------------------------------

def test_ttl_rejects_blank_and_out_of_range(lab, capsys):
    _hints(capsys, exercises.check_ttl(lab, None), "75%")
    _hints(capsys, exercises.check_ttl(lab, 4000), "0 to 3600")
    _hints(capsys, exercises.check_ttl(lab, 30.5), "whole number")
    _hints(capsys, exercises.check_ttl(lab, True), "whole number")


@pytest.mark.parametrize("ttl, words", [(10, "Too few hits"), (300, "Too many stale reads")])
def test_ttl_wrong(lab, capsys, ttl, words):
    _hints(capsys, exercises.check_ttl(lab, ttl), words)


def test_ttl_right(lab, capsys):
    _passes(capsys, exercises.check_ttl(lab, 45))
