"""HTTP and HTTP_PROXY integrations against AWS's recorded answers: the headers API Gateway adds to the
backend request, the backend response headers it renames to `x-amzn-Remapped-*`, and the 500 for a
mapped framing header.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/` (each test names its key).
"""

from __future__ import annotations

import json
import re
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from labkit.apis import RestApi
from recorded import CLIENT_HEADERS, serving

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

HTTP_SNAP = "test_apigateway_http.snapshot.json::tests/aws/services/apigateway/test_apigateway_http.py"
REMAP_SNAP = ("test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/"
              "test_apigateway_integrations.py::TestApiGatewayHeaderRemapping")
TRACE = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")


class _Backend(BaseHTTPRequestHandler):
    """Echoes the request's headers and body; answers with its own Date, Server, Connection and
    x-amzn-RequestId, as a Lambda function URL or a web server does."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        payload = json.dumps({"method": self.command, "path": self.path,
                              "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}).encode()
        self.send_response(200)  # adds Server and Date
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "keep-alive")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def backend():
    with serving(_Backend) as url:
        yield url + "/"


def _api(lab, name):
    return RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")


def _integration(lab, api, path, kind, uri, method="GET", parameters=None, method_headers=(),
                 response_parameters=None):
    """A method with an HTTP or HTTP_PROXY integration as the recorded tests build it (integration
    method POST), with a 200 integration response for HTTP."""
    client = lab.client("apigateway")
    resource = api.resource(path)
    client.put_method(restApiId=api.id, resourceId=resource.id, httpMethod=method, authorizationType="NONE")
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod=method, statusCode="200",
                               responseParameters={f"method.response.header.{h}": False for h in method_headers})
    kwargs = {"requestParameters": parameters} if parameters else {}
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod=method, type=kind,
                           integrationHttpMethod="POST", uri=uri, **kwargs)
    if kind == "HTTP":
        client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod=method,
                                        statusCode="200", responseParameters=response_parameters or {})
    return resource


def _post_hello(lab, api, path="/test"):
    return lab.gateway().invoke("POST", lab.stage_url(api.id, "test") + path,
                                body=json.dumps({"message": "hello world"}),
                                headers={"Content-Type": "application/json", "accept": "application/xml",
                                         "user-Agent": "test/integration"})


def test_http_integration_sends_its_own_headers(lab, backend):
    """HTTP_SNAP::test_http_integration_with_lambda[HTTP]: the backend gets API Gateway's
    User-Agent and a default Accept (not the client's), the API id, a trace id and X-Forwarded-*;
    the backend's own Date/Connection/x-amzn-RequestId are not mapped to the client."""
    api = _api(lab, "rec-http")
    _integration(lab, api, "/test", "HTTP", backend, method="POST")
    api.deploy("test")
    r = _post_hello(lab, api)
    assert r.status_code == 200
    seen = r.json()["headers"]
    assert seen["accept"] == "application/json"
    assert seen["user-agent"] == f"AmazonAPIGateway_{api.id}"
    assert seen["x-amzn-apigateway-api-id"] == api.id
    assert seen["content-type"] == "application/json" and seen["content-length"] == "26"
    assert TRACE.match(seen["x-amzn-trace-id"])
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "https" and seen["x-forwarded-port"] == "443"
    assert json.loads(r.json()["body"]) == {"message": "hello world"}
    assert not [k for k in r.headers if k.lower().startswith("x-amzn-remapped-")]
    assert re.fullmatch(r"[0-9a-f-]{36}", r.headers["x-amzn-RequestId"])


def test_http_proxy_passes_client_headers_and_remaps_backend_ones(lab, backend):
    """HTTP_SNAP::test_http_integration_with_lambda[HTTP_PROXY]: the client's Accept and User-Agent go
    through, plus the API id, a trace id and X-Forwarded-*; the backend's Connection, Content-Length,
    Date and x-amzn-RequestId come back as x-amzn-Remapped-*."""
    api = _api(lab, "rec-http-proxy")
    _integration(lab, api, "/test", "HTTP_PROXY", backend, method="POST")
    api.deploy("test")
    r = _post_hello(lab, api)
    assert r.status_code == 200
    seen = r.json()["headers"]
    assert seen["accept"] == "application/xml" and seen["user-agent"] == "test/integration"
    assert seen["x-amzn-apigateway-api-id"] == api.id
    assert TRACE.match(seen["x-amzn-trace-id"])
    assert {"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"} <= set(seen)
    assert r.headers["x-amzn-Remapped-Connection"] == "keep-alive"
    assert r.headers["x-amzn-Remapped-Content-Length"] == str(len(r.body))
    assert re.search(r"GMT$", r.headers["x-amzn-Remapped-Date"])
    assert re.fullmatch(r"[0-9a-f-]{36}", r.headers["x-amzn-Remapped-x-amzn-RequestId"])
    assert r.headers["x-amzn-Remapped-x-amzn-RequestId"] != r.headers["x-amzn-RequestId"]
    assert r.headers["x-amzn-Remapped-Server"]


HEADERS = list(CLIENT_HEADERS) + ["Host", "Content-Length"]
MAPPED = {
    "Accept": "text/html", "Accept-Charset": "UTF-16", "Accept-Encoding": "zstd", "Age": "request_params_age",
    "Authorization": "request_params_authorization", "Content-Encoding": "compress",
    "Content-MD5": "request_params_Content-MD5", "Content-Type": "application/json", "Expect": "200-ok",
    "Max-Forwards": "2", "Pragma": "no-cache", "Range": "bytes=0-499", "Referer": "https://example.com/page",
    "Server": "https://example.com/page", "Trailer": "user-agent", "Upgrade": "HTTP/2.0",
    "User-Agent": "Override-Agent", "Warn": '110 anderson/1.3.37 "Response is stale"',
    "WWW-Authenticate": "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
    # dropped on the way to the endpoint
    "Connection": "keep-alive", "Proxy-Authenticate": 'Basic realm="Access to the internal site"', "TE": "gzip",
    "Via": "othersite.net",
}
# What the endpoint receives of MAPPED (the recordings' "full-integration" headers)
FORWARDED = {k: v for k, v in MAPPED.items() if k not in ("Connection", "Proxy-Authenticate", "TE", "Via", "Expect")}
# Method response headers AWS renames to x-amzn-Remapped-* ("full-integration" response-headers, HTTP)
REMAPPED = ["Authorization", "Connection", "Content-Length", "Content-MD5", "Date", "Expect", "Host",
            "Max-Forwards", "Proxy-Authenticate", "Server", "Trailer", "Upgrade", "User-Agent", "WWW-Authenticate"]
KEPT = ["Accept", "Accept-Charset", "Accept-Encoding", "Age", "Content-Encoding", "Content-Type", "Pragma",
        "Range", "Referer", "TE", "Warn"]


def _remapping_api(lab, kind, backend):
    api = _api(lab, f"rec-remap-{kind.lower()}")
    full = {f"integration.request.header.{k}": f"'{v}'" for k, v in MAPPED.items()}
    for path, parameters in (("/no-param", None), ("/full", full),
                             ("/content-length", {"integration.request.header.Content-Length": "'0'"}),
                             ("/transfer-encoding", {"integration.request.header.Transfer-Encoding": "'deflate'"})):
        response_parameters = ({f"method.response.header.{h}": f"'response_param_{h}'" for h in HEADERS}
                               if path == "/full" else None)
        _integration(lab, api, path, kind, backend, parameters=parameters, method_headers=HEADERS,
                     response_parameters=response_parameters)
    api.deploy("test")
    return api


def _get(lab, api, path):
    return lab.gateway().invoke("GET", lab.stage_url(api.id, "test") + path, headers=CLIENT_HEADERS)


def _assert_full_request(seen, api):
    for name, value in FORWARDED.items():
        assert seen[name.lower()] == value, name
    for name in ("connection", "proxy-authenticate", "te", "via", "expect", "transfer-encoding"):
        assert name not in seen, name
    assert seen["x-amzn-apigateway-api-id"] == api.id


def _assert_framing_500(r):
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}
    assert r.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_http_header_remapping(lab, backend):
    """REMAP_SNAP::test_apigateway_header_remapping_http[HTTP]: with no mapping the endpoint gets only
    API Gateway's headers; mapped headers go through but for Connection, Proxy-Authenticate, TE, Via and
    Expect; a mapped method response header that HTTP owns comes back as x-amzn-Remapped-*; a mapped
    Content-Length or Transfer-Encoding is a 500."""
    api = _remapping_api(lab, "HTTP", backend)
    r = _get(lab, api, "/no-param")
    assert r.status_code == 200
    seen = r.json()["headers"]
    assert seen["accept"] == "application/json" and seen["user-agent"] == f"AmazonAPIGateway_{api.id}"
    assert seen["x-amzn-apigateway-api-id"] == api.id and TRACE.match(seen["x-amzn-trace-id"])
    assert seen["content-length"] == "0"
    for name in ("accept-charset", "age", "authorization", "pragma", "range", "referer", "warn"):
        assert name not in seen, name

    r = _get(lab, api, "/full")
    assert r.status_code == 200
    _assert_full_request(r.json()["headers"], api)
    for name in REMAPPED:
        assert r.headers[f"x-amzn-Remapped-{name}"] == f"response_param_{name}", name
    for name in KEPT:
        assert r.headers[name] == f"response_param_{name}", name
    assert "Transfer-Encoding" not in r.headers
    for name in ("Content-Length", "Date", "Connection", "Server", "Authorization"):
        assert r.headers.get(name) != f"response_param_{name}", name

    _assert_framing_500(_get(lab, api, "/content-length"))
    _assert_framing_500(_get(lab, api, "/transfer-encoding"))


