"""CORS on REST APIs: what the console's "Enable CORS" builds (labkit.apis.enable_cors), executed by
the gateway as is, and the browser's check (labkit.gateway.cors.browser_check).

https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
"""

from __future__ import annotations

import json

import pytest
import requests

from labkit.apis import RestApi, enable_cors
from labkit.gateway.cors import browser_check, needs_preflight
from labkit.gateway.http import Headers, Response

ORIGIN = "https://app.example.com"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type,x-api-key"}


def pets_api(lab, **cors):
    api = RestApi.create(lab.client("apigateway"), "cors")
    pets = api.resource("/pets")
    pets.method("GET").mock(body='{"pets": []}')
    pets.method("POST").mock(body='{"id": 1}')
    summary = enable_cors(pets, **cors)
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev"), summary


def test_enable_cors_builds_the_console_options_method(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html
    api, _, summary = pets_api(lab)
    apigw = lab.client("apigateway")
    method = apigw.get_method(restApiId=api.id, resourceId=api.resources()["/pets"], httpMethod="OPTIONS")
    assert method["authorizationType"] == "NONE"
    integration = method["methodIntegration"]
    assert integration["type"] == "MOCK"
    assert json.loads(integration["requestTemplates"]["application/json"]) == {"statusCode": 200}
    assert set(method["methodResponses"]["200"]["responseParameters"]) == {
        "method.response.header.Access-Control-Allow-Headers", "method.response.header.Access-Control-Allow-Methods",
        "method.response.header.Access-Control-Allow-Origin"}
    params = integration["integrationResponses"]["200"]["responseParameters"]
    assert params["method.response.header.Access-Control-Allow-Origin"] == "'*'"
    assert params["method.response.header.Access-Control-Allow-Methods"] == "'GET,OPTIONS,POST'"
    assert params["method.response.header.Access-Control-Allow-Headers"] == \
        "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"
    assert summary["allow_methods"] == {"/pets": "GET,OPTIONS,POST"}


def test_preflight_answers_200_with_the_headers_and_the_browser_allows(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
    _, url, _ = pets_api(lab, max_age=600)
    preflight = requests.options(url + "/pets", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    actual = requests.post(url + "/pets", headers={"Origin": ORIGIN, "Content-Type": "application/json",
                                                   "X-Api-Key": "k"}, data="{}")
    assert actual.status_code == 200
    assert actual.headers["Access-Control-Allow-Origin"] == "*"  # the console adds it to the 200 response
    allowed, reason = browser_check(ORIGIN, "POST", {"Content-Type": "application/json", "X-Api-Key": "k"},
                                    preflight, actual)
    assert allowed, reason


def test_gateway_errors_carry_cors_headers_only_when_default_4xx_5xx_are_customised(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html (gateway responses)
    _, url, _ = pets_api(lab)
    missing = requests.get(url + "/nope", headers={"Origin": ORIGIN})
    assert missing.status_code == 403 and missing.headers["Access-Control-Allow-Origin"] == "*"
    assert browser_check(ORIGIN, "GET", {}, None, missing)[0], "the page can read the real error"

    api2 = RestApi.create(lab.client("apigateway"), "cors-no-gateway-responses")
    pets = api2.resource("/pets")
    pets.method("GET").mock()
    enable_cors(pets, gateway_responses=False)
    api2.deploy("dev")
    bare = requests.get(lab.stage_url(api2.id, "dev") + "/nope", headers={"Origin": ORIGIN})
    assert bare.status_code == 403 and "Access-Control-Allow-Origin" not in bare.headers
    allowed, reason = browser_check(ORIGIN, "GET", {}, None, bare)
    assert not allowed and "no Access-Control-Allow-Origin" in reason


def test_throttled_429_and_500_gateway_responses_carry_the_origin(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    api, url, _ = pets_api(lab)
    apigw = lab.client("apigateway")
    apigw.update_stage(restApiId=api.id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "0"}])
    throttled = requests.get(url + "/pets", headers={"Origin": ORIGIN})
    assert throttled.status_code == 429
    assert throttled.headers["Access-Control-Allow-Origin"] == "*"

    broken = RestApi.create(apigw, "cors-500")
    res = broken.resource("/x")
    res.method("GET")
    apigw.put_integration(restApiId=broken.id, resourceId=res.id, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    # no integration response: API_CONFIGURATION_ERROR (500)
    apigw.put_method_response(restApiId=broken.id, resourceId=res.id, httpMethod="GET", statusCode="200")
    enable_cors(broken)
    broken.deploy("dev")
    error = requests.get(lab.stage_url(broken.id, "dev") + "/x", headers={"Origin": ORIGIN})
    assert error.status_code == 500
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_lambda_proxy_response_carries_only_what_the_function_returns(lab):
    # "For AWS_PROXY ... the backend must return Access-Control-Allow-Origin itself":
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html
    fn = lab.lambda_function("cors-proxy", '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"X-Own": "1"}, "body": "{}"}
''')
    api = RestApi.create(lab.client("apigateway"), "cors-proxy")
    res = api.resource("/items")
    res.method("GET").lambda_proxy(fn)
    enable_cors(res)
    api.deploy("dev")
    r = requests.get(lab.stage_url(api.id, "dev") + "/items", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and r.headers["X-Own"] == "1"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert not browser_check(ORIGIN, "GET", {}, None, r)[0]


def test_a_listed_origin_is_echoed_and_others_are_refused(lab):
    # Several origins: one value per answer, chosen by the OPTIONS request template.
    other = "https://evil.example.net"
    _, url, _ = pets_api(lab, allow_origins=[ORIGIN, "https://admin.example.com"])
    ok = requests.options(url + "/pets", headers=PREFLIGHT)
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert ok.headers["Vary"] == "Origin"
    refused = requests.options(url + "/pets", headers={**PREFLIGHT, "Origin": other})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    actual = Response(201, Headers({"Access-Control-Allow-Origin": other}))
    assert not browser_check(other, "POST", {"Content-Type": "application/json"}, refused, actual)[0]


def test_enable_cors_rejects_bad_input(lab):
    api = RestApi.create(lab.client("apigateway"), "cors-bad")
    res = api.resource("/a")
    res.method("GET").mock()
    with pytest.raises(ValueError, match="allow_origins"):
        enable_cors(res, allow_origins=["*", ORIGIN])
    with pytest.raises(ValueError, match="allow_origins"):
        enable_cors(res, allow_origins=["app.example.com"])
    with pytest.raises(ValueError, match="max_age"):
        enable_cors(res, max_age=-1)
    with pytest.raises(ValueError, match="api_or_resource"):
        enable_cors("not an api")


# --- the browser's algorithm (Fetch standard) ----------------------------------------------------------

def _resp(status=200, **headers):
    return Response(status, Headers({k.replace("_", "-"): v for k, v in headers.items()}))


def test_browser_check_rules():
    # https://fetch.spec.whatwg.org/#http-cors-protocol
    assert not needs_preflight("GET", {"Accept": "application/json"})
    assert not needs_preflight("POST", {"Content-Type": "text/plain"})
    assert needs_preflight("POST", {"Content-Type": "application/json"})
    assert needs_preflight("DELETE", {})
    star = _resp(Access_Control_Allow_Origin="*")
    assert browser_check(ORIGIN, "GET", {}, None, star) == (True, f"{ORIGIN} may read the 200 response")
    wrong = _resp(Access_Control_Allow_Origin="https://other.example.com")
    assert "not 'https://app.example.com'" in browser_check(ORIGIN, "GET", {}, None, wrong)[1]
    # credentials with '*' are refused; with the exact origin they need Allow-Credentials: true
    assert "'*'" in browser_check(ORIGIN, "GET", {}, None, star, credentials=True)[1]
    exact = _resp(Access_Control_Allow_Origin=ORIGIN)
    assert not browser_check(ORIGIN, "GET", {}, None, exact, credentials=True)[0]
    exact.headers["Access-Control-Allow-Credentials"] = "true"
    assert browser_check(ORIGIN, "GET", {}, None, exact, credentials=True)[0]
    # preflight: method and headers must be listed
    preflight = _resp(Access_Control_Allow_Origin="*", Access_Control_Allow_Methods="GET,POST,OPTIONS",
                      Access_Control_Allow_Headers="Content-Type")
    assert browser_check(ORIGIN, "PUT", {}, preflight, star) == (
        False, "preflight Access-Control-Allow-Methods ['GET', 'OPTIONS', 'POST'] does not list PUT")
    assert browser_check(ORIGIN, "POST", {"X-Api-Key": "k"}, preflight, star) == (
        False, "preflight Access-Control-Allow-Headers does not list x-api-key")
    assert browser_check(ORIGIN, "POST", {"Content-Type": "application/json"}, preflight, star)[0]
    assert not browser_check(ORIGIN, "DELETE", {}, None, star)[0]
    assert "not an ok status" in browser_check(ORIGIN, "DELETE", {}, _resp(403), star)[1]
    with pytest.raises(ValueError, match="origin"):
        browser_check("app.example.com", "GET", {}, None, star)
