"""Request validation, API keys on the data plane and routing misses against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_common.snapshot.json`
(each test names its key; the requests that produced them are in `test_apigateway_common.py` beside it).
Where the recording holds only control-plane output, the statuses the AWS-validated test asserts in
code are the oracle, and the test says so.
"""

from __future__ import annotations

import json

import pytest

from labkit.apis import lambda_uri

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

ECHO = '''
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
'''
JSON = {"Content-Type": "application/json"}
TEST_SCHEMA = {"$schema": "http://json-schema.org/draft-04/schema#", "title": "testSchema", "type": "object",
               "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}


def _mock_post(client, api_id: str, resource_id: str, **method) -> None:
    """POST answered by a MOCK integration with `{"data": "ok"}`, as the ref-model recordings set it up."""
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="POST", authorizationType="NONE", **method)
    client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="POST", statusCode="200")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="POST", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="POST", statusCode="200",
                                    selectionPattern="",
                                    responseTemplates={"application/json": json.dumps({"data": "ok"})})


@pytest.fixture
def validated_api(lab):
    """The recorded API of test_api_gateway_request_validator."""
    return _validated_api(lab)


def _validated_api(lab, post_path_parameter: str = "test"):
    """GET and POST on /nested/{test}, AWS_PROXY to an echo function, a validator checking parameters and
    body, `testSchema` for application/json. POST requires the path parameter `post_path_parameter`."""
    client = lab.client("apigateway")
    fn = lab.lambda_function("rec-validator-echo", ECHO)
    api_id = client.create_rest_api(name="aws lambda api")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    nested = client.create_resource(restApiId=api_id, parentId=root, pathPart="nested")["id"]
    resource_id = client.create_resource(restApiId=api_id, parentId=nested, pathPart="{test}")["id"]
    validator_id = client.create_request_validator(restApiId=api_id, name="test-validator",
                                                   validateRequestParameters=True, validateRequestBody=True)["id"]
    client.create_model(restApiId=api_id, name="testSchema", contentType="application/json",
                        schema=json.dumps(TEST_SCHEMA))
    for method, path_parameter in (("GET", "test"), ("POST", post_path_parameter)):
        client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=method, authorizationType="NONE",
                          requestValidatorId=validator_id,
                          requestParameters={f"method.request.path.{path_parameter}": True,
                                             "method.request.querystring.qs1": True,
                                             "method.request.header.x-header-param": True},
                          requestModels={"application/json": "testSchema"})
        client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                               integrationHttpMethod="POST", type="AWS_PROXY", uri=lambda_uri(lab.region, fn))
        client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=method, statusCode="200")
        client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod=method,
                                        statusCode="200")
    client.create_deployment(restApiId=api_id, stageName="local")
    gw, url = lab.gateway(), lab.stage_url(api_id, "local") + "/nested/value"

    def redeploy() -> None:
        client.create_deployment(restApiId=api_id, stageName="local")

    return client, api_id, resource_id, validator_id, gw, url, redeploy


def test_request_validator_valid_request_and_body_less_get(validated_api):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_api_gateway_request_validator (asserted in code): every parameter and
    a valid body pass to the function, which sees the body; a GET with the parameters but no body is 400
    `Invalid request body` (an empty body does not satisfy `required: [a, b]`), with or without a JSON
    Content-Type."""
    _, _, _, _, gw, url, _ = validated_api
    r = gw.invoke("POST", url + "?qs1=test", headers={**JSON, "x-header-param": "test"}, body={"a": 1, "b": 2})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["body"]) == {"a": 1, "b": 2}
    for headers in ({"x-header-param": "test"}, {**JSON, "x-header-param": "test"}):
        r = gw.invoke("GET", url + "?qs1=test", headers=headers)
        assert r.status_code == 400, r.text
        assert r.json() == {"message": "Invalid request body"}


def test_request_validator_missing_parameters(lab):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_api_gateway_request_validator / missing-all-required-request-params-post,
    missing-required-headers-request-params-get, missing-required-qs-request-params-get: POST now requires
    a path parameter `issuer` the resource does not have; the missing names are listed header, path,
    querystring. (moto has no UpdateMethod: the POST method is created with `issuer` from the start, the
    state the recording's change-request-path-names reaches.)"""
    _, _, _, _, gw, url, _ = _validated_api(lab, post_path_parameter="issuer")
    r = gw.invoke("POST", url, headers=JSON, body={"test": "test"})
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [x-header-param, issuer, qs1]"}
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    r = gw.invoke("GET", url + "?qs1=test")
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [x-header-param]"}
    r = gw.invoke("GET", url, headers={"x-header-param": "test"})
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [qs1]"}