def test_http_proxy_header_remapping(lab, backend):
    """REMAP_SNAP::test_apigateway_header_remapping_http[HTTP_PROXY]: the client's headers go through
    but for the hop-by-hop and gateway-owned ones; the backend's Connection, Content-Length, Date and
    Server come back as x-amzn-Remapped-*; a mapped Content-Length or Transfer-Encoding is a 500."""
    api = _remapping_api(lab, "HTTP_PROXY", backend)
    r = _get(lab, api, "/no-param")
    assert r.status_code == 200
    seen = r.json()["headers"]
    for name in ("Accept", "Accept-Charset", "Accept-Encoding", "Age", "Authorization", "Content-Type", "Date",
                 "Pragma", "Range", "Referer", "User-Agent", "Warn"):
        assert seen[name.lower()] == CLIENT_HEADERS[name], name
    for name in ("connection", "content-encoding", "content-md5", "expect", "max-forwards", "proxy-authenticate",
                 "server", "te", "trailer", "transfer-encoding", "upgrade", "via", "www-authenticate"):
        assert name not in seen, name
    assert seen["x-amzn-apigateway-api-id"] == api.id and TRACE.match(seen["x-amzn-trace-id"])
    for name in ("Connection", "Content-Length", "Date", "Server"):
        assert r.headers[f"x-amzn-Remapped-{name}"], name

    r = _get(lab, api, "/full")
    assert r.status_code == 200
    _assert_full_request(r.json()["headers"], api)
    assert r.headers["x-amzn-Remapped-Connection"] == "keep-alive"

    _assert_framing_500(_get(lab, api, "/content-length"))
    _assert_framing_500(_get(lab, api, "/transfer-encoding"))


