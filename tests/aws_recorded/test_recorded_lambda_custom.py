"""The Lambda custom integration (type AWS with a Lambda URI) as AWS recorded it: the request template
makes the event, the function's output is the integration response body, its errors are selected by
errorMessage, and the mapped integration request headers API Gateway refuses.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/`: test_apigateway_lambda.snapshot.json
(`LAMBDA::<test>` below is `tests/aws/services/apigateway/test_apigateway_lambda.py::<test>`) and
test_apigateway_integrations.snapshot.json (`REMAP` below is
`tests/aws/services/apigateway/test_apigateway_integrations.py::TestApiGatewayHeaderRemapping::
test_apigateway_header_remapping_aws[AWS]`).
"""

from __future__ import annotations

import json

import pytest

from labkit.apis import RestApi
from recorded import CLIENT_HEADERS, role_arn

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

ECHO = '''
def handler(event, context):
    return event
'''
SELECT_PATTERN = '''
def handler(event, context):
    code = event["statusCode"]
    if code == "200":
        return "Pass"
    if code == "400":
        raise Exception("Error: Raising four hundred from within the Lambda function")
    if code == "500":
        raise Exception("Error: Raising five hundred from within the Lambda function")
    return "Error Value in the json request should either be 400 or 500 to demonstrate"
'''
MAPPING_RESPONSES = '''
def handler(event, context):
    if int(event.get("body").get("httpStatus")) >= 400:
        return {"statusCode": 200, "body": "customerror"}
    return {"statusCode": 200, "body": "noerror"}
'''
PROXY_SHAPED = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event), "isBase64Encoded": False}
'''
# The recorded test's request template (tests/aws/files/request-template.vm), in short: the body as `body`.
REQUEST_TEMPLATE = '{"apiContext": {"stage": "$context.stage"}, "body": $input.json(\'$\')}'
# tests/aws/files/response-template.vm: the output, and a status override chosen by its content.
RESPONSE_TEMPLATE = '''#set($inputRoot = $input.path('$'))
$input.json("$")
#if($inputRoot.toString().contains("customerror"))
    #set($context.responseOverride.status = 400)
#else
    #set($context.responseOverride.status = 202)
#end'''


def _method(client, api, path: str, verb: str, fn: str, *, statuses=("200",), request_parameters=None,
            integration_parameters=None, request_templates=None, responses=None, method_response_headers=None,
            kind="AWS"):
    """`verb path` -> `kind` (POST) Lambda `fn`; `responses`: (status, selectionPattern or None, extra)."""
    res = api.resource(path)
    client.put_method(restApiId=api.id, resourceId=res.id, httpMethod=verb, authorizationType="NONE",
                      **({"requestParameters": request_parameters} if request_parameters else {}))
    for status in statuses:
        client.put_method_response(restApiId=api.id, resourceId=res.id, httpMethod=verb, statusCode=status,
                                   **({"responseParameters": method_response_headers}
                                      if method_response_headers else {}))
    region = api.region
    client.put_integration(
        restApiId=api.id, resourceId=res.id, httpMethod=verb, type=kind, integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn}/invocations", credentials=role_arn(fn.split(":")[4], "apigw-lambda"),
        **({"requestParameters": integration_parameters} if integration_parameters else {}),
        **({"requestTemplates": request_templates} if request_templates else {}))
    for status, pattern, extra in responses or [("200", None, {})]:
        client.put_integration_response(restApiId=api.id, resourceId=res.id, httpMethod=verb, statusCode=status,
                                        **({"selectionPattern": pattern} if pattern is not None else {}), **extra)


def _url(lab, api, stage: str, path: str) -> str:
    return f"https://{api.id}.execute-api.{lab.region}.amazonaws.com/{stage}{path}"


def test_output_passes_through(lab):
    """LAMBDA::test_lambda_aws_integration / lambda-aws-integration: no template, the body is the event
    and the echoed event the answer."""
    fn = lab.lambda_function("rec-custom-echo", ECHO)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-echo")
    _method(client, api, "/test", "POST", fn)
    api.deploy("api")
    r = lab.gateway().invoke("POST", _url(lab, api, "api", "/test"), body=json.dumps({"message": "hello world"}))
    assert r.status_code == 200 and r.json() == {"message": "hello world"}


def test_request_template_from_query(lab):
    """LAMBDA::test_lambda_aws_integration_with_request_template / lambda-aws-integration-1, -2: GET with
    `?param1=foobar` (and an extra `Signature=1`) -> the template's event `{"param1": "foobar"}`."""
    fn = lab.lambda_function("rec-custom-template", ECHO)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-template")
    _method(client, api, "/test", "GET", fn, request_parameters={"method.request.querystring.param1": False},
            request_templates={"application/json": '{"param1": "$input.params(\'param1\')"}'},
            responses=[("200", "", {})])
    api.deploy("api")
    gw = lab.gateway()
    for query in ("?param1=foobar", "?param1=foobar&Signature=1"):
        r = gw.invoke("GET", _url(lab, api, "api", "/test" + query))
        assert r.status_code == 200 and r.json() == {"param1": "foobar"}


