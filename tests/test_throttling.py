"""Throttling, API keys, usage plans and quotas, as API Gateway documents them for REST APIs.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
"""

from __future__ import annotations

import threading

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit import Lab, VirtualClock
from labkit.apis import RestApi


@pytest.fixture(scope="module")
def shared_lab():
    import os
    import tempfile

    os.environ.setdefault("LABKIT_HOME", tempfile.mkdtemp())
    with Lab(verbose=False) as lab:
        yield lab


def make_api(lab, *, key_required=False, name="throttled"):
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/pets").method("GET", api_key_required=key_required).mock(body='{"pets": []}')
    api.resource("/orders").method("POST", api_key_required=key_required).mock(body='{"ok": true}')
    api.deploy("dev")
    return api


def stage_throttle(lab, api, rate, burst, key="*/*"):
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": f"/{key}/throttling/rateLimit", "value": str(rate)},
        {"op": "replace", "path": f"/{key}/throttling/burstLimit", "value": str(burst)}])


def burst_of(gw, url, n, headers=None):
    return [gw.invoke("GET", url, headers=headers).status_code for _ in range(n)]


def test_stage_default_throttle_allows_the_burst_then_answers_429(lab):
    api = make_api(lab)
    stage_throttle(lab, api, rate=10, burst=5)
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    url = lab.stage_url(api.id, "dev") + "/pets"
    assert burst_of(gw, url, 8) == [200] * 5 + [429] * 3
    r = gw.invoke("GET", url)
    assert r.json() == {"message": "Too Many Requests"}
    assert r.headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    clock.advance(0.3)  # 3 tokens come back at 10/s
    assert burst_of(gw, url, 4) == [200, 200, 200, 429]
    clock.advance(10)  # never more than the burst
    assert burst_of(gw, url, 6).count(200) == 5


def test_per_method_setting_overrides_the_stage_default(lab):
    api = make_api(lab)
    stage_throttle(lab, api, rate=100, burst=100)
    stage_throttle(lab, api, rate=1, burst=2, key="~1orders/POST")
    gw = lab.gateway(clock=VirtualClock())
    base = lab.stage_url(api.id, "dev")
    assert [gw.invoke("POST", base + "/orders").status_code for _ in range(4)] == [200, 200, 429, 429]
    assert burst_of(gw, base + "/pets", 4) == [200] * 4


def test_account_level_limit_applies_across_apis(lab):
    a, b = make_api(lab, name="a"), make_api(lab, name="b")
    gw = lab.gateway(clock=VirtualClock(), account_rate_limit=1, account_burst_limit=3)
    codes = [gw.invoke("GET", lab.stage_url(api.id, "dev") + "/pets").status_code for api in (a, b, a, b)]
    assert codes == [200, 200, 200, 429]
    with pytest.raises(ValueError, match="account_burst_limit"):
        lab.gateway(clock=VirtualClock(), account_burst_limit=-1)


def keys_and_plan(lab, api, *, throttle=None, quota=None, method_throttle=None, n_keys=1, enabled=True):
    client = lab.client("apigateway")
    stage = {"apiId": api.id, "stage": "dev"}
    if method_throttle:
        stage["throttle"] = method_throttle
    kwargs = {"name": "tier", "apiStages": [stage]}
    if throttle:
        kwargs["throttle"] = throttle
    if quota:
        kwargs["quota"] = quota
    plan = client.create_usage_plan(**kwargs)
    keys = []
    for i in range(n_keys):
        key = client.create_api_key(name=f"client-{i}", enabled=enabled, value=f"client{i}key{api.id}abcdefghij")
        client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        keys.append(key)
    return plan, keys