def test_http_proxy_integration_request_data_mappings(lab, backend):
    """HTTP_SNAP::test_http_proxy_integration_request_data_mappings: mapped query strings join the URI's
    own and the client's (repeated keys arrive comma-joined), a mapped header overrides the client's
    header of that name, and a mapping from a missing header sends nothing."""
    api = _api(lab, "rec-http-mappings")
    parameters = {
        "integration.request.header.headerVar": "method.request.header.foobar",
        "integration.request.path.qsVar": "method.request.querystring.testVar",
        "integration.request.path.pathVar": "method.request.path.pathVariable",
        "integration.request.querystring.queryString": "method.request.querystring.testQueryString",
        "integration.request.querystring.testQs": "method.request.querystring.testQueryString",
        "integration.request.querystring.testEmptyQs": "method.request.header.emptyheader",
    }
    _integration(lab, api, "/{pathVariable}", "HTTP_PROXY", backend + "?testVar={pathVar}&testQs={qsVar}",
                 method="POST", parameters=parameters)
    api.deploy("test")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "test") + "/foobar?testQueryString=foo&testVar=bar",
                             body=json.dumps({"message": "hello world"}),
                             headers={"Content-Type": "application/json", "Accept": "application/json",
                                      "foobar": "mapped-value", "user-Agent": "test/integration",
                                      "headerVar": "request-value"})
    assert r.status_code == 200
    args = {k: ",".join(v) for k, v in parse_qs(urlsplit(r.json()["path"]).query).items()}
    assert args == {"queryString": "foo", "testQs": "bar,foo", "testQueryString": "foo", "testVar": "foobar,bar"}
    seen = r.json()["headers"]
    assert seen["foobar"] == "mapped-value" and seen["headervar"] == "mapped-value"
    assert seen["user-agent"] == "test/integration" and seen["accept"] == "application/json"
    assert r.headers["x-amzn-Remapped-Connection"] == "keep-alive"