@pytest.mark.parametrize("code, status", [("200", 200), ("400", 405), ("500", 502)])
def test_selection_patterns(lab, code, status):
    """LAMBDA::test_lambda_selection_patterns: patterns match the function's errorMessage, never its
    status (a `200` pattern on 504 is never chosen). lambda-selection-pattern-200: `"Pass"`; -400, -500:
    the error object (errorMessage, errorType, requestId, stackTrace) with 405 and 502."""
    fn = lab.lambda_function("rec-custom-select", SELECT_PATTERN)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-select")
    _method(client, api, "/{statusCode}", "GET", fn, statuses=("200", "405", "502"),
            request_templates={"application/json": '{"statusCode": "$input.params(\'statusCode\')"}'},
            responses=[("200", "", {}), ("405", ".*four hundred.*", {}), ("502", ".+", {}), ("504", "200", {})])
    api.deploy("dev")
    r = lab.gateway().invoke("GET", _url(lab, api, "dev", f"/{code}"))
    assert r.status_code == status
    if code == "200":
        assert r.json() == "Pass"
        return
    error = r.json()
    word = "four" if code == "400" else "five"
    assert error["errorMessage"] == f"Error: Raising {word} hundred from within the Lambda function"
    assert error["errorType"] == "Exception"
    assert {"errorMessage", "errorType", "stackTrace"} <= set(error)


@pytest.mark.parametrize("sent, status, body", [({"httpStatus": "200"}, 202, "noerror"),
                                                ({"httpStatus": "400", "errorMessage": "Test Bad request"},
                                                 400, "customerror")])
def test_response_template_overrides_status(lab, sent, status, body):
    """LAMBDA::test_lambda_aws_integration_response_with_mapping_templates / response-template-202,
    response-template-400: the response template sets `$context.responseOverride.status` from the output."""
    fn = lab.lambda_function("rec-custom-override", MAPPING_RESPONSES)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-override")
    _method(client, api, "/test", "POST", fn, statuses=("200", "400"),
            request_templates={"application/json": REQUEST_TEMPLATE},
            responses=[("200", "", {"responseTemplates": {"application/json": RESPONSE_TEMPLATE}})])
    api.deploy("api")
    r = lab.gateway().invoke("POST", _url(lab, api, "api", "/test"), headers={"Content-Type": "application/json"},
                             body=json.dumps(sent))
    assert r.status_code == status
    assert r.json() == {"statusCode": 200, "body": body}


# --- REMAP: mapped integration request headers on a Lambda custom integration ---------------------------

CLIENT = CLIENT_HEADERS
REFUSED = {"content-length": ("Content-Length", "'0'"), "transfer-encoding": ("Transfer-Encoding", "'deflate'"),
           "authorization": ("Authorization", "'request_params_authorization'"),
           "connection": ("Connection", "'keep-alive'"), "expect": ("Expect", "'200-ok'"),
           "proxy-authenticate": ("Proxy-Authenticate", "'Basic realm=\"Access to the internal site\"'"),
           "te": ("TE", "'gzip'")}


def _remap_api(lab, kind: str):
    """The recorded API: GET /no-param (no mapping) and GET /{case} mapping one header, each a `kind`
    integration to a function that answers `{"statusCode": 200, "body": <event as JSON>}`."""
    fn = lab.lambda_function(f"rec-remap-{kind.lower().replace('_', '-')}", PROXY_SHAPED)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-remap", endpoint_type="REGIONAL")
    _method(client, api, "/no-param", "GET", fn, kind=kind)
    for path, (header, value) in REFUSED.items():
        _method(client, api, f"/{path}", "GET", fn, kind=kind,
                integration_parameters={f"integration.request.header.{header}": value})
    api.deploy("test")
    gw = lab.gateway()
    return lambda path: gw.invoke("GET", _url(lab, api, "test", f"/{path}"), headers=CLIENT)


@pytest.fixture
def remap_api(lab):
    """REMAP's API with AWS (custom) integrations."""
    return _remap_api(lab, "AWS")


def test_remap_no_param(remap_api):
    """REMAP / no-param-integration: 200, the event `{}` (a GET has no body), no `headers` key; the answer
    is JSON with the invocation's X-Amzn-Trace-Id."""
    r = remap_api("no-param")
    assert r.status_code == 200
    answer = r.json()
    assert json.loads(answer["body"]) == {} and answer.get("headers") is None
    assert r.headers["Content-Type"] == "application/json" and r.headers["X-Amzn-Trace-Id"].startswith("Root=1-")


@pytest.mark.parametrize("kind", ["AWS", "AWS_PROXY"])
def test_remap_refused_header_is_500(lab, kind):
    """REMAP (and `...header_remapping_aws[AWS_PROXY]`, which records the same) / content-length,
    transfer-encoding, authorization, connection, expect, proxy-authenticate, te: mapping that header
    is 500 Internal server error (InternalServerErrorException), no trace id."""
    call = _remap_api(lab, kind)
    for path in REFUSED:
        _refused(call(path))