def test_request_validator_invalid_body_then_disabled(validated_api):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_api_gateway_request_validator / invalid-request-body and
    disable-request-validator: a body not matching the model is 400 `Invalid request body`; once the
    validator checks neither parameters nor body (and the API is redeployed), the same body without any
    parameter reaches the function, and so does a bare GET."""
    client, api_id, _, validator_id, gw, url, redeploy = validated_api
    r = gw.invoke("POST", url + "?qs1=test", headers={**JSON, "x-header-param": "test"}, body={"test": "test"})
    assert r.status_code == 400
    assert r.json() == {"message": "Invalid request body"}
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"
    updated = client.update_request_validator(restApiId=api_id, requestValidatorId=validator_id, patchOperations=[
        {"op": "replace", "path": "/validateRequestBody", "value": "false"},
        {"op": "replace", "path": "/validateRequestParameters", "value": "false"}])
    assert updated["validateRequestBody"] is False and updated["validateRequestParameters"] is False
    assert updated["name"] == "test-validator"
    redeploy()
    r = gw.invoke("POST", url, headers=JSON, body={"test": "test"})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["body"]) == {"test": "test"}
    assert gw.invoke("GET", url).status_code == 200


def _ref_models_api(lab, models: list[tuple[str, dict]], request_model: str):
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="test ref models")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource_id = client.create_resource(restApiId=api_id, parentId=root, pathPart="path")["id"]
    validator_id = client.create_request_validator(restApiId=api_id, name="test-validator",
                                                   validateRequestParameters=True, validateRequestBody=True)["id"]
    for name, schema in models:
        schema = json.loads(json.dumps(schema).replace("<api-id>", api_id))
        client.create_model(restApiId=api_id, name=name, contentType="application/json", schema=json.dumps(schema))
    _mock_post(client, api_id, resource_id, requestValidatorId=validator_id,
               requestModels={"application/json": request_model})
    client.create_deployment(restApiId=api_id, stageName="local")
    return lab.gateway(), lab.stage_url(api_id, "local") + "/path"


def test_request_validator_with_ref_models(lab):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_api_gateway_request_validator_with_ref_models / successful,
    failed-validation: an array model whose items `$ref` another model by its apigateway.amazonaws.com URL;
    a matching list passes to the MOCK answer, a POST without a body is 400 `Invalid request body`."""
    gw, url = _ref_models_api(lab, [
        ("testSchema", TEST_SCHEMA),
        ("testSchemaList", {"type": "array", "items": {
            "$ref": "https://apigateway.amazonaws.com/restapis/<api-id>/models/testSchema"}}),
    ], "testSchemaList")
    r = gw.invoke("POST", url, headers=JSON, body=[{"a": 1, "b": 2}])
    assert r.status_code == 200, r.text
    assert r.json() == {"data": "ok"}
    r = gw.invoke("POST", url)
    assert r.status_code == 400
    assert r.json() == {"message": "Invalid request body"}