def test_api_key_required_method_answers_403_without_a_valid_key(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
    api = make_api(lab, key_required=True)
    plan, (key,) = keys_and_plan(lab, api)
    client = lab.client("apigateway")
    loose = client.create_api_key(name="no-plan", enabled=True, value="nopl4nkey0123456789abcdef")
    url = lab.stage_url(api.id, "dev") + "/pets"
    for headers in ({}, {"x-api-key": "not-a-key-at-all-000000"}, {"x-api-key": loose["value"]}):
        r = requests.get(url, headers=headers)
        assert (r.status_code, r.json()) == (403, {"message": "Forbidden"})
        assert r.headers["x-amzn-ErrorType"] == "ForbiddenException"
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 200
    client.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 403


def test_usage_plan_throttles_each_key_on_its_own(lab):
    api = make_api(lab, key_required=True)
    _, (k1, k2) = keys_and_plan(lab, api, throttle={"rateLimit": 1.0, "burstLimit": 2}, n_keys=2)
    gw = lab.gateway(clock=VirtualClock())
    url = lab.stage_url(api.id, "dev") + "/pets"
    assert burst_of(gw, url, 3, {"x-api-key": k1["value"]}) == [200, 200, 429]
    assert burst_of(gw, url, 2, {"x-api-key": k2["value"]}) == [200, 200], "another key has its own bucket"
    assert "exceeded throttle limit" in " ".join(gw.invoke("GET", url, headers={"x-api-key": k1["value"]})
                                                 .execution_log)


def test_per_method_throttle_inside_a_usage_plan(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans-with-rest-api.html
    api = make_api(lab, key_required=True)
    _, (key,) = keys_and_plan(lab, api, throttle={"rateLimit": 100.0, "burstLimit": 100},
                              method_throttle={"/orders/POST": {"rateLimit": 1.0, "burstLimit": 1}})
    gw = lab.gateway(clock=VirtualClock())
    base, h = lab.stage_url(api.id, "dev"), {"x-api-key": key["value"]}
    assert [gw.invoke("POST", base + "/orders", headers=h).status_code for _ in range(2)] == [200, 429]
    assert burst_of(gw, base + "/pets", 3, h) == [200] * 3


def test_quota_answers_429_limit_exceeded_and_resets_next_period(lab):
    api = make_api(lab, key_required=True)
    plan, (key,) = keys_and_plan(lab, api, quota={"limit": 3, "period": "DAY"})
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    url, h = lab.stage_url(api.id, "dev") + "/pets", {"x-api-key": key["value"]}
    assert burst_of(gw, url, 3, h) == [200] * 3
    r = gw.invoke("GET", url, headers=h)
    assert (r.status_code, r.json()) == (429, {"message": "Limit Exceeded"})
    assert r.headers["x-amzn-ErrorType"] == "LimitExceededException"
    clock.advance(86_400)
    assert gw.invoke("GET", url, headers=h).status_code == 200
    # GetUsage reports what the gateway served, per key and day.
    # https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html
    usage = lab.client("apigateway").get_usage(usagePlanId=plan["id"], startDate="2026-01-01", endDate="2026-01-02")
    assert usage["items"][key["id"]] == [[3, 0], [1, 2]]


def test_throttling_holds_under_concurrent_live_requests(lab):
    api = make_api(lab)
    stage_throttle(lab, api, rate=0.001, burst=40)
    server = lab.serve()
    url = server.stage_url(api.id, "dev") + "/pets"
    codes: list[int] = []
    lock = threading.Lock()

    def client():
        with requests.Session() as s:
            for _ in range(15):
                code = s.get(url).status_code
                with lock:
                    codes.append(code)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 120 and codes.count(200) == 40 and codes.count(429) == 80


# --- exactness: property-based ---------------------------------------------------------------------

gaps = st.lists(st.floats(min_value=0.0, max_value=0.5, allow_nan=False), min_size=1, max_size=60)


def arrivals_through(lab_, api, rate, burst, gap_list):
    stage_throttle(lab_, api, rate=rate, burst=burst)
    clock = VirtualClock()
    gw = lab_.gateway(clock=clock)
    url = lab_.stage_url(api.id, "dev") + "/pets"
    accepted = []
    for gap in gap_list:
        clock.advance(gap)
        if gw.invoke("GET", url).status_code == 200:
            accepted.append(clock.elapsed)
    return accepted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rate=st.integers(min_value=1, max_value=20), burst=st.integers(min_value=1, max_value=10), gap_list=gaps)
def test_accepted_requests_in_any_window_never_exceed_burst_plus_rate_times_t(shared_lab, rate, burst, gap_list):
    api = shared_lab._exactness_api = getattr(shared_lab, "_exactness_api", None) or make_api(shared_lab, name="ex")
    accepted = arrivals_through(shared_lab, api, rate, burst, gap_list)
    for i, start in enumerate(accepted):
        for j in range(i, len(accepted)):
            window = accepted[j] - start
            assert j - i + 1 <= burst + rate * window + 1e-5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rate=st.integers(min_value=1, max_value=20), burst=st.integers(min_value=1, max_value=10),
       slack=st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=60))
def test_a_client_under_its_limit_is_never_throttled(shared_lab, rate, burst, slack):
    api = shared_lab._under_api = getattr(shared_lab, "_under_api", None) or make_api(shared_lab, name="under")
    # One request per 1/rate seconds (plus any slack) never outruns the refill.
    gap_list = [1.0 / rate + s for s in slack]
    accepted = arrivals_through(shared_lab, api, rate, burst, gap_list)
    assert len(accepted) == len(gap_list)
