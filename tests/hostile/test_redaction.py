"""Secrets a caller sends never reach the execution logs or traces in clear (issue 16, item 8).

AWS: "API Gateway redacts authorization headers, API key values, and similar sensitive request
parameters from the logged data."
https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html
The mask is the form AWS's logs show for an API key: ten asterisks and the last six characters
(`**********F0yrv6`, https://repost.aws/knowledge-center/api-gateway-429-limit).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from labkit.apis import RestApi
from labkit.gateway.redact import mask, redact_text, redacted
from labkit.gateway.http import Headers

BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFybmVyIn0.S3cr3tS1gnatureQ9x7Kp"
API_KEY = "k3yV4lue0123456789abcdefXYZ987"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789"
SIGV4 = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/us-east-1/execute-api/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4cb0f1c3e9d8f1b2a3c4d5e6")
# What must not appear anywhere: each secret's part that the mask does not show.
HIDDEN = [BEARER[:-6], API_KEY[:-6], SESSION_TOKEN[:-6], "AKIAIOSFODNN7EXAMPLE", "5d672d79c15b13162d9279b0855cfba6"]
HANDLER = ("import json\n"
           "def handler(event, context):\n"
           "    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n")


def traced_api(lab, integrate):
    api = RestApi.create(lab.client("apigateway"), "secrets")
    integrate(api.resource("/pets").method("GET"))
    api.deploy("dev")
    patches = [("/*/*/logging/loglevel", "INFO"), ("/*/*/logging/dataTrace", "true"), ("/tracingEnabled", "true")]
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": path, "value": value} for path, value in patches])
    return api


def execution_log_text(lab, api) -> str:
    logs = lab.client("logs")
    group = f"API-Gateway-Execution-Logs_{api.id}/dev"
    text = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
        text += [e["message"] for e in events]
    return "\n".join(text)


def segments_text(lab) -> str:
    xray = lab.client("xray")
    now = datetime.now(timezone.utc)
    ids = [s["Id"] for s in xray.get_trace_summaries(StartTime=now - timedelta(minutes=5),
                                                     EndTime=now + timedelta(minutes=5))["TraceSummaries"]]
    assert ids, "the stage traces: there is a segment to read"
    return json.dumps(xray.batch_get_traces(TraceIds=ids)["Traces"])


def send_secrets(lab, api):
    gw = lab.gateway()
    url = lab.stage_url(api.id, "dev") + "/pets?q=1"
    responses = [
        gw.invoke("GET", url, headers={"Authorization": f"Bearer {BEARER}", "x-api-key": API_KEY,
                                       "X-Amz-Security-Token": SESSION_TOKEN}),
        gw.invoke("GET", url, headers={"authorization": SIGV4}),
    ]
    gw.flush()
    return responses


@pytest.mark.parametrize("integration", ["lambda-proxy", "http-proxy"])
def test_data_trace_logs_and_traces_carry_no_credential(lab, echo, integration):
    if integration == "lambda-proxy":
        arn = lab.lambda_function("pets", HANDLER)
        api = traced_api(lab, lambda method: method.lambda_proxy(arn))
    else:
        api = traced_api(lab, lambda method: method.http_proxy(echo.url + "/pets"))
    responses = send_secrets(lab, api)
    assert all(r.status_code == 200 for r in responses)

    logs = execution_log_text(lab, api)
    assert "Method request headers" in logs  # data trace is on: the headers are logged ...
    for secret in HIDDEN:
        assert secret not in logs, secret  # ... masked
    assert f"Bearer {mask(BEARER)}" in logs and mask(API_KEY) in logs
    assert mask(API_KEY) == "**********" + API_KEY[-6:]
    assert "AWS4-HMAC-SHA256 **********" in logs
    for response in responses:  # the log and trace the kit hands back with each response: the same
        for secret in HIDDEN:
            assert secret not in "\n".join(response.execution_log) + repr(response.trace), secret
    traces = segments_text(lab)
    for secret in HIDDEN:
        assert secret not in traces, secret


def test_a_short_credential_is_hidden_whole():
    assert mask("hunter2") == "**********"
    assert redacted(Headers([("Authorization", "Basic aGk6eW8=")]))["Authorization"] == "Basic **********"


def test_credentials_in_events_and_bodies_are_masked_and_the_rest_kept():
    event = {"headers": {"Authorization": f"Bearer {BEARER}", "Accept": "*/*"},
             "multiValueHeaders": {"X-API-Key": [API_KEY]},
             "requestContext": {"identity": {"apiKey": API_KEY, "sourceIp": "127.0.0.1"}}}
    clean = redacted(event)
    assert clean["headers"] == {"Authorization": f"Bearer {mask(BEARER)}", "Accept": "*/*"}
    assert clean["multiValueHeaders"]["X-API-Key"] == [mask(API_KEY)]
    assert clean["requestContext"]["identity"] == {"apiKey": mask(API_KEY), "sourceIp": "127.0.0.1"}
    body = json.dumps({"authorizationToken": f"Bearer {BEARER}", "note": "the basic plan"})
    shown = redact_text(body)
    assert BEARER[:-6] not in shown and "the basic plan" in shown
    assert redact_text(f"call me with bearer {BEARER} please").endswith(f"bearer {mask(BEARER)} please")