@pytest.mark.parametrize("kind, non_matching", [("HTTP", 200), ("HTTP_PROXY", 400)])
def test_http_integration_invoke_status_code_passthrough(lab, echo, kind, non_matching):
    """HTTP_SNAP::test_http_integration_invoke_status_code_passthrough[HTTP|HTTP_PROXY]: the endpoint's
    400 is the client's 400 through HTTP_PROXY; through HTTP the default integration response answers 200."""
    api = _api(lab, f"rec-status-{kind.lower()}")
    _integration(lab, api, "/{map+}", kind, echo.url + "/{map}", method="POST",
                 parameters={"integration.request.path.map": "method.request.path.map"})
    api.deploy("test")
    url = lab.stage_url(api.id, "test")
    assert lab.gateway().invoke("POST", url + "/status/200").status_code == 200
    assert lab.gateway().invoke("POST", url + "/status/400").status_code == non_matching


# What `requests` sent in test_http_integration_method (its own Accept-Encoding and Connection included).
METHOD_CLIENT = {"Content-Type": "application/json", "Accept": "application/json", "user-Agent": "test/integration",
                 "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}


@pytest.mark.parametrize("kind, sent", [
    ("HTTP", {"accept": "application/json", "content-type": "application/json", "user-agent": "AmazonAPIGateway_{id}"}),
    ("HTTP_PROXY", {"accept": "application/json", "accept-encoding": "gzip, deflate",
                    "content-type": "application/json", "user-agent": "test/integration"})])
def test_http_integration_method(lab, backend, kind, sent):
    """HTTP_SNAP::test_http_integration_method[HTTP] and [HTTP_PROXY] / http-invocation-lambda-url-post,
    -put, -get (all three recorded requests are POSTs): an ANY method whose integration method is POST
    sends POST to the endpoint's path with the body; besides x-* headers (the recording's echo server
    trims them) the endpoint sees Host, Content-Length and, for HTTP, API Gateway's Accept and User-Agent
    only; for HTTP_PROXY the client's Accept, Accept-Encoding, Content-Type and User-Agent."""
    api = _api(lab, f"rec-http-method-{kind.lower()}")
    _integration(lab, api, "/test", kind, backend, method="ANY")
    api.deploy("test")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "test") + "/test",
                             body=json.dumps({"message": "hello world"}), headers=METHOD_CLIENT)
    assert r.status_code == 200
    echo = r.json()
    assert echo["method"] == "POST" and echo["path"] == "/"
    assert json.loads(echo["body"]) == {"message": "hello world"}
    seen = {k: v for k, v in echo["headers"].items() if not k.startswith("x-")}
    assert seen.pop("host") == urlsplit(backend).netloc
    assert seen.pop("content-length") == str(len(json.dumps({"message": "hello world"})))
    assert seen == {k: v.format(id=api.id) for k, v in sent.items()}
