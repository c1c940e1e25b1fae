"""More Lambda proxy (AWS_PROXY) behaviour as AWS recorded it: an integration method other than POST,
request parameters an AWS_PROXY integration ignores, and the rules for the function's proxy response.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json`
(each test names its key); the requests are those of `test_apigateway_lambda.py`.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from labkit.apis import RestApi
from recorded import role_arn

SNAP = "test_apigateway_lambda.snapshot.json::tests/aws/services/apigateway/test_apigateway_lambda.py::"
# tests/aws/services/lambda_/functions/lambda_aws_proxy.py: the event back as the body.
ECHO = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event), "isBase64Encoded": False}
'''
# LAMBDA_RESPONSE_FROM_BODY: the function returns the JSON the client posted (base64-decoded first if need be).
FROM_BODY = '''
import base64, json
def handler(event, context):
    body = event["body"]
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body)
    return json.loads(body)
'''
INTERNAL_ERROR = {"message": "Internal server error"}


def _proxy_api(lab, name: str, fn: str, path_part: str, *, http_method: str = "POST",
               method_parameters=None, integration_parameters=None) -> RestApi:
    """ANY /`path_part` -> AWS_PROXY to `fn` with integration method `http_method`, deployed as `test`."""
    client = lab.client("apigateway")
    api = RestApi.create(client, name, endpoint_type="REGIONAL")
    res = api.resource("/" + path_part)
    client.put_method(restApiId=api.id, resourceId=res.id, httpMethod="ANY", authorizationType="NONE",
                      **({"requestParameters": method_parameters} if method_parameters else {}))
    client.put_integration(
        restApiId=api.id, resourceId=res.id, httpMethod="ANY", type="AWS_PROXY", integrationHttpMethod=http_method,
        uri=f"arn:aws:apigateway:{lab.region}:lambda:path/2015-03-31/functions/{fn}/invocations", credentials=role_arn(lab.account_id, "apigw-lambda"),
        **({"requestParameters": integration_parameters} if integration_parameters else {}))
    return api


def test_proxy_integration_method_other_than_post(lab):
    """SNAP test_lambda_aws_proxy_integration_non_post_method / invocation-payload-with-get-proxy-method:
    an AWS_PROXY integration with integrationHttpMethod GET fails: 500 Internal server error (the
    INTEGRATION_FAILURE gateway response, put without a status, still answers 500)."""
    fn = lab.lambda_function("rec-proxy-get", ECHO)
    api = _proxy_api(lab, "rec-proxy-get", fn, "{proxy+}", http_method="GET")
    lab.client("apigateway").put_gateway_response(restApiId=api.id, responseType="INTEGRATION_FAILURE",
                                                  responseParameters={})
    api.deploy("test")
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, "test") + "/test-path",
                             headers={"User-Agent": "python-requests/testing"})
    assert r.status_code == 500
    assert r.json() == INTERNAL_ERROR


def test_proxy_integration_ignores_request_parameters(lab):
    """SNAP test_lambda_aws_proxy_integration_request_data_mapping / http-proxy-invocation-data-mapping:
    AWS_PROXY does not apply the integration's requestParameters; the event carries the client's
    headers, query string and the resource's path parameter only."""
    fn = lab.lambda_function("rec-proxy-params", ECHO)
    mappings = {
        "integration.request.header.headerVar": "method.request.header.foobar",
        "integration.request.path.qsVar": "method.request.querystring.testVar",
        "integration.request.path.pathVar": "method.request.path.pathVariable",
        "integration.request.querystring.queryString": "method.request.querystring.testQueryString",
        "integration.request.querystring.testQs": "method.request.querystring.testQueryString",
        "integration.request.querystring.testEmptyQs": "method.request.header.emptyheader",
    }
    api = _proxy_api(lab, "rec-proxy-params", fn, "{pathVariable}",
                     method_parameters=dict.fromkeys(mappings.values(), True), integration_parameters=mappings)
    api.deploy("test")
    r = lab.gateway().invoke(
        "POST", lab.stage_url(api.id, "test") + "/foobar?testQueryString=foo&testVar=bar",
        headers={"Content-Type": "application/json", "Accept": "application/json", "foobar": "mapped-value",
                 "user-Agent": "test/integration", "headerVar": "request-value"},
        body=json.dumps({"message": "hello world"}))
    assert r.status_code == 200, r.text
    event = r.json()
    assert json.loads(event["body"]) == {"message": "hello world"}
    assert event["httpMethod"] == "POST" and event["isBase64Encoded"] is False
    assert event["resource"] == "/{pathVariable}" and event["path"] == "/foobar"
    assert event["pathParameters"] == {"pathVariable": "foobar"}
    assert event["queryStringParameters"] == {"testQueryString": "foo", "testVar": "bar"}
    assert event["multiValueQueryStringParameters"] == {"testQueryString": ["foo"], "testVar": ["bar"]}
    assert event["stageVariables"] is None
    headers = event["headers"]
    assert headers["foobar"] == "mapped-value" and headers["headerVar"] == "request-value"
    assert headers["Accept"] == "application/json" and headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "test/integration" and "user-Agent" not in headers
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}", headers["X-Amzn-Trace-Id"])
    assert {"X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"} <= set(headers)
    for name in ("foobar", "headerVar", "Accept", "Content-Type", "User-Agent"):
        assert event["multiValueHeaders"][name] == [headers[name]], name
    ctx = event["requestContext"]
    assert ctx["path"] == "/test/foobar" and ctx["resourcePath"] == "/{pathVariable}" and ctx["stage"] == "test"
    assert ctx["httpMethod"] == "POST" and ctx["apiId"] == api.id and ctx["domainPrefix"] == api.id
    assert ctx["identity"]["userAgent"] == "test/integration"


