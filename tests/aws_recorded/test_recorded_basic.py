"""A MOCK integration imported from OpenAPI and the console's Test button (TestInvokeMethod) against
AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_basic.snapshot.json`
(each test names its key; the requests that produced them are in `test_apigateway_basic.py` beside it).
"""

from __future__ import annotations

import json
import re

import pytest

from labkit.apis import import_openapi, lambda_uri

# The recording's function (Node.js there): the event, stringified into a JSON string body.
LAMBDA = '''
import json
def handler(event, context):
    text = "response from localstack lambda: " + json.dumps(event, separators=(",", ":"))
    return {"statusCode": 200, "body": json.dumps(text), "isBase64Encoded": False, "headers": {}}
'''
OPENAPI_MOCK = {
    "openapi": "3.0.1",
    "info": {"title": "wait-for-seconds", "version": "2022-04-12T15:36:55Z"},
    "paths": {"/echo/{data}": {"x-amazon-apigateway-any-method": {
        "responses": {"200": {"description": "200 response",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "responses": {"default": {"statusCode": "200", "responseTemplates": {
                "application/json": '{"echo": "$input.params(\'data\')", "response": "mocked"}'}}},
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_templates"}}}},
    "components": {"schemas": {"Empty": {"title": "Empty Schema", "type": "object"}}},
}
TRACE_ID = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;.+)?$")
STAMP = r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : "


def test_api_gateway_mock_integration(lab):
    """test_apigateway_basic.snapshot.json::tests/aws/services/apigateway/test_apigateway_basic.py::
    TestAPIGateway::test_api_gateway_mock_integration / mocked-response: an OpenAPI document with ANY on
    /echo/{data} and a MOCK integration; GET /echo/foobar answers the response template with the path
    parameter substituted. (The recording puts the document over an API with PutRestApi; moto's import
    cannot create a MOCK integration, so the kit's own importer builds the same API.)"""
    api_id = import_openapi(lab.client("apigateway"), OPENAPI_MOCK).id
    lab.client("apigateway").create_deployment(restApiId=api_id, stageName="test")
    r = lab.gateway().invoke("GET", lab.stage_url(api_id, "test") + "/echo/foobar")
    assert r.status_code == 200, r.text
    assert r.json() == {"echo": "foobar", "response": "mocked"}


def test_apigw_test_invoke_method_api(lab):
    """test_apigateway_basic.snapshot.json::tests/aws/services/apigateway/test_apigateway_basic.py::
    TestAPIGateway::test_apigw_test_invoke_method_api / test_invoke_method_response,
    test_invoke_method_response_with_body: GET /foo, AWS (non-proxy) Lambda integration, no templates;
    TestInvokeMethod answers 200, the function's result as the body, Content-Type and X-Amzn-Trace-Id
    headers (single and multi-value), an integer latency and the execution log."""
    fn = lab.lambda_function("rec-test-invoke", LAMBDA)
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="test-invoke")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource_id = client.create_resource(restApiId=api_id, parentId=root, pathPart="foo")["id"]
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", integrationHttpMethod="POST",
                           type="AWS", uri=lambda_uri(lab.region, fn))
    client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200",
                                    selectionPattern="")
    client.create_deployment(restApiId=api_id, stageName="local")

    for kwargs, event, log in (
        ({"pathWithQueryString": "/foo"}, "{}",
         {"query string": "{}", "headers": "{}", "body before transformations": ""}),
        ({"pathWithQueryString": "/foo?queryTest=value", "body": '{"test": "val123"}',
          "headers": {"content-type": "application/json"}}, '{"test":"val123"}',
         {"query string": "{queryTest=value}", "headers": "{content-type=application/json}",
          "body before transformations": '{"test": "val123"}'}),
    ):
        answer = client.test_invoke_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", **kwargs)
        assert answer["status"] == 200
        assert json.loads(answer["body"]) == {"statusCode": 200, "isBase64Encoded": False, "headers": {},
                                              "body": json.dumps(f"response from localstack lambda: {event}")}
        assert answer["headers"]["Content-Type"] == "application/json"
        assert TRACE_ID.match(answer["headers"]["X-Amzn-Trace-Id"]), answer["headers"]
        assert answer["multiValueHeaders"] == {k: [v] for k, v in answer["headers"].items()}
        assert set(answer["headers"]) == {"Content-Type", "X-Amzn-Trace-Id"}
        assert isinstance(answer["latency"], int)
        lines = answer["log"].split("\n")
        request_id = re.fullmatch(r"Execution log for request (\S+)", lines[0]).group(1)
        assert re.fullmatch(STAMP + "Starting execution for request: " + re.escape(request_id), lines[1])
        expected = ["HTTP Method: GET, Resource Path: /foo", "Method request path: {}",
                    f"Method request query string: {log['query string']}",
                    f"Method request headers: {log['headers']}",
                    f"Method request body before transformations: {log['body before transformations']}"]
        for line, text in zip(lines[2:7], expected):
            assert re.fullmatch(STAMP + re.escape(text), line), (line, text)
        assert re.fullmatch(STAMP + "Successfully completed execution", lines[-3]), lines[-3]
        assert re.fullmatch(STAMP + "Method completed with status: 200", lines[-2]), lines[-2]
        assert lines[-1] == ""


ECHO_EVENT = '''
def handler(event, context):
    return event
'''


@pytest.mark.parametrize("stage_name", ["local", "dev"])
def test_apigw_stage_variables(lab, stage_name):
    """test_apigateway_basic.py::TestAPIGateway::test_apigw_stage_variables[local|dev] (validated on AWS;
    asserted in code, no snapshot key): POST /test, AWS (non-proxy) Lambda integration with the request
    template `{ "version": "$stageVariables.version" }`. On `dev` the function's name comes from
    `${stageVariables.lambdaFunction}` in the URI and `version` is 1.0; on `local`, without variables, the
    name is literal and `$stageVariables.version` renders empty."""
    fn = lab.lambda_function("rec-stage-vars", ECHO_EVENT)
    fn_name = fn.rsplit(":", 1)[-1]
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="aws lambda api")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource_id = client.create_resource(restApiId=api_id, parentId=root, pathPart="test")["id"]
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="POST", authorizationType="NONE")
    target = fn.rsplit(":", 1)[0] + (":${stageVariables.lambdaFunction}" if stage_name == "dev" else f":{fn_name}")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="POST", integrationHttpMethod="POST",
                           type="AWS", uri=lambda_uri(lab.region, target),
                           requestTemplates={"application/json": '{ "version": "$stageVariables.version" }'})
    client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="POST", statusCode="200",
                               responseParameters={"method.response.header.Content-Type": False,
                                                   "method.response.header.Access-Control-Allow-Origin": False})
    client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="POST", statusCode="200")
    deployment_id = client.create_deployment(restApiId=api_id)["id"]
    variables = {"lambdaFunction": fn_name, "version": "1.0"} if stage_name == "dev" else {}
    client.create_stage(restApiId=api_id, stageName=stage_name, deploymentId=deployment_id, variables=variables)
    r = lab.gateway().invoke("POST", lab.stage_url(api_id, stage_name) + "/test",
                             headers={"Content-Type": "application/json"}, body={"test": "test"})
    assert r.status_code == 200, r.text
    assert r.json() == {"version": "1.0" if stage_name == "dev" else ""}
