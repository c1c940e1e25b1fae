"""The stage cache, as API Gateway documents it.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"""

from __future__ import annotations

import pytest
import requests

from labkit import VirtualClock
from labkit.apis import RestApi
from labkit.gateway.cache import StageCache
from labkit.gateway.http import Headers, Response

COUNTER = '''
import json
calls = {"n": 0}
def handler(event, context):
    calls["n"] += 1
    return {"statusCode": 200, "body": json.dumps({"n": calls["n"], "q": event["queryStringParameters"]})}
'''


def cached_api(lab, *, key_parameters=None, stage_settings=(), name="cached"):
    fn = lab.lambda_function(f"count-{name}", COUNTER)
    client = lab.client("apigateway")
    api = RestApi.create(client, name)
    res = api.resource("/items")
    res.method("GET", request_parameters={"method.request.querystring.type": False,
                                          "method.request.querystring.page": False})
    res.method("POST")
    for method in ("GET", "POST"):
        client.put_integration(restApiId=api.id, resourceId=res.id, httpMethod=method, type="AWS_PROXY",
                               integrationHttpMethod="POST", uri=f"arn:aws:apigateway:us-east-1:lambda:path/"
                               f"2015-03-31/functions/{fn}/invocations", cacheKeyParameters=key_parameters or [])
    client.create_deployment(restApiId=api.id, stageName="dev")
    ops = [{"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
           {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"},
           {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"}] + list(stage_settings)
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=ops)
    return api, lab.stage_url(api.id, "dev") + "/items"


def n_of(response):
    return response.json()["n"]


def test_get_is_cached_for_the_ttl_then_refetched(lab):
    api, url = cached_api(lab, stage_settings=[{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"}])
    clock = VirtualClock()
    gw = lab.gateway(clock=clock)
    first, second = gw.invoke("GET", url), gw.invoke("GET", url)
    assert (n_of(first), n_of(second)) == (1, 1)
    assert (first.headers["x-labkit-cache"], second.headers["x-labkit-cache"]) == ("MISS", "HIT")
    assert second.latency == 0.0 and first.latency > 0  # a hit skips the integration
    clock.advance(61)
    assert n_of(gw.invoke("GET", url)) == 2


def test_only_get_is_cached_by_default_and_a_method_can_opt_in(lab):
    _, url = cached_api(lab)
    gw = lab.gateway(clock=VirtualClock())
    assert [n_of(gw.invoke("POST", url)) for _ in range(2)] == [1, 2]
    _, url2 = cached_api(lab, name="post", stage_settings=[
        {"op": "replace", "path": "/~1items/POST/caching/enabled", "value": "true"}])
    assert [n_of(gw.invoke("POST", url2)) for _ in range(2)] == [1, 1]


def test_ttl_zero_disables_caching(lab):
    _, url = cached_api(lab, stage_settings=[{"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "0"}])
    gw = lab.gateway(clock=VirtualClock())
    assert [n_of(gw.invoke("GET", url)) for _ in range(3)] == [1, 2, 3]


def test_cache_key_parameters_separate_entries_and_a_forgotten_one_serves_the_wrong_answer(lab):
    _, url = cached_api(lab, key_parameters=["method.request.querystring.type"])
    gw = lab.gateway(clock=VirtualClock())
    a = gw.invoke("GET", url + "?type=admin&page=1")
    b = gw.invoke("GET", url + "?type=user&page=1")
    c = gw.invoke("GET", url + "?type=admin&page=2")  # page is not in the key: page 1's answer comes back
    assert (n_of(a), n_of(b), n_of(c)) == (1, 2, 1)
    assert c.json()["q"] == {"type": "admin", "page": "1"}


def test_stages_have_separate_caches(lab):
    api, url = cached_api(lab)
    lab.client("apigateway").create_deployment(restApiId=api.id, stageName="prod")
    lab.client("apigateway").update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}])
    gw = lab.gateway(clock=VirtualClock())
    assert n_of(gw.invoke("GET", url)) == 1
    assert n_of(gw.invoke("GET", lab.stage_url(api.id, "prod") + "/items")) == 2


@pytest.mark.parametrize("strategy, status, warning", [
    ("FAIL_WITH_403", 403, None),
    ("SUCCEED_WITH_RESPONSE_HEADER", 200, True),
    ("SUCCEED_WITHOUT_RESPONSE_HEADER", 200, False),
])
def test_unauthorized_invalidation_follows_the_method_strategy(lab, strategy, status, warning):
    _, url = cached_api(lab, stage_settings=[
        {"op": "replace", "path": "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "value": strategy}])
    gw = lab.gateway(clock=VirtualClock())
    gw.invoke("GET", url)
    r = gw.invoke("GET", url, headers={"Cache-Control": "max-age=0"})
    assert r.status_code == status
    if status == 200:
        assert n_of(r) == 1, "the header is ignored: still the cached answer"
        assert ("Warning" in r.headers) is warning


def test_invalidation_without_required_authorization_refetches(lab):
    _, url = cached_api(lab, stage_settings=[
        {"op": "replace", "path": "/*/*/caching/requireAuthorizationForCacheControl", "value": "false"}])
    gw = lab.gateway(clock=VirtualClock())
    gw.invoke("GET", url)
    fresh = gw.invoke("GET", url, headers={"Cache-Control": "max-age=0"})
    assert n_of(fresh) == 2
    assert n_of(gw.invoke("GET", url)) == 2, "the fresh answer replaced the entry"


def test_flush_stage_cache_empties_the_cache(lab):
    api, url = cached_api(lab)
    assert n_of(requests.get(url)) == 1 and n_of(requests.get(url)) == 1
    lab.client("apigateway").flush_stage_cache(restApiId=api.id, stageName="dev")
    assert n_of(requests.get(url)) == 2


def test_a_full_cache_evicts_the_least_recently_used():
    cache = StageCache(capacity_bytes=300)
    body = b"x" * 80
    for i in range(3):
        cache.put(("ns", "GET", i), Response(200, Headers(), body), ttl=60, now=0)
    assert len(cache) == 3
    cache.get(("ns", "GET", 0), now=1)  # touch 0: 1 is now the oldest
    cache.put(("ns", "GET", 3), Response(200, Headers(), body), ttl=60, now=1)
    assert cache.get(("ns", "GET", 1), now=1) is None and cache.get(("ns", "GET", 0), now=1) is not None
    assert cache.evictions == 1 and cache.used_bytes <= 300


def test_bad_cache_settings_get_the_error_aws_gives(lab):
    from botocore.exceptions import ClientError

    api, _ = cached_api(lab, name="bad")
    client = lab.client("apigateway")
    with pytest.raises(ClientError) as ttl:
        client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "4000"}])
    assert ttl.value.response["Error"]["Code"] == "BadRequestException" and "3600" in str(ttl.value)
    with pytest.raises(ClientError) as size:
        client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/cacheClusterSize", "value": "3"}])
    assert size.value.response["Error"]["Code"] == "ValidationException" and "0.5, 1.6" in str(size.value)
    with pytest.raises(ClientError):
        client.create_stage(restApiId=api.id, stageName="x", deploymentId=api.deployments()[0]["id"],
                            cacheClusterEnabled=True, cacheClusterSize="2")


def test_turning_the_cache_off_and_on_again_starts_empty(lab):
    # Disabling deletes the cache cluster, its data with it. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html
    api, url = cached_api(lab, name="toggle")
    gw = lab.gateway(clock=VirtualClock())
    assert n_of(gw.invoke("GET", url)) == 1
    for value in ("false", "true"):
        lab.client("apigateway").update_stage(restApiId=api.id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/cacheClusterEnabled", "value": value}])
        gw.invoke("GET", url)
    assert gw.invoke("GET", url).headers["x-labkit-cache"] == "HIT"
    assert n_of(gw.invoke("GET", url)) == 3, "the entry cached after re-enabling, not the old one"
