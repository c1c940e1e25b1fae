"""The checks of 09_logging_monitoring_tracing accept the right answer, reject a wrong or blank one with a
hint, and never raise."""

from __future__ import annotations

import json

import pytest
import requests

from labkit.exercises import observability as exercises
from labkit.apis import RestApi
from exercise_asserts import hints as _hints, passes as _passes

JSON_FORMAT = '{"requestId":"$context.requestId","resourcePath":"$context.resourcePath","status":"$context.status"}'


@pytest.fixture
def api(lab):
    """The notebook's API in small: MOCK methods on dev, beta and prod."""
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "pets-observed")
    api.resource("/pets").method("GET").mock(body='{"pets": []}')
    api.resource("/search").method("GET").mock(body='{"hits": []}')
    for stage in ("dev", "beta", "prod"):
        api.deploy(stage)
    return api


def _log_group(lab, name):
    logs = lab.client("logs")
    logs.create_log_group(logGroupName=name)
    return logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"].removesuffix(":*")


# --- exercise 1 ----------------------------------------------------------------------------------------

@pytest.fixture
def throttled(lab, api):
    """dev with access logs and a burst-5 throttle; 7 GET /pets and a missing path, as in the notebook."""
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": _log_group(lab, "pets-access-dev")},
        {"op": "replace", "path": "/accessLogSettings/format", "value": JSON_FORMAT},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "5"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.1"}])
    url = lab.stage_url(api.id, "dev")
    answers = [requests.get(url + p) for p in ["/pets"] * 7 + ["/nope"]]
    return {r.headers["x-amzn-RequestId"]: r.status_code for r in answers}


def test_throttled_right_answer_from_the_logs(lab, throttled, capsys):
    messages = [e["message"] for e in lab.client("logs").filter_log_events(logGroupName="pets-access-dev")["events"]]
    ids = [json.loads(m)["requestId"] for m in messages if json.loads(m)["status"] == "429"]
    assert sorted(ids) == sorted(k for k, v in throttled.items() if v == 429) and len(ids) == 2
    assert "2 requests" in _passes(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", ids))
    _passes(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", set(ids)))


def test_throttled_wrong_answers(lab, throttled, capsys):
    t429 = [k for k, v in throttled.items() if v == 429]
    t403 = [k for k, v in throttled.items() if v == 403]
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", None), "json.loads")
    _hints(capsys, exercises.check_throttled_requests(lab, None, t429), "log group")
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", []), "'429'")
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", t429 + t403), "403")
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", t429[:1]), "1 of the 2")
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", t429 + ["not-an-id"]), "no line")
    _hints(capsys, exercises.check_throttled_requests(lab, "no-such-group", t429), "failed")
    _hints(capsys, exercises.check_throttled_requests(lab, "pets-access-dev", 42), "list")


# --- exercise 2 ----------------------------------------------------------------------------------------

def _prod_format(lab, api, template, destination=True):
    ops = [{"op": "replace", "path": "/accessLogSettings/format", "value": template}]
    if destination:
        ops.append({"op": "replace", "path": "/accessLogSettings/destinationArn",
                    "value": _log_group(lab, "pets-access-prod")})
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="prod", patchOperations=ops)


def test_latency_format_right_answer(lab, api, capsys):
    _prod_format(lab, api, "$context.requestId,$context.status,$context.responseLatency,$context.integrationLatency")
    _passes(capsys, exercises.check_latency_format(lab, api.id))


def test_latency_format_right_answer_with_more_fields(lab, api, capsys):
    _prod_format(lab, api, "$context.requestTime, $context.requestId, $context.httpMethod, $context.resourcePath, "
                           "$context.status, $context.integrationLatency, $context.responseLatency")
    _passes(capsys, exercises.check_latency_format(lab, api.id))


@pytest.mark.parametrize("template, word", [
    (JSON_FORMAT.replace('}', ',"responseLatency":"$context.responseLatency",'
                              '"integrationLatency":"$context.integrationLatency"}'), "CSV"),
    ("$context.requestId,$context.status,$context.responseLatency", "integrationLatency"),
    ("$context.requestId,$context.status,$context.responseLatency,$context.integrationLatency,$input.body", "$input"),
])
def test_latency_format_wrong_answers(lab, api, capsys, template, word):
    _prod_format(lab, api, template)
    _hints(capsys, exercises.check_latency_format(lab, api.id), word)


def test_latency_format_blank_and_missing_destination(lab, api, capsys):
    _hints(capsys, exercises.check_latency_format(lab, None), "api.id")
    _hints(capsys, exercises.check_latency_format(lab, api.id), "destination")
    _prod_format(lab, api, "$context.status,$context.responseLatency,$context.integrationLatency")
    _hints(capsys, exercises.check_latency_format(lab, api.id), "requestId")


# --- exercise 3 ----------------------------------------------------------------------------------------

def _beta(lab, api, *paths):
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="beta", patchOperations=[
        {"op": "replace", "path": p, "value": "true"} for p in paths])


def test_search_metrics_right_answer(lab, api, capsys):
    _beta(lab, api, "/~1search/GET/metrics/enabled")
    _passes(capsys, exercises.check_search_metrics(lab, api.id))


def test_search_metrics_really_publishes_per_method(lab, api):
    """What the check accepts makes the gateway publish /search, and only /search, per method."""
    _beta(lab, api, "/~1search/GET/metrics/enabled")
    gw = lab.gateway()
    url = lab.stage_url(api.id, "beta")
    gw.invoke("GET", url + "/search")
    gw.invoke("GET", url + "/pets")
    gw.flush()
    metrics = lab.client("cloudwatch").list_metrics(Namespace="AWS/ApiGateway", MetricName="Count")["Metrics"]
    resources = {d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "Resource"}
    assert resources == {"/search"}


@pytest.mark.parametrize("paths, word", [
    ((), "~1"),
    (("/*/*/metrics/enabled",), "*/*"),
    (("/~1search/GET/metrics/enabled", "/~1pets/GET/metrics/enabled"), "pets/GET"),
])
def test_search_metrics_wrong_answers(lab, api, capsys, paths, word):
    _beta(lab, api, *paths)
    _hints(capsys, exercises.check_search_metrics(lab, api.id), word)


def test_search_metrics_blank(lab, capsys):
    _hints(capsys, exercises.check_search_metrics(lab, None), "api.id")
    _hints(capsys, exercises.check_search_metrics(lab, "nosuchapi"), "failed")
