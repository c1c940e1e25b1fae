"""Access logs, execution logs, CloudWatch metrics and X-Ray traces written by the gateway and read
back through boto3. https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from labkit import VirtualClock
from labkit.apis import RestApi

JSON_FORMAT = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","httpMethod":"$context.httpMethod",'
               '"resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength",'
               '"error":"$context.error.message","integrationLatency":"$context.integrationLatency"}')


def observed_api(lab, *patches, name="observed"):
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/pets").method("GET").mock(body='{"pets": []}')
    api.deploy("dev")
    if patches:
        lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=list(patches))
    return api, lab.stage_url(api.id, "dev")


def replace(path, value):
    return {"op": "replace", "path": path, "value": str(value)}


def test_access_log_lines_in_cloudwatch_logs_match_the_requests(lab):
    logs = lab.client("logs")
    logs.create_log_group(logGroupName="pets-access")
    arn = logs.describe_log_groups(logGroupNamePrefix="pets-access")["logGroups"][0]["arn"]
    api, url = observed_api(lab, replace("/accessLogSettings/destinationArn", arn.removesuffix(":*")),
                            replace("/accessLogSettings/format", JSON_FORMAT))
    gw = lab.gateway()
    ok, missing = gw.invoke("GET", url + "/pets"), gw.invoke("GET", url + "/nope")
    assert gw.flush()["access"] == 2
    streams = logs.describe_log_streams(logGroupName="pets-access")["logStreams"]
    events = logs.get_log_events(logGroupName="pets-access", logStreamName=streams[0]["logStreamName"])["events"]
    lines = [json.loads(e["message"]) for e in events]
    assert [(x["requestId"], x["status"], x["resourcePath"]) for x in lines] == [
        (ok.headers["x-amzn-RequestId"], "200", "/pets"), (missing.headers["x-amzn-RequestId"], "403", "/nope")]
    assert lines[1]["error"] == "Missing Authentication Token" and lines[0]["error"] == "-"
    assert lines[0]["responseLength"] == str(len(ok.body))


def test_access_logs_to_firehose_land_in_s3(lab):
    s3, firehose = lab.client("s3"), lab.client("firehose")
    s3.create_bucket(Bucket="access-logs")
    lab.client("iam").create_role(RoleName="fh", AssumeRolePolicyDocument="{}")
    firehose.create_delivery_stream(DeliveryStreamName="amazon-apigateway-pets", ExtendedS3DestinationConfiguration={
        "RoleARN": "arn:aws:iam::123456789012:role/fh", "BucketARN": "arn:aws:s3:::access-logs", "Prefix": "logs/"})
    arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-pets"
    _, url = observed_api(lab, replace("/accessLogSettings/destinationArn", arn),
                          replace("/accessLogSettings/format", "$context.requestId $context.status"))
    gw = lab.gateway()
    ids = [gw.invoke("GET", url + "/pets").headers["x-amzn-RequestId"] for _ in range(3)]
    gw.flush()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="access-logs")["Contents"]]
    text = "".join(s3.get_object(Bucket="access-logs", Key=k)["Body"].read().decode() for k in keys)
    assert text.split() == [part for rid in ids for part in (rid, "200")]


def test_execution_logs_follow_the_log_level(lab):
    api, url = observed_api(lab, replace("/*/*/logging/loglevel", "ERROR"))
    gw = lab.gateway()
    gw.invoke("GET", url + "/pets")
    failed = gw.invoke("GET", url + "/nope")
    gw.flush()
    logs = lab.client("logs")
    group = f"API-Gateway-Execution-Logs_{api.id}/dev"
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    messages = [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]]
    rid = failed.headers["x-amzn-RequestId"]
    assert messages and all(m.startswith(f"({rid}) ") for m in messages), "ERROR logs only the failed request"
    assert f"({rid}) Method completed with status: 403" in messages


def test_info_level_without_data_trace_leaves_out_bodies(lab):
    api, url = observed_api(lab, replace("/*/*/logging/loglevel", "INFO"), name="info")
    gw = lab.gateway()
    gw.invoke("GET", url + "/pets")
    gw.flush()
    logs = lab.client("logs")
    group = f"API-Gateway-Execution-Logs_{api.id}/dev"
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    text = "\n".join(e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"])
    assert "Starting execution for request" in text and "Method completed with status: 200" in text
    assert "body before transformations" not in text


def test_metrics_by_stage_and_method_read_back_with_get_metric_statistics(lab):
    api, url = observed_api(lab, replace("/*/*/metrics/enabled", "true"), name="metered")
    clock = VirtualClock()
    gw = lab.gateway(clock=clock, backend_latency=0.25)
    for _ in range(4):
        gw.invoke("GET", url + "/pets")
    gw.invoke("GET", url + "/missing")
    gw.flush()
    cw = lab.client("cloudwatch")
    start = datetime.fromtimestamp(clock.now() - 120, tz=timezone.utc)
    end = start + timedelta(minutes=10)

    def stat(name, dims, statistic):
        points = cw.get_metric_statistics(Namespace="AWS/ApiGateway", MetricName=name, StartTime=start, EndTime=end,
                                          Period=60, Statistics=[statistic],
                                          Dimensions=[{"Name": k, "Value": v} for k, v in dims])["Datapoints"]
        return sum(p[statistic] for p in points)

    stage = [("ApiName", "metered"), ("Stage", "dev")]
    assert stat("Count", stage, "SampleCount") == 5
    assert stat("4XXError", stage, "Sum") == 1
    assert stat("5XXError", stage, "Sum") == 0
    method = [("ApiName", "metered"), ("Method", "GET"), ("Resource", "/pets"), ("Stage", "dev")]
    assert stat("Count", method, "SampleCount") == 4
    assert stat("Latency", method, "Maximum") == pytest.approx(250, abs=1)


def test_cache_hits_and_misses_are_counted(lab):
    _, url = observed_api(lab, replace("/cacheClusterEnabled", "true"), name="cachedm")
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    for _ in range(3):
        gw.invoke("GET", url + "/pets")
    gw.flush()
    cw = lab.client("cloudwatch")
    start = datetime.fromtimestamp(clock.now() - 120, tz=timezone.utc)

    def total(name):
        return sum(p["Sum"] for p in cw.get_metric_statistics(
            Namespace="AWS/ApiGateway", MetricName=name, StartTime=start, EndTime=start + timedelta(minutes=10),
            Period=60, Statistics=["Sum"], Dimensions=[{"Name": "ApiName", "Value": "cachedm"},
                                                       {"Name": "Stage", "Value": "dev"}])["Datapoints"])

    assert (total("CacheHitCount"), total("CacheMissCount")) == (2, 1)


def test_xray_segments_with_an_integration_subsegment(lab, echo):
    api = RestApi.create(lab.client("apigateway"), "traced")
    api.resource("/echo").method("GET").http_proxy(echo.url + "/echo")
    api.deploy("dev")
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev",
                                          patchOperations=[replace("/tracingEnabled", "true")])
    gw = lab.gateway()
    r = gw.invoke("GET", lab.stage_url(api.id, "dev") + "/echo")
    assert r.json()["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")
    gw.flush()
    xray = lab.client("xray")
    now = datetime.now(timezone.utc)
    summaries = xray.get_trace_summaries(StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=5))
    trace_ids = [s["Id"] for s in summaries["TraceSummaries"]]
    assert len(trace_ids) == 1
    segment = json.loads(xray.batch_get_traces(TraceIds=trace_ids)["Traces"][0]["Segments"][0]["Document"])
    assert segment["name"] == "traced/dev" and segment["http"]["response"]["status"] == 200
    assert segment["subsegments"][0]["name"] == "127.0.0.1"


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_logs_appear_without_an_explicit_flush(backend):
    """A moto lab flushes when a lab client reads (deterministic notebooks); other backends flush on a
    timer about once a second, as AWS delivers logs shortly after the request."""
    from labkit import Lab

    with Lab(backend, verbose=False) as lab:
        logs = lab.client("logs")
        logs.create_log_group(logGroupName="auto")
        _, url = observed_api(lab, replace("/accessLogSettings/destinationArn",
                                           "arn:aws:logs:us-east-1:123456789012:log-group:auto"),
                              replace("/accessLogSettings/format", "$context.requestId"), name="auto")
        requests.get(url + "/pets")
        deadline = time.time() + 5
        while time.time() < deadline and not logs.describe_log_streams(logGroupName="auto")["logStreams"]:
            time.sleep(0.2)
        assert logs.describe_log_streams(logGroupName="auto")["logStreams"], "no flush within 5 s"
