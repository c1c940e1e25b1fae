"""The stage cache's method settings, as AWS stores them and as the data plane applies them.

Control plane: LocalStack's AWS-validated recordings of `get_stage` after `update_stage`
(`tests/aws/services/apigateway/test_apigateway_common.snapshot.json`) and the AWS CLI reference's
`update-stage` example (a new method setting holds every default, `cachingEnabled: false` among them).
Data plane: "When you enable caching for a stage, only GET methods have caching enabled by default
... You can enable caching for other methods by overriding method settings."
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html
"""

from __future__ import annotations

import pytest

from labkit import VirtualClock
from labkit.apis import RestApi

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)


# Every field AWS writes into a new method setting, with AWS's defaults (API_MethodSetting; the
# recordings below show the same keys and values apart from the fields their patches set).
DEFAULTS = {
    "cacheDataEncrypted": False,
    "cacheTtlInSeconds": 300,
    "cachingEnabled": False,
    "dataTraceEnabled": False,
    "metricsEnabled": False,
    "requireAuthorizationForCacheControl": True,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}

COUNTER = '''
import json
calls = {"n": 0}
def handler(event, context):
    calls["n"] += 1
    return {"statusCode": 200, "body": json.dumps({"n": calls["n"]})}
'''


def _stage(lab, name):
    client = lab.client("apigateway")
    api = RestApi.create(client, name)
    api.resource("/test").method("GET").mock()
    api.deploy("s1")
    return client, api


def test_a_new_wildcard_setting_holds_every_default(lab):
    """AWS CLI reference, `aws apigateway update-stage` example: a `*/*` setting made by one patch
    holds every default, caching off. Same keys as `test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::TestStages::test_update_stage_remove_wildcard`
    ("update-stage")."""
    client, api = _stage(lab, "wildcard-defaults")
    stage = client.update_stage(restApiId=api.id, stageName="s1", patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "false"}])
    assert stage["methodSettings"] == {"*/*": DEFAULTS}
    assert client.get_stage(restApiId=api.id, stageName="s1")["methodSettings"] == {"*/*": DEFAULTS}


def test_wildcard_caching_enabled_then_removed(lab):
    """`test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::TestStages::test_update_stage_remove_wildcard`: "update-stage" after
    `/*/*/caching/enabled = true`, then "update-stage-reset" and "get-stage-after-reset" empty."""
    client, api = _stage(lab, "wildcard-caching")
    stage = client.update_stage(restApiId=api.id, stageName="s1", patchOperations=[
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"}])
    assert stage["methodSettings"] == {"*/*": {**DEFAULTS, "cachingEnabled": True}}
    reset = client.update_stage(restApiId=api.id, stageName="s1", patchOperations=[{"op": "remove", "path": "/*/*"}])
    assert reset["methodSettings"] == {}
    assert client.get_stage(restApiId=api.id, stageName="s1")["methodSettings"] == {}


def test_per_method_setting_after_wildcard(lab):
    """`test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::TestStages::test_create_update_stages`: "update-stage", "get-stage" (a per-method
    setting made after `*/*` starts from it) and "update-stage-override" (a later `*/*` change leaves
    the method's own setting alone)."""
    client, api = _stage(lab, "per-method")
    ops = [{"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "123"},
           {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
           {"op": "replace", "path": "/test/GET/throttling/burstLimit", "value": "124"}]
    expected = {"*/*": {**DEFAULTS, "cachingEnabled": True, "throttlingBurstLimit": 123},
                "test/GET": {**DEFAULTS, "cachingEnabled": True, "throttlingBurstLimit": 124}}
    assert client.update_stage(restApiId=api.id, stageName="s1", patchOperations=ops)["methodSettings"] == expected
    assert client.get_stage(restApiId=api.id, stageName="s1")["methodSettings"] == expected
    override = client.update_stage(restApiId=api.id, stageName="s1", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    expected["*/*"]["throttlingBurstLimit"] = 100
    assert override["methodSettings"] == expected


def _cached_api(lab, name):
    fn = lab.lambda_function(f"count-{name}", COUNTER)
    client = lab.client("apigateway")
    api = RestApi.create(client, name)
    items = api.resource("/items")
    items.method("GET").lambda_proxy(fn)
    items.method("POST").lambda_proxy(fn)
    api.deploy("dev")
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"}])
    return client, api, lab.stage_url(api.id, "dev") + "/items"


def test_wildcard_caching_caches_get_only(lab):
    """api-gateway-caching.html: with `*/*` caching enabled, GET is cached and POST is not."""
    _, _, url = _cached_api(lab, "get-only")
    gw = lab.gateway(clock=VirtualClock())
    gets = [gw.invoke("GET", url) for _ in range(2)]
    assert [r.json()["n"] for r in gets] == [1, 1]
    assert [r.headers["x-labkit-cache"] for r in gets] == ["MISS", "HIT"]
    posts = [gw.invoke("POST", url) for _ in range(2)]
    assert [r.status_code for r in posts] == [200, 200]
    assert [r.json()["n"] for r in posts] == [2, 3]
    assert all("x-labkit-cache" not in r.headers for r in posts)


def test_post_is_cached_with_its_own_override(lab):
    """api-gateway-caching.html: another method is cached when its own method setting enables caching."""
    client, api, url = _cached_api(lab, "post-override")
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/~1items/POST/caching/enabled", "value": "true"}])
    gw = lab.gateway(clock=VirtualClock())
    posts = [gw.invoke("POST", url) for _ in range(2)]
    assert [r.json()["n"] for r in posts] == [1, 1]
    assert [r.headers["x-labkit-cache"] for r in posts] == ["MISS", "HIT"]


def test_wildcard_without_caching_enabled_caches_nothing(lab):
    """A cache cluster alone caches nothing once `*/*` says `cachingEnabled: false` (the default AWS
    writes): "A cache cluster must be enabled on the stage for responses to be cached" is necessary,
    not sufficient (AWS::ApiGateway::Stage MethodSetting, CachingEnabled)."""
    fn = lab.lambda_function("count-ttl-only", COUNTER)
    client = lab.client("apigateway")
    api = RestApi.create(client, "ttl-only")
    api.resource("/items").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    client.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"}])
    gw = lab.gateway(clock=VirtualClock())
    url = lab.stage_url(api.id, "dev") + "/items"
    assert [gw.invoke("GET", url).json()["n"] for _ in range(2)] == [1, 2]
