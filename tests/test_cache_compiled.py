"""The compiled integration class (gateway/compiled.py) answers exactly as the full pipeline does:
the stage cache, Cache-Control, throttles and the Lambda proxy integration itself, per request.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""

from __future__ import annotations

import dataclasses
import json
import math
import random

import numpy as np
import pytest

from labkit.apis import RestApi
from labkit.gateway.clock import VirtualClock
from labkit.gateway.compiled import send
from labkit.gateway.http import Headers, Request
from labkit.gateway.pipeline import method_request_value, method_request_values
from labkit.shared import shared_lab
from labkit.sim.caching import CacheScenario, run_cache

# ~1,800 requests each; every scenario has misses, and all but TTL 0 have hits.
BASE = CacheScenario(duration=60.0, request_rate=30.0, keys=300, zipf_s=1.0, ttl=20, cache_size="0.5", seed=5)
SCENARIOS = {
    "invalidations allowed, data changing": dataclasses.replace(
        BASE, invalidation_share=0.2, may_invalidate=True, change_rate=0.02),
    "invalidations refused (Warning header)": dataclasses.replace(
        BASE, invalidation_share=0.2, may_invalidate=False, change_rate=0.02),
    "TTL 0: caching off": dataclasses.replace(BASE, ttl=0),
    "tiny cluster that evicts": dataclasses.replace(BASE, cache_bytes_per_gb=2e4, keys=2000),
    "data changing within the TTL": dataclasses.replace(BASE, change_rate=0.05),
    "backend latency jitter": dataclasses.replace(BASE, backend_jitter=1.5),
    "no latency at all": dataclasses.replace(BASE, backend_latency=0.0, backend_jitter=0.0),
    "TTL longer than the run": dataclasses.replace(BASE, ttl=3600, change_rate=0.01),
}


def _metrics(gateway):
    """The gateway's AWS/ApiGateway statistics, compiled classes' tallies included."""
    gateway.observer.settle()
    return {key: (stats.count, stats.total, stats.low, stats.high) for key, stats in gateway.observer._metrics.items()}


def _assert_same_metrics(full, fast):
    assert full.keys() == fast.keys()
    for key, (count, total, low, high) in full.items():
        assert fast[key][0] == count, key
        assert (fast[key][2], fast[key][3]) == (low, high), key
        assert math.isclose(fast[key][1], total, rel_tol=1e-12, abs_tol=1e-9), key  # sums may add in another order


@pytest.fixture
def made_gateways(monkeypatch):
    """Every gateway the shared lab makes, in order."""
    lab = shared_lab()
    made, original = [], lab.gateway

    def gateway(*args, **options):
        made.append(original(*args, **options))
        return made[-1]

    monkeypatch.setattr(lab, "gateway", gateway)
    return made


@pytest.mark.parametrize("name", SCENARIOS)
def test_run_cache_fast_path_gives_the_full_pipelines_records(name, made_gateways):
    scenario = SCENARIOS[name]
    full = run_cache(scenario, shared_lab(), fast=False)
    fast = run_cache(scenario, shared_lab(), fast=True)
    assert fast.records.size == full.records.size > 1000
    assert np.array_equal(fast.records, full.records)
    assert (fast.evictions, fast.entries, fast.used_bytes) == (full.evictions, full.entries, full.used_bytes)
    full_gateway, fast_gateway = made_gateways
    assert not full_gateway.observer.compiled and len(fast_gateway.observer.compiled) == 1, "the class compiled"
    _assert_same_metrics(_metrics(full_gateway), _metrics(fast_gateway))
    if name.startswith("tiny"):
        assert fast.evictions > 0
    if name.startswith("data changing"):
        assert fast.summary.stale_reads > 0


# --- one class, request by request ----------------------------------------------------------------------

# Echoes the event it received, so the bodies show that the backend saw the same event either way.
ECHO = '''
import json
def handler(event, context):
    if (event.get("queryStringParameters") or {}).get("item") == "boom":
        raise ValueError("boom")
    return {"statusCode": 200, "headers": {"x-seen": "yes"}, "body": json.dumps(event, sort_keys=True)}
'''
_PER_REQUEST_HEADERS = {"x-amzn-requestid", "x-amz-apigw-id", "x-cache", "via", "x-amz-cf-pop", "x-amz-cf-id"}


@pytest.fixture(scope="module")
def echo_api():
    lab = shared_lab()
    fn = lab.lambda_function("compiled-echo", ECHO)
    client = lab.client("apigateway")
    api = RestApi.create(client, "compiled-echo")
    resource = api.resource("/items")
    resource.method("GET", request_parameters={"method.request.querystring.item": False})
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod="GET", type="AWS_PROXY",
                           integrationHttpMethod="POST", uri=f"arn:aws:apigateway:us-east-1:lambda:path/"
                           f"2015-03-31/functions/{fn}/invocations",
                           cacheKeyParameters=["method.request.querystring.item"])
    api.resource("/other").method("GET").mock(body='{"other": true}')
    client.create_deployment(restApiId=api.id, stageName="dev")
    return api.id


def _set_stage(api_id, strategy="SUCCEED_WITH_RESPONSE_HEADER", require_authorization=True, rate=1000.0,
               burst=1000):
    shared_lab().client("apigateway").update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "30"},
        {"op": "replace", "path": "/*/*/caching/requireAuthorizationForCacheControl",
         "value": str(require_authorization).lower()},
        {"op": "replace", "path": "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "value": strategy},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)}])


def _traffic(api_id, n=400, seed=1):
    """(time, request): varied items, some with Cache-Control: max-age=0, a burst, a failing item,
    and requests outside the class (another path, a VPC endpoint header)."""
    rng = random.Random(seed)
    at, out = 0.0, []
    for i in range(n):
        at += 0.0005 if 100 <= i < 160 else rng.expovariate(20)  # the burst meets the stage throttle
        item = "boom" if i % 97 == 13 else f"k{rng.randrange(12)}"
        headers = Headers({"User-Agent": f"test/{i % 3}", "X-Trace": str(i)})
        if rng.random() < 0.15:
            headers.add("Cache-Control", rng.choice(["max-age=0", "no-cache, Max-Age = 0", "max-age=60"]))
        path = "/other" if i % 89 == 7 else "/items"
        if i % 101 == 50:
            headers["x-labkit-vpce-id"] = "vpce-0123"
        out.append((at, Request("GET", api_id, "dev", path, [("item", item), ("item", item)], headers)))
    return out


def _latency(call):
    """Seeded per call; now and then past the 29 s integration timeout (504)."""
    return 30.0 if call.request.headers.get("X-Trace", "").endswith("77") else 0.01 + (len(call.request_id) % 7) / 100


def _answers(api_id, fast):
    gateway = shared_lab().gateway(clock=VirtualClock(), seed=9, backend_latency=_latency, cache_bytes_per_gb=1e4)
    start, prepared, answers = gateway.clock.now(), None, []
    for at, request in _traffic(api_id):
        gateway.clock.run(until=start + at)
        if fast:
            outcome = send(prepared, request) if prepared is not None else None
            if outcome is None:
                prepared = gateway.prepare(request)
                outcome = send(prepared, request)
            got = (outcome.status, outcome.latency, outcome.gateway_response, outcome.headers, outcome.body)
        else:
            response = gateway.handle(request)
            got = (response.status_code, response.latency, response.gateway_response, response.headers,
                   response.body)
        shown = [(k, v) for k, v in got[3].items_list() if k.lower() not in _PER_REQUEST_HEADERS]
        answers.append((*got[:3], shown, got[4]))
    store = gateway.caches.get(api_id, "dev")
    return answers, (store.hits, store.misses, store.evictions, len(store), store.used_bytes), _metrics(gateway)


@pytest.mark.parametrize("strategy, require_authorization", [
    ("SUCCEED_WITH_RESPONSE_HEADER", True), ("SUCCEED_WITHOUT_RESPONSE_HEADER", True), ("FAIL_WITH_403", True),
    ("FAIL_WITH_403", False)])
def test_each_answer_equals_the_full_pipelines(echo_api, strategy, require_authorization):
    _set_stage(echo_api, strategy, require_authorization, rate=50.0, burst=20)
    full, full_cache, full_metrics = _answers(echo_api, fast=False)
    fast, fast_cache, fast_metrics = _answers(echo_api, fast=True)
    assert fast == full
    assert fast_cache == full_cache
    _assert_same_metrics(full_metrics, fast_metrics)
    statuses = {answer[0] for answer in full}
    assert {200, 429, 502, 504} <= statuses  # the burst, the failing function and the timeout all happened
    assert any(("x-labkit-cache", "HIT") in answer[3] for answer in full)
    if strategy == "FAIL_WITH_403" and require_authorization:
        assert 403 in statuses
    fetched = [json.loads(answer[4]) for answer in full if answer[0] == 200 and b"requestContext" in answer[4]
               and ("x-labkit-cache", "HIT") not in answer[3]]
    assert len({event["requestContext"]["requestId"] for event in fetched}) == len(fetched) > 50  # ids as drawn


def test_a_stage_update_makes_the_class_stale_and_settles_its_tallies(echo_api):
    _set_stage(echo_api)
    gateway = shared_lab().gateway(clock=VirtualClock(), seed=1)
    request = Request("GET", echo_api, "dev", "/items", [("item", "a")])
    prepared = gateway.prepare(request)
    assert send(prepared, request).status == 200 and prepared.tally
    _set_stage(echo_api, rate=999.0)
    assert send(prepared, request) is None
    assert not prepared.tally and prepared not in gateway.observer.compiled
    assert sum(stats.count for (_, _, name), stats in gateway.observer._metrics.items() if name == "Count") == 2


def test_a_class_with_a_request_validator_or_logs_is_left_to_the_full_pipeline(echo_api):
    _set_stage(echo_api)
    client = shared_lab().client("apigateway")
    client.update_stage(restApiId=echo_api, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
    try:
        gateway = shared_lab().gateway(clock=VirtualClock())
        assert gateway.prepare(Request("GET", echo_api, "dev", "/items", [("item", "a")])) is None
    finally:
        client.update_stage(restApiId=echo_api, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"}])


# --- the pieces both paths share -------------------------------------------------------------------------

def test_method_request_value_is_one_entry_of_method_request_values(echo_api):
    gateway = shared_lab().gateway(clock=VirtualClock())
    headers = Headers([("X-Mixed", "a"), ("x-mixed", "b"), ("lower", "c"), ("UPPER", "d")])
    request = Request("GET", echo_api, "dev", "/items", [("item", "1"), ("q", ""), ("item", "2"), ("", "blank")],
                      headers)
    call = gateway.new_call(request)
    call.snapshot = gateway.snapshot(echo_api, "dev")
    call.route = call.snapshot.deployment.router.match("GET", "/items")
    call.route.path_parameters = {"id": "7"}
    call.stage_variables = {"env": "test"}
    values = method_request_values(call)
    names = [*values, "method.request.header.x-MIXED", "method.request.header.upper", "method.request.querystring.none",
             "method.request.multivalueheader.lower", "stageVariables.missing", "method.request.path.none"]
    for name in names:
        assert method_request_value(name, request, call.route.path_parameters, call.stage_variables) == \
            values.get(name), name


class _ListHeaders:
    """The Headers semantics the index must keep (the kit's former list-scanning implementation)."""

    def __init__(self):
        self.items = []

    def add(self, name, value):
        self.items.append((name, value))

    def setitem(self, name, value):
        self.items = [(k, v) for k, v in self.items if k.lower() != name.lower()] + [(name, value)]

    def delitem(self, name):
        if not any(k.lower() == name.lower() for k, _ in self.items):
            raise KeyError(name)
        self.items = [(k, v) for k, v in self.items if k.lower() != name.lower()]

    def getlist(self, name):
        return [v for k, v in self.items if k.lower() == name.lower()]

    def names(self):
        seen, out = set(), []
        for k, _ in self.items:
            if k.lower() not in seen:
                seen.add(k.lower())
                out.append(k)
        return out


def test_headers_index_keeps_case_insensitive_multi_value_semantics():
    rng = random.Random(4)
    spellings = ["Accept", "accept", "ACCEPT", "X-Id", "x-id", "Cache-Control", "cache-control", "Set-Cookie"]
    for _ in range(200):
        headers, model = Headers(), _ListHeaders()
        for _ in range(rng.randrange(1, 12)):
            name, value, op = rng.choice(spellings), str(rng.randrange(5)), rng.random()
            if op < 0.6:
                headers.add(name, value)
                model.add(name, value)
            elif op < 0.85:
                headers[name] = value
                model.setitem(name, value)
            else:
                raised = []
                for target in (lambda: headers.__delitem__(name), lambda: model.delitem(name)):
                    try:
                        target()
                        raised.append(False)
                    except KeyError:
                        raised.append(True)
                assert raised[0] == raised[1]
        assert headers.items_list() == model.items
        assert list(headers) == model.names() and len(headers) == len(model.names())
        for name in spellings + ["absent"]:
            values = model.getlist(name)
            assert headers.getlist(name) == values
            assert (name in headers) == bool(values)
            assert headers.get(name) == (", ".join(values) if values else None)
        assert dict(headers.copy()) == dict(headers) and headers.copy().items_list() == model.items