def _refused(r) -> None:
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}
    assert r.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    assert r.headers["Content-Type"] == "application/json"
    assert "X-Amzn-Trace-Id" not in r.headers


# REMAP "full-integration": every header below is a method request parameter and a method response
# header; the request template shows each through `$input.params()`, the integration maps the integration
# request headers AWS accepts for Lambda, and the integration response maps `'response_param_{name}'`.
REMAP_HEADERS = ["Accept", "Accept-Charset", "Accept-Encoding", "Age", "Authorization", "Connection",
                 "Content-Encoding", "Content-Length", "Content-MD5", "Content-Type", "Date", "Expect", "Host",
                 "Max-Forwards", "Pragma", "Proxy-Authenticate", "Range", "Referer", "Server", "TE",
                 "Transfer-Encoding", "Trailer", "Upgrade", "User-Agent", "Via", "Warn", "WWW-Authenticate"]
FULL_MAPPED = {"Accept": "'text/html'", "Accept-Charset": "'UTF-16'", "Accept-Encoding": "'zstd'",
               "Age": "'request_params_age'", "Content-Encoding": "'compress'",
               "Content-MD5": "'request_params_Content-MD5'", "Content-Type": "'application/json'",
               "Date": "'request_params_Date'", "Host": "method.request.header.Host", "Max-Forwards": "'2'",
               "Pragma": "'no-cache'", "Range": "'bytes=0-499'", "Referer": "'https://example.com/page'",
               "Server": "'https://example.com/page'", "Trailer": "'user-agent'", "Upgrade": "'HTTP/2.0'",
               "User-Agent": "'Override-Agent'", "Warn": "'110 anderson/1.3.37 \"Response is stale\"'",
               "WWW-Authenticate": "'Basic YWxhZGRpbjpvcGVuc2VzYW1l'", "Via": "'othersite.net'"}
# What `$input.params(name)` showed: the client's value, or "" for the headers API Gateway hides.
FULL_HIDDEN = {"Connection", "Content-Length", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate",
               "Server", "TE", "Transfer-Encoding", "Trailer", "Upgrade", "WWW-Authenticate"}
# The method response headers that came back under their own name; the others but Transfer-Encoding
# (dropped) came back as x-amzn-Remapped-{name}.
FULL_KEPT = {"Accept", "Accept-Charset", "Accept-Encoding", "Age", "Content-Encoding", "Content-Type", "Pragma",
             "Range", "Referer", "TE", "Via", "Warn"}


def test_remap_full(lab):
    """REMAP / full-integration: the event shows the client's headers through `$input.params()` but for
    FULL_HIDDEN (""), Host the API's host; the method response's mapped headers come back as mapped, or
    renamed x-amzn-Remapped-{name} when API Gateway owns the name, Transfer-Encoding not at all."""
    fn = lab.lambda_function("rec-remap-full", PROXY_SHAPED)
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-custom-remap-full", endpoint_type="REGIONAL")
    template = "{" + ",".join(f'"{h}": "$input.params(\'{h}\')"' for h in REMAP_HEADERS) + "}"
    _method(client, api, "/full", "GET", fn,
            request_parameters={f"method.request.header.{h}": False for h in REMAP_HEADERS},
            method_response_headers={f"method.response.header.{h}": True for h in REMAP_HEADERS},
            integration_parameters={f"integration.request.header.{h}": v for h, v in FULL_MAPPED.items()},
            request_templates={"application/json": template},
            responses=[("200", None, {"responseParameters": {f"method.response.header.{h}": f"'response_param_{h}'"
                                                             for h in REMAP_HEADERS}})])
    api.deploy("test")
    r = lab.gateway().invoke("GET", _url(lab, api, "test", "/full"), headers=CLIENT)
    assert r.status_code == 200
    answer = r.json()
    assert answer.get("headers") is None
    event = json.loads(answer["body"])
    assert set(event) == set(REMAP_HEADERS)
    host = f"{api.id}.execute-api.{lab.region}.amazonaws.com"
    for name in REMAP_HEADERS:
        if name in FULL_HIDDEN:
            assert event[name] == "", name
        elif name == "Host":
            assert event[name] == host
        elif name not in ("Date", "Via"):  # recorded as <Date>, <via:1>: values not kept
            assert event[name] == CLIENT[name], name
    assert event["Via"] and event["Date"]
    for name in REMAP_HEADERS:
        if name in FULL_KEPT:
            if name != "Via":  # recorded as <via:2>
                assert r.headers[name] == f"response_param_{name}", name
            assert f"x-amzn-Remapped-{name}" not in r.headers
        elif name != "Transfer-Encoding":
            if name != "Date":  # recorded as <x-amzn-Remapped-Date>
                assert r.headers[f"x-amzn-Remapped-{name}"] == f"response_param_{name}", name
    assert "x-amzn-Remapped-Transfer-Encoding" not in r.headers
    assert r.headers["Via"]
    assert r.headers["X-Amzn-Trace-Id"].startswith("Root=1-")
