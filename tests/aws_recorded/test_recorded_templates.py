"""Mapping templates as AWS runs them (Velocity on Java), checked against responses recorded on AWS.

The recordings are LocalStack's AWS-validated snapshots (tests/aws/services/apigateway/*.snapshot.json);
each test names the file and key it follows. The requests are rebuilt with the kit's own API calls.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
"""

from __future__ import annotations

import base64
import json
import re
import textwrap
from http.server import BaseHTTPRequestHandler

import pytest

from labkit.apis import RestApi
from recorded import serving

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

STAGE = "dev"


class _RawEcho(BaseHTTPRequestHandler):
    """`/raw` answers the request body as it came; `/post` answers `{"json": <the body parsed>}`
    (the shape of the recordings' `echo_http_server_post`)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/post"):
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = body.decode()
            body = json.dumps({"json": parsed}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def raw_echo():
    with serving(_RawEcho) as url:
        yield url


def _route(lab, api, path, method, *, integration, response_templates, status="200",
           selection_pattern=None, request_parameters=None):
    """One method with one method response and one integration response, as the recordings build them."""
    client = lab.client("apigateway")
    res = api.resource(path)
    ids = {"restApiId": api.id, "resourceId": res.id, "httpMethod": method}
    client.put_method(**ids, authorizationType="NONE", requestParameters=request_parameters or {})
    client.put_method_response(**ids, statusCode=status)
    client.put_integration(**ids, **integration)
    extra = {"selectionPattern": selection_pattern} if selection_pattern is not None else {}
    client.put_integration_response(**ids, statusCode=status, responseTemplates=response_templates, **extra)


def _api(lab, name):
    return RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")


def _mock(request_template):
    return {"type": "MOCK", "integrationHttpMethod": "POST", "requestParameters": {},
            "requestTemplates": {"application/json": request_template}}


# --- $input.path: objects print as Java maps, lists as JSON ------------------------------------------

def test_input_path_renders_objects_as_java_maps_and_lists_as_json(lab, raw_echo):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_input_path_template_formatting"""
    api = _api(lab, "input-path")
    http = {"type": "HTTP", "integrationHttpMethod": "POST", "uri": raw_echo + "/post"}
    probe = ('{"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, '
             '"isEmptyString": #if( $result == "" )"true"#else"false"#end}')
    templates = {
        "/path": '#set($result = $input.path("$.json"))$result',
        "/nested": '#set($result = $input.path("$.json"))$result.nested',
        "/list": '#set($result = $input.path("$.json"))$result[0]',
        "/to-string": '#set($result = $input.path("$.json"))$result.toString()',
        "/invalid-path": '#set($result = $input.path("$.nonExisting"))' + probe,
        "/nested-list": '#set($result = $input.path("$.json.listValue"))' + probe,
    }
    for path, template in templates.items():
        _route(lab, api, path, "POST", integration=http, response_templates={"application/json": template},
               selection_pattern="")
    api.deploy(STAGE)
    gw = lab.gateway()
    base = lab.stage_url(api.id, STAGE)

    def post(path, body=None):
        r = gw.invoke("POST", base + path, {"Content-Type": "application/json"} if body is not None else {}, body)
        assert r.status_code == 200, r.text
        return r.text

    assert post("/path", {"foo": "bar"}) == "{foo=bar}"
    assert post("/path", [{"foo": "bar"}]) == '[{"foo":"bar"}]'
    assert post("/nested", {"nested": {"foo": "bar"}}) == "{foo=bar}"
    assert post("/nested", {"nested": [{"foo": "bar"}]}) == '[{"foo":"bar"}]'
    assert post("/list", [{"foo": "bar"}]) == "{foo=bar}"
    assert post("/list", [[{"foo": "bar"}]]) == '[{"foo":"bar"}]'
    assert post("/path", {"foo": [{"nested": "bar"}]}) == '{foo=[{"nested":"bar"}]}'
    assert post("/path", {"bigger": "dict", "to": "test", "with": "separators"}) == \
        "{bigger=dict, to=test, with=separators}"
    assert post("/to-string", {"foo": "bar"}) == "{foo=bar}"
    assert post("/to-string", {"list": [{"foo": "bar"}]}) == '{list=[{"foo":"bar"}]}'
    # an undefined reference (and a null one) prints nothing; it equals both $null and ""
    assert post("/invalid-path") == '{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}'
    assert post("/nested-list", {"listValue": []}) == \
        '{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}'
    assert post("/nested-list", {"listValue": None}) == \
        '{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}'