def test_request_validator_with_ref_one_of_models(lab):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApiGatewayCommon::test_api_gateway_request_validator_with_ref_one_ofmodels / successful,
    successful-with-data, failed-validation-no-data, failed-validation-bad-data: `oneOf` null or a `$ref`
    model; null and a matching object pass, no body and a body without the required property do not."""
    gw, url = _ref_models_api(lab, [
        ("StatusModel", {"type": "object", "properties": {"Status": {"type": "string"}, "Order": {"type": "integer"}},
                         "required": ["Status", "Order"]}),
        ("TestModel", {"type": "object", "properties": {"status": {"oneOf": [
            {"type": "null"}, {"$ref": "https://apigateway.amazonaws.com/restapis/<api-id>/models/StatusModel"}]}},
            "required": ["status"]}),
    ], "TestModel")
    for body in ({"status": None}, {"status": {"Status": "works", "Order": 1}}):
        r = gw.invoke("POST", url, headers=JSON, body=body)
        assert r.status_code == 200, (body, r.text)
        assert r.json() == {"data": "ok"}
    for headers, body in (({}, None), (JSON, {"badFormat": "bla"})):
        r = gw.invoke("POST", url, headers=headers, body=body)
        assert r.status_code == 400, body
        assert r.json() == {"message": "Invalid request body"}


def test_api_key_required_for_methods(lab):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestUsagePlans::test_api_key_required_for_methods (the recording holds the control-plane
    answers; the test asserts the data plane in code): GET /test requires an API key (source HEADER); no
    key is 403, the plan's enabled key is 200, the same key disabled is 403."""
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="test API key", apiKeySource="HEADER")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource_id = client.create_resource(restApiId=api_id, parentId=root, pathPart="test")["id"]
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE",
                      apiKeyRequired=True)
    client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", integrationHttpMethod="GET",
                           type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200",
                                    selectionPattern="")
    client.create_deployment(restApiId=api_id, stageName="dev")
    plan = client.create_usage_plan(name="test-plan", description="Test Usage Plan for API key",
                                    quota={"limit": 10, "period": "DAY", "offset": 0},
                                    throttle={"rateLimit": 2, "burstLimit": 1},
                                    apiStages=[{"apiId": api_id, "stage": "dev"}], tags={"tag_key": "tag_value"})
    key = client.create_api_key(name="testApiKey", enabled=True)
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    gw, url = lab.gateway(), lab.stage_url(api_id, "dev") + "/test"
    r = gw.invoke("GET", url)
    assert r.status_code == 403
    assert r.json() == {"message": "Forbidden"}
    assert gw.invoke("GET", url, headers={"x-api-key": key["value"]}).status_code == 200
    disabled = client.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"}])
    assert disabled["enabled"] is False
    r = gw.invoke("GET", url, headers={"x-api-key": key["value"]})
    assert r.status_code == 403
    assert r.json() == {"message": "Forbidden"}


def test_routing_not_found(lab):
    """test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
    TestApigatewayRouting::test_routing_not_found / working-route, not-found, wrong-method: a path
    no resource matches and a method the matched resource lacks are both 403 `Missing Authentication
    Token` with x-amzn-ErrorType MissingAuthenticationTokenException."""
    client = lab.client("apigateway")
    api_id = client.create_rest_api(name="test-notfound")["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    resource_id = client.create_resource(restApiId=api_id, parentId=root, pathPart="existing")["id"]
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="GET", authorizationType="NONE")
    client.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200")
    client.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    client.put_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200",
                                    selectionPattern="", responseTemplates={
                                        "application/json": json.dumps({"statusCode": 200, "message": "exists"})})
    client.create_deployment(restApiId=api_id, stageName="dev")
    gw, url = lab.gateway(), lab.stage_url(api_id, "dev")
    r = gw.invoke("GET", url + "/existing")
    assert r.status_code == 200
    assert r.json() == {"message": "exists", "statusCode": 200}
    for method, path in (("GET", "/random-non-existing"), ("POST", "/existing")):
        r = gw.invoke(method, url + path)
        assert r.status_code == 403, (method, path)
        assert r.json() == {"message": "Missing Authentication Token"}
        assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