@pytest.fixture
def from_body(lab):
    """The recorded API: ANY /{proxy+} -> AWS_PROXY to FROM_BODY; `post(payload)` posts it as JSON to /test."""
    fn = lab.lambda_function("rec-proxy-format", FROM_BODY)
    api = _proxy_api(lab, "rec-proxy-format", fn, "{proxy+}")
    api.deploy("test")
    url = lab.stage_url(api.id, "test") + "/test"

    def post(payload):
        return lab.gateway().invoke("POST", url, headers={"User-Agent": "python/test",
                                                          "Content-Type": "application/json"},
                                    body=json.dumps(payload))

    return post


PAYLOAD_FORMAT = SNAP + "test_aws_proxy_response_payload_format_validation"


@pytest.mark.parametrize("key, payload", [
    ("invoke-api-no-body", {"statusCode": 200}),
    ("invoke-api-only-headers", {"headers": {"test-header": "value"}}),
    ("invoke-api-with-headers-null", {"statusCode": 200, "headers": None}),
])
def test_proxy_response_without_body(from_body, key, payload):
    """PAYLOAD_FORMAT / the key named by the parameter: no body is an empty 200 answer (a missing
    statusCode is 200), typed application/json."""
    r = from_body(payload)
    assert r.status_code == 200, key
    assert r.body == b"", key
    assert r.headers["Content-Type"] == "application/json", key
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}", r.headers["X-Amzn-Trace-Id"]), key


def test_proxy_response_header_values_become_strings(from_body):
    """PAYLOAD_FORMAT / invoke-api-with-headers: a JSON true header value is sent as `true`."""
    r = from_body({"statusCode": 200, "headers": {"test-header": "value", "header-bool": True}})
    assert r.status_code == 200 and r.body == b""
    assert r.headers["test-header"] == "value"
    assert r.headers["header-bool"] == "true"
    assert r.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("key, payload", [
    ("invoke-api-wrong-format", {"statusCode": 200, "wrongValue": "value"}),
    ("invoke-api-empty-response", {}),
    ("invoke-api-multi-headers-invalid", {"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}),
    ("invoke-api-invalid-status-code", {"statusCode": "test"}),
    ("invoke-api-just-string", "justAString"),
])
def test_proxy_response_malformed(from_body, key, payload):
    """PAYLOAD_FORMAT / the key named by the parameter: 502 Internal server error."""
    r = from_body(payload)
    assert r.status_code == 502, key
    assert r.json() == INTERNAL_ERROR, key


@pytest.mark.parametrize("key, payload", [
    ("invoke-api-b64-encoded-true",
     {"statusCode": 200, "body": base64.b64encode(b"test-data").decode(), "isBase64Encoded": True}),
    ("invoke-api-b64-encoded-false", {"statusCode": 200, "body": base64.b64encode(b"test-data").decode()}),
])
def test_proxy_response_base64_body_without_binary_types(from_body, key, payload):
    """PAYLOAD_FORMAT / the key named by the parameter: with no binary media types, the base64 body
    comes back as sent, whether or not isBase64Encoded says so."""
    r = from_body(payload)
    assert r.status_code == 200, key
    assert r.text == "dGVzdC1kYXRh", key


def test_proxy_response_status_code_as_string(from_body):
    """PAYLOAD_FORMAT / invoke-api-status-code-str: statusCode "201" answers 201."""
    r = from_body({"statusCode": "201"})
    assert r.status_code == 201 and r.body == b""


@pytest.mark.parametrize("key, payload, name, value", [
    ("invoke-api-multi-headers-valid", {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}},
     "test-multi", "value1, value2"),
    ("invoke-api-multi-headers-overwrite",
     {"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}},
     "test-multi", "value-multi, value-solo"),
    ("invoke-api-multi-headers-overwrite-casing",
     {"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}, "headers": {"test-multi": "value-solo"}},
     "tesT-Multi", "value-multi, value-solo"),
])
def test_proxy_response_multi_value_headers(from_body, key, payload, name, value):
    """PAYLOAD_FORMAT / the key named by the parameter: multiValueHeaders values joined with `, `, a
    `headers` value of the same name (any case) appended after them, under the multiValueHeaders name."""
    r = from_body(payload)
    assert r.status_code == 200, key
    assert r.headers[name] == value, key
    assert r.headers.spelling(name) == name, key