# --- $input.body and $util.urlEncode --------------------------------------------------------------

def test_input_body_of_an_empty_json_body_and_url_encode(lab, raw_echo):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_input_body_formatting (the backend there echoes the body, as here)"""
    api = _api(lab, "input-body")
    raw_body = "#set($result = $input.body)$result"
    body_in_str = "Action=SendMessage&MessageBody=$input.body"
    attr_access = "#set($result = $input.body.testAccess)$result"
    url_encode = ("EncodedBody=$util.urlEncode($input.body)"
                  "&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)")
    routes = {
        "/raw-body": (raw_body, raw_body),
        "/str-body-input": (body_in_str, raw_body),
        "/str-body-output": (raw_body, body_in_str),
        "/str-body-all": (body_in_str, body_in_str),
        "/body-attr-access": (attr_access, raw_body),
        "/url-encode": (url_encode, raw_body),
    }
    for path, (request_template, response_template) in routes.items():
        http = {"type": "HTTP", "integrationHttpMethod": "POST", "uri": raw_echo + "/raw",
                "requestTemplates": {"application/json": request_template}}
        _route(lab, api, path, "POST", integration=http,
               response_templates={"application/json": response_template}, selection_pattern="")
    api.deploy(STAGE)
    gw = lab.gateway()
    base = lab.stage_url(api.id, STAGE)
    json_type = {"Content-Type": "application/json"}

    def bodies(path):
        answers = [gw.invoke("POST", base + path, json_type, body)
                   for body in (None, {"some": "value"}, b"some raw data")]
        assert [r.status_code for r in answers] == [200, 200, 200]
        return [r.body for r in answers]

    assert bodies("/raw-body") == [b"{}", b'{"some": "value"}', b"some raw data"]
    assert bodies("/str-body-input") == [b"Action=SendMessage&MessageBody={}",
                                         b'Action=SendMessage&MessageBody={"some": "value"}',
                                         b"Action=SendMessage&MessageBody=some raw data"]
    assert bodies("/str-body-output") == [b"Action=SendMessage&MessageBody={}",
                                          b'Action=SendMessage&MessageBody={"some": "value"}',
                                          b"Action=SendMessage&MessageBody=some raw data"]
    twice = b"Action=SendMessage&MessageBody=Action=SendMessage&MessageBody="
    assert bodies("/str-body-all") == [twice + b"{}", twice + b'{"some": "value"}', twice + b"some raw data"]
    assert bodies("/body-attr-access") == [b"{}", b"{}", b"{}"]
    assert bodies("/url-encode") == [b"EncodedBody=%7B%7D&EncodedBodyAccess=",
                                     b"EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=",
                                     b"EncodedBody=some+raw+data&EncodedBodyAccess="]


# --- MOCK request templates -----------------------------------------------------------------------

def test_mock_request_template_that_is_not_strict_json(lab):
    """test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_path_param (`{statusCode: 200}` is accepted; the answer is 200, empty body)"""
    api = _api(lab, "mock-loose-json")
    integration = {"type": "MOCK", "integrationHttpMethod": "POST",
                   "requestParameters": {"integration.request.path.integrationPath": "method.request.path.testPath"},
                   "requestTemplates": {"application/json": "{statusCode: 200}"}}
    _route(lab, api, "/{testPath}", "GET", integration=integration, response_templates={},
           selection_pattern="2\\d{2}", request_parameters={"method.request.path.testPath": True})
    api.deploy(STAGE)
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, STAGE) + "/test-path")
    assert (r.status_code, r.body) == (200, b"")


def test_mock_integration_response_reads_path_params_map(lab):
    """test_apigateway_basic.snapshot.json::tests/aws/services/apigateway/test_apigateway_basic.py::
    TestIntegrations::test_mock_integration_response[WHEN_NO_MATCH-UrlType.PATH_BASED-GET] (and the other
    eleven parameters, all recorded alike)"""
    api = _api(lab, "mock-params")
    for method in ("GET", "POST"):
        integration = {"type": "MOCK", "integrationHttpMethod": method, "passthroughBehavior": "WHEN_NO_MATCH",
                       "requestTemplates": {"application/json": '{"statusCode":200}'}}
        _route(lab, api, "/{id}", method, integration=integration,
               response_templates={"application/json": '{"statusCode": 200, "id": $input.params().path.id}'})
    api.deploy(STAGE)
    for method in ("GET", "POST"):
        r = lab.gateway().invoke(method, lab.stage_url(api.id, STAGE) + "/42", {"Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (200, {"id": 42, "statusCode": 200})


# --- $context.requestOverride / responseOverride ------------------------------------------------------

def test_request_override_carries_data_from_request_to_response_template(lab):
    """test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_request_overrides_in_response_template"""
    api = _api(lab, "mock-request-override")
    request_template = textwrap.dedent("""\
        #set($body = $util.base64Decode($input.params('testPath')))
        #set($context.requestOverride.path.body = $body)
        {
          "statusCode": 200
        }
        """)
    response_template = textwrap.dedent("""
        #set($body = $util.parseJson($context.requestOverride.path.body))
        #set($inputBody = $body.message)
        #if($inputBody == "path1")
        {
           "response": "path was path one"
        }
        #elseif($inputBody == "path2")
        {
           "response": "path was path two"
        }
        #else
        {
          "response": "this is the else clause"
        }
        #end
        """)
    _route(lab, api, "/{testPath}", "GET", integration=_mock(request_template),
           response_templates={"application/json": response_template}, selection_pattern="2\\d{2}",
           request_parameters={"method.request.path.testPath": True})
    api.deploy(STAGE)
    gw = lab.gateway()
    recorded = {"path1": "path was path one", "path2": "path was path two", "whatever": "this is the else clause"}
    for message, answer in recorded.items():
        segment = base64.b64encode(json.dumps({"message": message}).encode()).decode()
        r = gw.invoke("GET", lab.stage_url(api.id, STAGE) + "/" + segment)
        assert (r.status_code, r.json()) == (200, {"response": answer}), r.text


@pytest.mark.parametrize("with_response_template", [True, False])
def test_response_override_set_in_a_mock_request_template(lab, with_response_template):
    """test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_response_override_in_request_template[True] and [False]: the status and the
    header set in the request template are the method response's; the response template sees them."""
    api = _api(lab, "mock-response-override")
    request_template = textwrap.dedent("""
        #set($context.responseOverride.status = 444)
        #set($context.responseOverride.header.foo = "bar")
        #set($context.responseOverride.custom = "is also passed around")
        {
          "statusCode": 200
        }
        """)
    response_template = textwrap.dedent("""
        #set($statusOverride = $context.responseOverride.status)
        #set($fooHeader = $context.responseOverride.header.foo)
        #set($custom = $context.responseOverride.custom)
        {
            "statusOverride": "$statusOverride",
            "fooHeader": "$fooHeader",
            "custom": "$custom"
        }
        """)
    _route(lab, api, "/", "GET", integration=_mock(request_template),
           response_templates={"application/json": response_template} if with_response_template else {},
           selection_pattern="2\\d{2}")
    api.deploy(STAGE)
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, STAGE) + "/")
    assert r.status_code == 444, r.text
    assert r.headers["foo"] == "bar"
    if with_response_template:
        assert r.json() == {"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"}
    else:
        assert r.body == b""


