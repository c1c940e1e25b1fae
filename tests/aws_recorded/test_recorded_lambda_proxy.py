"""The Lambda proxy event against AWS's recorded events: requestContext and identity keys, the headers
API Gateway adds, header name casing, slashes in the path, greedy path parameters left percent-encoded,
and the X-Amzn-Trace-Id response header.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/` (each test names its key).
"""

from __future__ import annotations

import json
import re

import pytest

from labkit.apis import RestApi
from recorded import CLIENT_HEADERS

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

PROXY_SNAP = ("test_apigateway_lambda.snapshot.json::tests/aws/services/apigateway/"
              "test_apigateway_lambda.py::test_lambda_aws_proxy_integration")
ECHO = '''
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
'''
CONTEXT_KEYS = {"accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId",
                "httpMethod", "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch",
                "resourceId", "resourcePath", "stage"}
IDENTITY_KEYS = {"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
                 "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent",
                 "userArn"}
CLIENT = {"User-Agent": "python-requests/testing", "tEsT-HEADeR": "aValUE", "authorization": "random-value"}


@pytest.fixture
def proxy_api(lab):
    """The recorded API: ANY on /{proxy+} and on /hardcoded, both AWS_PROXY to one echo function, stage `stage`."""
    fn = lab.lambda_function("rec-echo-event", ECHO)
    api = RestApi.create(lab.client("apigateway"), "rec-proxy", endpoint_type="REGIONAL")
    api.resource("/{proxy+}").method("ANY").lambda_proxy(fn)
    api.resource("/hardcoded").method("ANY").lambda_proxy(fn)
    api.deploy("stage")
    host = f"{api.id}.execute-api.{lab.region}.amazonaws.com"

    def call(path_and_query: str, method: str = "GET", headers=None, body=None):
        r = lab.gateway().invoke(method, f"https://{host}{path_and_query}", headers=headers or CLIENT, body=body)
        assert r.status_code == 200, r.text
        return r

    return api, call


def test_proxy_event_context_identity_and_added_headers(proxy_api):
    """PROXY_SNAP / invocation-payload-without-trailing-slash: the requestContext and identity keys
    exactly; X-Amzn-Trace-Id and X-Forwarded-For/Port/Proto added; `authorization` Pascal-cased, other
    names as sent."""
    api, call = proxy_api
    event = call("/stage/proxy-value").json()
    assert event["resource"] == "/{proxy+}" and event["path"] == "/proxy-value"
    assert event["pathParameters"] == {"proxy": "proxy-value"}
    assert event["httpMethod"] == "GET" and event["body"] is None and event["isBase64Encoded"] is False
    assert event["queryStringParameters"] is None and event["stageVariables"] is None
    ctx = event["requestContext"]
    assert set(ctx) == CONTEXT_KEYS
    assert set(ctx["identity"]) == IDENTITY_KEYS
    assert ctx["identity"]["userAgent"] == "python-requests/testing"
    assert ctx["path"] == "/stage/proxy-value" and ctx["resourcePath"] == "/{proxy+}" and ctx["stage"] == "stage"
    assert ctx["protocol"] == "HTTP/1.1" and ctx["apiId"] == api.id
    headers = event["headers"]
    assert headers["Authorization"] == "random-value" and "authorization" not in headers
    assert headers["tEsT-HEADeR"] == "aValUE" and headers["User-Agent"] == "python-requests/testing"
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}", headers["X-Amzn-Trace-Id"])
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Port"] == "443" and headers["X-Forwarded-Proto"] == "https"
    for name, value in headers.items():
        assert event["multiValueHeaders"][name] == [value]


@pytest.mark.parametrize("key, sent, path, proxy, context_path", [
    ("invocation-payload-with-trailing-slash", "/stage/proxy-value/", "/proxy-value/", "proxy-value",
     "/stage/proxy-value/"),
    ("invocation-payload-with-double-slash", "/stage/proxy-value//double-slash", "/proxy-value//double-slash",
     "proxy-value//double-slash", "/stage/proxy-value//double-slash"),
    ("invocation-payload-with-prepended-slash-to-stage", "//stage/proxy-value", "/proxy-value", "proxy-value",
     "/stage/proxy-value"),
    ("invocation-payload-with-prepended-slash", "/stage//proxy-value", "/proxy-value", "proxy-value",
     "/stage//proxy-value"),
    ("invocation-payload-with-path-encoded-email",
     "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
     "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
     "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
     "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"),
])
def test_proxy_event_path_slashes_and_encoding(proxy_api, key, sent, path, proxy, context_path):
    """PROXY_SNAP / the key named by the parameter: leading slashes collapse, inner and trailing ones stay
    in `path`; the greedy parameter drops a trailing slash and stays percent-encoded; requestContext.path
    is the path as sent after the stage."""
    _, call = proxy_api
    event = call(sent).json()
    assert event["path"] == path, key
    assert event["pathParameters"] == {"proxy": proxy}, key
    assert event["requestContext"]["path"] == context_path, key
    assert event["resource"] == "/{proxy+}"


