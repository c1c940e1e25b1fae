"""The request path as a whole: step objects, the trace of who answered, and the catch-all that
turns any unexpected exception into AWS's 500."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

from labkit import VirtualClock
from labkit.apis import RestApi
from labkit.gateway import steps
from labkit.gateway.trace import STEP_NAMES


def _api(lab, name):
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/pets").method("GET").mock(body='{"pets": []}')
    api.deploy("dev")
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
    return lab.stage_url(api.id, "dev")


def _five_xx(lab, clock, name):
    cw = lab.client("cloudwatch")
    start = datetime.fromtimestamp(clock.now() - 120, tz=timezone.utc)
    points = cw.get_metric_statistics(Namespace="AWS/ApiGateway", MetricName="5XXError", StartTime=start,
                                      EndTime=start + timedelta(minutes=10), Period=60, Statistics=["Sum"],
                                      Dimensions=[{"Name": "ApiName", "Value": name},
                                                  {"Name": "Stage", "Value": "dev"}])["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_a_step_that_raises_key_error_answers_500_logged_and_counted(lab, monkeypatch):
    """AWS answers its own failures 500 {"message": "Internal server error"}; the caller never sees a
    traceback. https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    (DEFAULT_5XX)"""
    url = _api(lab, "keyerror")

    def broken(self, call, next_step):
        raise KeyError("boom")

    monkeypatch.setattr(steps.ApiKey, "__call__", broken)
    clock = VirtualClock(start=time.time())  # CloudWatch Logs refuses events older than 14 days
    gw = lab.gateway(clock=clock)
    response = gw.invoke("GET", url + "/pets")
    assert response.status_code == 500
    assert json.loads(response.body) == {"message": "Internal server error"}
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert response.headers.get("x-amzn-RequestId")
    assert any("internal error: KeyError" in line for line in response.execution_log)
    assert (response.trace.answered_by, response.trace.reason) == ("API key", "internal-error")
    gw.flush()
    assert _five_xx(lab, clock, "keyerror") == 1
    events = lab.client("logs").filter_log_events(
        logGroupName=f"API-Gateway-Execution-Logs_{url.split('//')[1].split('.')[0]}/dev")["events"]
    assert any("internal error: KeyError" in e["message"] for e in events)


def test_a_failing_integration_is_attributed_to_the_integration(lab, monkeypatch):
    url = _api(lab, "integration-bug")
    from labkit.gateway.integrations import mock

    monkeypatch.setattr(mock.Mock, "backend", lambda self, call, integration, status: {}["missing"])
    gw = lab.gateway(clock=VirtualClock())
    response = gw.invoke("GET", url + "/pets")
    assert response.status_code == 500
    assert response.trace.answered_by == "integration"


def test_the_trace_names_the_step_that_answered_and_those_passed(lab):
    url = _api(lab, "traced")
    gw = lab.gateway(clock=VirtualClock())
    ok = gw.invoke("GET", url + "/pets")
    assert (ok.status_code, ok.trace.answered_by, ok.trace.reason, ok.trace.response_type) == \
        (200, "integration", "ok", None)
    assert ok.trace.passed == ("endpoint", "route", "payload size", "authorizer", "API key", "throttle",
                               "request validation", "cache")
    missing = gw.invoke("GET", url + "/nowhere")
    assert (missing.status_code, missing.trace.answered_by, missing.trace.reason) == (403, "route", "no-route")
    assert missing.trace.passed == ("endpoint",)
    too_big = gw.invoke("GET", url + "/pets", body=b"x" * (10 * 1024 * 1024 + 1))
    assert (too_big.status_code, too_big.trace.answered_by) == (413, "payload size")
    assert set(ok.trace.passed) <= set(STEP_NAMES)


def test_steps_that_own_state_are_built_per_gateway(lab):
    one, two = lab.gateway(clock=VirtualClock()), lab.gateway(clock=VirtualClock())
    throttles = [next(s for s in gw.steps if isinstance(s, steps.Throttle)) for gw in (one, two)]
    assert throttles[0].limits is one.limits and throttles[1].limits is two.limits
    assert throttles[0].limits is not throttles[1].limits


def test_a_simulated_request_class_is_compiled_by_the_steps_themselves(lab):
    """Each step's `compile` hook decides for a simulated request class; one that refuses, or a step
    without a hook, sends the class through `handle` (labkit/gateway/compiled.py)."""
    from labkit.gateway.engine import Gateway
    from labkit.gateway.http import Request
    from labkit.gateway.pipeline import NotCompilable

    url = _api(lab, "compiled-by-steps")
    api_id = url.split("//")[1].split(".")[0]
    lab.client("apigateway").update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"}])
    source = lab.gateway().source

    class Passing:
        name = "audit"

        def __call__(self, call, next_step):
            return next_step(call)

        def compile(self, call, next_compile):
            next_compile(call)

    class Refusing(Passing):
        def compile(self, call, next_compile):
            raise NotCompilable("reads every request")

    request = Request("GET", api_id, "dev", "/pets")
    plain = Gateway(source, clock=VirtualClock())
    prepared = plain.prepare(request)
    assert prepared is not None
    throttle = next(s for s in plain.steps if isinstance(s, steps.Throttle))
    assert prepared.admission.limits is throttle.limits  # the throttle step handed over its buckets
    assert Gateway(source, clock=VirtualClock(), extra_steps=[Passing()]).prepare(request) is not None
    assert Gateway(source, clock=VirtualClock(), extra_steps=[Refusing()]).prepare(request) is None
    logged = _api(lab, "compiled-logged")  # INFO execution logs are written per request: the observe step refuses
    assert plain.prepare(Request("GET", logged.split("//")[1].split(".")[0], "dev", "/pets")) is None