def test_map_assignment_by_key_and_put_in_templates(lab):
    """test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/test_apigateway_integrations.py::
    test_integration_mock_with_vtl_map_assignation"""
    api = _api(lab, "mock-map-assign")
    request_template = textwrap.dedent("""
        #set($paramName = "foo")
        #set($context.requestOverride.querystring[$paramName] = "bar")
        #set($paramPutName = "putfoo")
        $context.requestOverride.querystring.put($paramPutName, "putBar")
        #set($context["requestOverride"].querystring["nestedfoo"] = "nestedFoo")
        {
          "statusCode": 200
        }
        """)
    response_template = textwrap.dedent("""
        #set($value = $context.requestOverride.querystring["foo"])
        #set($value2 = $context.requestOverride.querystring["putfoo"])
        #set($value3 = $context.requestOverride.querystring["nestedfoo"])
        {
            "value": "$value",
            "value2": "$value2",
            "value3": "$value3"
        }
        """)
    _route(lab, api, "/", "GET", integration=_mock(request_template),
           response_templates={"application/json": response_template}, selection_pattern="2\\d{2}")
    api.deploy(STAGE)
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, STAGE) + "/")
    assert (r.status_code, r.json()) == (200, {"value": "bar", "value2": "putBar", "value3": "nestedFoo"}), r.text