def test_proxy_event_hardcoded_resource_behind_double_slash(proxy_api):
    """PROXY_SNAP / invocation-hardcoded: `//hardcoded` reaches /hardcoded, not the greedy sibling."""
    _, call = proxy_api
    event = call("/stage//hardcoded").json()
    assert event["resource"] == "/hardcoded" and event["path"] == "/hardcoded"
    assert event["pathParameters"] is None
    assert event["requestContext"]["path"] == "/stage//hardcoded"
    assert event["requestContext"]["resourcePath"] == "/hardcoded"


@pytest.mark.parametrize("key, sent", [
    ("invocation-payload-without-trailing-slash-and-query-params", "/stage/proxy-value?urlparam=test"),
    ("invocation-payload-with-trailing-slash-and-query-params", "/stage/proxy-value/?urlparam=test"),
])
def test_proxy_event_query_string(proxy_api, key, sent):
    """PROXY_SNAP / the key named by the parameter."""
    _, call = proxy_api
    event = call(sent).json()
    assert event["queryStringParameters"] == {"urlparam": "test"}, key
    assert event["multiValueQueryStringParameters"] == {"urlparam": ["test"]}, key
    assert event["pathParameters"] == {"proxy": "proxy-value"}


def test_proxy_event_query_string_decoding(proxy_api):
    """PROXY_SNAP / invocation-payload-with-params-encoding: `+` is a space, `%2B` a plus."""
    _, call = proxy_api
    query = ("dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com"
             "&plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/")
    event = call("/stage/proxy-value/api?" + query).json()
    assert event["queryStringParameters"] == {
        "dateTimeOffset": "2023-06-12T18:05:10.123456 00:00", "email": "test+alias@gmail.com",
        "plus": "test alias@gmail.com", "url": "https://www.google.com/", "whitespace": "foo bar",
        "zhash": "abort/"}
    assert event["path"] == "/proxy-value/api"


def test_proxy_event_multi_values_and_authorization_casing(proxy_api):
    """PROXY_SNAP / invocation-payload-with-params-encoding-multi: repeated query keys; the last value
    in queryStringParameters; `aUThorization` arrives as Authorization."""
    _, call = proxy_api
    event = call("/stage/proxy-value?category=electronics&category=books&price=10&price=20&price=30", "POST",
                 headers={"Content-Type": "application/json;charset=utf-8",
                          "aUThorization": "Bearer token123;API key456", "User-Agent": "python-requests/testing"},
                 body=json.dumps({"message": "hello world"})).json()
    assert event["multiValueQueryStringParameters"] == {"category": ["electronics", "books"],
                                                        "price": ["10", "20", "30"]}
    assert event["queryStringParameters"] == {"category": "books", "price": "30"}
    assert event["headers"]["Authorization"] == "Bearer token123;API key456"
    assert event["multiValueHeaders"]["Authorization"] == ["Bearer token123;API key456"]
    assert event["headers"]["Content-Type"] == "application/json;charset=utf-8"
    assert json.loads(event["body"]) == {"message": "hello world"}
    assert event["httpMethod"] == "POST"


def test_proxy_response_carries_the_trace_header(lab, proxy_api):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_invocation_trace_id: an AWS_PROXY answer carries X-Amzn-Trace-Id (a MOCK
    answer does not); the client's full trace header comes back as sent, and a Root-only one gains a
    Parent."""
    _, call = proxy_api
    assert re.match(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}", call("/stage/proxy-value").headers["X-Amzn-Trace-Id"])
    full = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"
    returned = call("/stage/proxy-value", headers={"x-amzn-trace-id": full}).headers["X-Amzn-Trace-Id"]
    assert full in returned and returned.split(";")[1] == "Parent=7fa8c0f79203be72"
    root = "Root=1-3152b799-8954dae64eda91bc9a23a7e8"
    returned = call("/stage/proxy-value", headers={"x-amzn-trace-id": root}).headers["X-Amzn-Trace-Id"]
    assert returned.startswith(root + ";") and re.fullmatch(r"Parent=[0-9a-f]{16}", returned.split(";")[1])

    api = RestApi.create(lab.client("apigateway"), "rec-mock-trace", endpoint_type="REGIONAL")
    api.resource("/path").method("GET").mock(body='{"statusCode": 200}')
    api.deploy("dev")
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, "dev") + "/path", headers={"x-amzn-trace-id": full})
    assert r.status_code == 200 and "X-Amzn-Trace-Id" not in r.headers


def test_proxy_event_drops_hop_by_hop_headers(proxy_api):
    """test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_aws[AWS_PROXY] / no-param-integration:
    the event keeps the client's ordinary headers and drops the hop-by-hop and framing ones."""
    _, call = proxy_api
    sent = CLIENT_HEADERS
    event = call("/stage/no-param", headers=sent).json()
    kept = {"Accept", "Accept-Charset", "Accept-Encoding", "Age", "Authorization", "Content-Encoding",
            "Content-Type", "Date", "Pragma", "Range", "Referer", "User-Agent", "Via", "Warn"}
    added = {"X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"}
    assert set(event["headers"]) == kept | added
    for name in kept:
        assert event["headers"][name] == sent[name], name