# --- $context is a map ------------------------------------------------------------------------------

def test_context_is_a_map_with_key_set_and_get(lab):
    """test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py::
    test_sqs_amz_json_protocol: `$context.keySet()` / `$context.get(key)`, `$context.identity` likewise; a
    nested map printed through `get` is empty; the overrides start as maps of empty maps."""
    sqs = lab.client("sqs")
    queue_url = sqs.create_queue(QueueName="context-queue")["QueueUrl"]
    api = _api(lab, "context-map")
    each = ('{#foreach( $key in $X.keySet() )\\"$key\\": \\"$X.get($key)\\"#if($foreach.hasNext),#end#end}')
    body = ("{\\\"context\\\": " + each.replace("$X", "$context")
            + ",\\\"identity\\\": " + each.replace("$X", "$context.identity")
            + ",\\\"requestOverride\\\": " + each.replace("$X", "$context.requestOverride")
            + ",\\\"responseOverride\\\": " + each.replace("$X", "$context.responseOverride") + "}")
    template = '{"QueueUrl": "%s", "MessageBody": "%s"}' % (queue_url, body)
    account = lab.client("sts").get_caller_identity()["Account"]
    integration = {
        "type": "AWS", "integrationHttpMethod": "POST", "passthroughBehavior": "NEVER",
        "uri": f"arn:aws:apigateway:{lab.region}:sqs:path/{account}/context-queue",
        "credentials": f"arn:aws:iam::{account}:role/apigw-sqs",
        "requestParameters": {"integration.request.header.Content-Type": "'application/x-amz-json-1.0'",
                              "integration.request.header.X-Amz-Target": "'AmazonSQS.SendMessage'"},
        "requestTemplates": {"application/json": template},
    }
    _route(lab, api, "/sqs", "POST", integration=integration,
           response_templates={"application/json": '{"message": "great success!"}'})
    api.deploy("testing")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "testing") + "/sqs",
                             {"Content-Type": "application/json", "User-Agent": "python/requests/tests"}, {"a": 1})
    assert (r.status_code, r.json()) == (200, {"message": "great success!"}), r.execution_log
    message = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
    context = message["context"]
    recorded_keys = {"resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
                     "accountId", "protocol", "requestOverride", "stage", "domainPrefix", "requestTimeEpoch",
                     "requestId", "identity", "domainName", "deploymentId", "responseOverride", "apiId"}
    assert recorded_keys <= set(context)
    assert (context["resourcePath"], context["httpMethod"], context["path"], context["stage"],
            context["protocol"]) == ("/sqs", "POST", "/testing/sqs", "testing", "HTTP/1.1")
    assert (context["identity"], context["requestOverride"], context["responseOverride"]) == ("", "", "")
    assert re.fullmatch(r"\d{12}", context["accountId"])
    assert re.fullmatch(r"\d+", context["requestTimeEpoch"])
    assert re.fullmatch(r"[0-9a-f-]{36}", context["requestId"])
    identity = message["identity"]
    assert {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "sourceIp", "principalOrgId",
            "accessKey", "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent",
            "user"} <= set(identity)
    assert (identity["userAgent"], identity["caller"], identity["userArn"]) == ("python/requests/tests", "", "")
    assert message["requestOverride"] == {"path": "", "header": "", "querystring": ""}
    assert message["responseOverride"] == {"header": ""}
