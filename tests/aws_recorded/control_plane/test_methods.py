"""Methods and method responses (put, get, update, delete) against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`
("api.snapshot"; each test names its key `test_apigateway_api.py::<Class>::<test>` and entries; the requests
are in `test_apigateway_api.py` beside it). Placeholders, dates and ResponseMetadata are not compared.
"""

from __future__ import annotations

import pytest
from answers import body, refusal

AUTHORIZER_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                  "arn:aws:lambda:us-east-1:123456789012:function:myApiAuthorizer/invocations")
WRONG_OP = ("Value 'wrong_op' at 'updateMethodResponseInput.patchOperations.{}.member.op' failed to satisfy "
            "constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]")


@pytest.fixture
def with_response(api):
    """The recordings' GET / with a MOCK integration and a 200 method response with one header and one model."""
    client, api_id, root_id = api
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    client.put_method_response(restApiId=api_id, resourceId=root_id, httpMethod="GET", statusCode="200",
                               responseParameters={"method.response.header.my-header": False},
                               responseModels={"application/json": "Empty"})
    return client, api_id, root_id


def test_update_method(api):
    """api.snapshot TestApiGatewayApiMethod::test_update_method / put-method-response, update-method-add,
    update-method-replace, update-method-replace-authorizer, update-method-remove."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    put = client.put_method(**ids, authorizationType="NONE")
    assert body(put) == {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY"}

    added = client.update_method(**ids, patchOperations=[
        {"op": "add", "path": "/requestParameters/method.request.querystring.optional", "value": "true"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"}])
    assert body(added) == {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY",
                           "requestModels": {"application/json": "Empty"},
                           "requestParameters": {"method.request.querystring.optional": True}}

    replaced = client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/operationName", "value": "ReplacedOperationName"},
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
        {"op": "replace", "path": "/authorizationType", "value": "AWS_IAM"},
        {"op": "replace", "path": "/requestParameters/method.request.querystring.optional", "value": "false"}])
    after_replace = {"apiKeyRequired": True, "authorizationType": "AWS_IAM", "httpMethod": "ANY",
                     "operationName": "ReplacedOperationName", "requestModels": {"application/json": "Empty"},
                     "requestParameters": {"method.request.querystring.optional": False}}
    assert body(replaced) == after_replace

    authorizer = client.create_authorizer(restApiId=api_id, name="authorizer-test", type="TOKEN",
                                          authorizerUri=AUTHORIZER_URI,
                                          identitySource="method.request.header.Authorization")
    with_authorizer = client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/authorizerId", "value": authorizer["id"]},
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"}])
    assert body(with_authorizer) == {**after_replace, "authorizationType": "CUSTOM", "authorizerId": authorizer["id"]}

    removed = client.update_method(**ids, patchOperations=[
        {"op": "remove", "path": "/requestParameters/method.request.querystring.optional", "value": "true"},
        {"op": "remove", "path": "/requestModels/application~1json", "value": "Empty"}])
    assert body(removed) == {"apiKeyRequired": True, "authorizationType": "CUSTOM", "authorizerId": authorizer["id"],
                             "httpMethod": "ANY", "operationName": "ReplacedOperationName"}
    assert body(client.get_method(**ids)) == body(removed)


def test_update_method_validation_unknown_ids(api):
    """api.snapshot TestApiGatewayApiMethod::test_update_method_validation / wrong-rest-api, wrong-resource-id,
    method-does-not-exist."""
    client, api_id, root_id = api
    assert refusal(client.update_method, restApiId="fake-api", resourceId=root_id, httpMethod="ANY",
                   patchOperations=[]) == (404, "NotFoundException", "Invalid Resource identifier specified")
    assert refusal(client.update_method, restApiId=api_id, resourceId="fake-resource-id", httpMethod="ANY",
                   patchOperations=[]) == (404, "NotFoundException", "Invalid Resource identifier specified")
    assert refusal(client.update_method, restApiId=api_id, resourceId=root_id, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/operationName", "value": "methodDoesNotExist"}]) == (
        404, "NotFoundException", "Invalid Method identifier specified")


@pytest.mark.parametrize(("operations", "message"), [
    ([{"op": "add", "path": "/operationName", "value": "operationName"}],
     "Invalid patch operation specified. Must be one of: [replace]"),  # unsupported-operation
    ([{"op": "add", "path": "/requestValidatorId", "value": "wrong-id"}],
     "Invalid patch operation specified. Must be one of: [replace]"),  # unsupported-operation-2
    ([{"op": "add", "path": "/httpMethod", "value": "PUT"}], "Invalid patch path /httpMethod"),  # unsupported-path
    ([{"op": "replace", "path": "/requestParameters", "value": "method.request.querystring.optional=false"}],
     "Invalid patch path /requestParameters"),  # wrong-path-request-parameters
    ([{"op": "add", "path": "/requestModels/application/json", "value": "Empty"}],
     "Invalid patch path /requestModels/application/json"),  # wrong-path-request-models
    ([{"op": "replace", "path": "/authorizationType", "value": "CUSTOM"}],
     "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a "
     "valid authorizer."),  # wrong-auth-type
    ([{"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
      {"op": "replace", "path": "/authorizerId", "value": "abc123"}],
     "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a "
     "valid authorizer."),  # wrong-auth-id
    ([{"op": "replace", "path": "/requestValidatorId", "value": "fake-id"}],
     "Invalid Request Validator identifier specified"),  # wrong-req-validator-id
])
def test_update_method_validation_refusals(api, operations, message):
    """api.snapshot TestApiGatewayApiMethod::test_update_method_validation (entry beside each case): 400
    BadRequestException with AWS's message, and the method unchanged."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    client.put_method(**ids, authorizationType="NONE", apiKeyRequired=True)
    assert refusal(client.update_method, **ids, patchOperations=operations) == (400, "BadRequestException", message)
    assert body(client.get_method(**ids)) == {"apiKeyRequired": True, "authorizationType": "NONE", "httpMethod": "ANY"}


def test_update_method_validation_lenient_values(api):
    """api.snapshot TestApiGatewayApiMethod::test_update_method_validation / wrong-value-type (apiKeyRequired
    'whatever' reads as false), skip-auth-id-with-wrong-type (an authorizerId on a NONE method is ignored)."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    client.put_method(**ids, authorizationType="NONE", apiKeyRequired=True)
    expected = {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY"}
    assert body(client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "whatever"}])) == expected
    assert body(client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/authorizerId", "value": "abc123"}])) == expected


def test_update_method_response(with_response):
    """api.snapshot TestApigatewayMethodResponse::test_update_method_response / remove-update-method-response
    (emptied maps disappear), add-update-method-response (parameters read as booleans)."""
    client, api_id, root_id = with_response
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "statusCode": "200"}
    removed = client.update_method_response(**ids, patchOperations=[
        {"op": "remove", "path": "/responseParameters/method.response.header.my-header", "value": "true"},
        {"op": "remove", "path": "/responseModels/application~1json", "value": "Empty"}])
    assert body(removed) == {"statusCode": "200"}
    added = client.update_method_response(**ids, patchOperations=[
        {"op": "add", "path": "/responseParameters/method.response.header.my-header", "value": "true"},
        {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"}])
    assert body(added) == {"responseModels": {"application/json": "Empty"},
                           "responseParameters": {"method.response.header.my-header": True}, "statusCode": "200"}


def test_lifecycle_method_response(api):
    """api.snapshot TestApigatewayMethodResponse::test_lifecycle_method_response / put-method-response,
    get-integration-response (the recording's name for its GetMethodResponse), add-method-responses,
    update-method-responses, get-method (methodResponses inside the method), delete-method-response (204);
    then the deleted response answers 404 as update-method-response-wrong-statuscode does."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    put = client.put_method_response(**ids, statusCode="200", responseParameters={}, responseModels={})
    assert body(put) == {"responseModels": {}, "responseParameters": {}, "statusCode": "200"}
    got = client.get_method_response(**ids, statusCode="200")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200 and body(got) == body(put)
    expected = {"responseModels": {"application/json": "Empty"},
                "responseParameters": {"method.response.header.my-header": True}, "statusCode": "200"}
    for op in ("add", "replace"):
        updated = client.update_method_response(**ids, statusCode="200", patchOperations=[
            {"op": op, "path": "/responseParameters/method.response.header.my-header", "value": "true"},
            {"op": op, "path": "/responseModels/application~1json", "value": "Empty"}])
        assert body(updated) == expected
    assert client.get_method(**ids)["methodResponses"] == {"200": expected}
    deleted = client.delete_method_response(**ids, statusCode="200")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204 and body(deleted) == {}
    gone = (404, "NotFoundException", "Invalid Response status code specified")
    assert refusal(client.get_method_response, **ids, statusCode="200") == gone
    assert refusal(client.delete_method_response, **ids, statusCode="200") == gone


@pytest.mark.parametrize(("path", "error"), [
    ("/responseParameters/wrong", (404, "NotFoundException", "Invalid parameter name specified")),
    ("/responseModels/wrong", (404, "NotFoundException", "Content-Type specified was not found")),
])
@pytest.mark.parametrize("op", ["replace", "remove"])
def test_update_method_wrong_param_names(with_response, path, op, error):
    """api.snapshot TestApigatewayMethodResponse::test_update_method_wrong_param_names /
    update-method-response-operation-with-wrong-param-name-1..4."""
    client, api_id, root_id = with_response
    assert refusal(client.update_method_response, restApiId=api_id, resourceId=root_id, httpMethod="GET",
                   statusCode="200", patchOperations=[{"op": op, "path": path, "value": "true"}]) == error


@pytest.mark.parametrize(("path", "error"), [
    ("/responseParameters/method.response.header.my-header",
     (404, "NotFoundException", "Invalid parameter name specified")),  # ...-without-response-parameters
    ("/responseModels/application~1json",
     (404, "NotFoundException", "Content-Type specified was not found")),  # ...-without-response-models
    ("/wrong/method.response.header.my-header",
     (400, "BadRequestException", "Invalid patch path /wrong/method.response.header.my-header")),  # ...-with-wrong-path
])
def test_update_method_lack_response_parameters_and_models(api, path, error):
    """api.snapshot TestApigatewayMethodResponse::test_update_method_lack_response_parameters_and_models
    (entry beside each case): removing from a method response that has no parameters or models."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_method_response(**ids, statusCode="200")
    assert refusal(client.update_method_response, **ids, statusCode="200",
                   patchOperations=[{"op": "remove", "path": path, "value": "true"}]) == error


HEADER = "/responseParameters/method.response.header.my-header"
INVALID_STATUS = ("Value 'wrong' at 'statusCode' failed to satisfy constraint: "
                  "Member must satisfy regular expression pattern: [1-5]\\d\\d")


@pytest.mark.parametrize(("ids", "op", "error"), [
    ({"statusCode": "201"}, "replace",
     (404, "NotFoundException", "Invalid Response status code specified")),  # ...-wrong-statuscode
    ({"resourceId": "wrong"}, "replace",
     (404, "NotFoundException", "Invalid Resource identifier specified")),  # ...-wrong-resource
    ({"httpMethod": "POST"}, "replace",
     (404, "NotFoundException", "Invalid Method identifier specified")),  # ...-wrong-method
    ({"statusCode": "wrong"}, "replace",
     (400, "ValidationException", "1 validation error detected: " + INVALID_STATUS)),  # ...-invalid-statuscode
    ({"statusCode": "wrong"}, "wrong_op",
     (400, "ValidationException", "2 validation errors detected: " + WRONG_OP.format(1) + "; "
      + INVALID_STATUS)),  # ...-invalid-statuscode-and-wrong-op
])
def test_update_method_response_negative_tests(with_response, ids, op, error):
    """api.snapshot TestApigatewayMethodResponse::test_update_method_response_negative_tests / update-method-response-*
    (entry beside each case)."""
    client, api_id, root_id = with_response
    call = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "statusCode": "200", **ids}
    assert refusal(client.update_method_response, **call,
                   patchOperations=[{"op": op, "path": HEADER, "value": "true"}]) == error


MODEL = "/responseModels/application~1json"


@pytest.mark.parametrize(("operations", "wrong"), [
    ([("wrong_op", HEADER)], [1]),  # update-method-response-wrong-operation-1
    ([("wrong_op", MODEL)], [1]),  # -2
    ([("wrong_op", HEADER), ("wrong_op", MODEL)], [1, 2]),  # -3
    ([("wrong_op", HEADER), ("wrong_op", MODEL)] * 2, [1, 2, 3, 4]),  # -4
    ([("wrong_op", HEADER), ("remove", MODEL), ("wrong_op", MODEL)], [1, 3]),  # -5
])
def test_update_method_response_wrong_operations(with_response, operations, wrong):
    """api.snapshot TestApigatewayMethodResponse::test_update_method_response_wrong_operations: one
    ValidationException naming every op outside JSON Patch's by its 1-based index; nothing applied."""
    client, api_id, root_id = with_response
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "statusCode": "200"}
    noun = "error" if len(wrong) == 1 else "errors"
    message = f"{len(wrong)} validation {noun} detected: " + "; ".join(WRONG_OP.format(i) for i in wrong)
    patch = [{"op": op, "path": path, "value": "true"} for op, path in operations]
    assert refusal(client.update_method_response, **ids, patchOperations=patch) == (
        400, "ValidationException", message)
    assert client.get_method_response(**ids)["responseModels"] == {"application/json": "Empty"}


def test_fresh_method_has_no_method_responses(api):
    """api.snapshot TestApiGatewayApiMethod::test_update_method / put-method-response: a method without
    method responses answers no `methodResponses` (not an empty map)."""
    client, api_id, root_id = api
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    assert "methodResponses" not in client.get_method(restApiId=api_id, resourceId=root_id, httpMethod="GET")


@pytest.mark.parametrize(("call", "error"), [
    ({"restApiId": "fake-api", "httpMethod": "WRONG"},
     (404, "NotFoundException", "Invalid Resource identifier specified")),  # wrong-api
    ({"resourceId": "fake-resource-id", "httpMethod": "WRONG"},
     (404, "NotFoundException", "Invalid Resource identifier specified")),  # wrong-resource
    ({"httpMethod": "WRONG"},
     (400, "BadRequestException",
      "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")),  # wrong-method
    ({"authorizationType": "CUSTOM"},
     (400, "BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
      "COGNITO_USER_POOLS requires a valid authorizer.")),  # missing-authorizer-id
    ({"requestValidatorId": "fake-validator"},
     (400, "BadRequestException", "Invalid Request Validator identifier specified")),  # invalid-request-validator
    ({"requestModels": {"application/json": "petModel"}},
     (400, "BadRequestException", "Invalid model identifier specified: petModel")),  # invalid-model-name
    ({"httpMethod": "GET", "requestParameters": {"method.request.querystring.optional": False,
                                                 "method.request.header.optional": False}},
     (400, "BadRequestException", "Parameter names must be unique across querystring, header and path")),
])
def test_put_method_validation(api, call, error):
    """api.snapshot TestApiGatewayApiMethod::test_put_method_validation (entry beside each case);
    TestApiGatewayApiMethod::test_method_request_parameters / req-params-same-name. Nothing is stored."""
    client, api_id, root_id = api
    request = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY", "authorizationType": "NONE", **call}
    assert refusal(client.put_method, **request) == error
    assert "resourceMethods" not in client.get_resource(restApiId=api_id, resourceId=root_id)


def test_put_method_request_parameter_wrong_expression(lab, api):
    """api.snapshot TestApigatewayIntegration::test_put_integration_request_parameter_bool_type /
    put-method-request-param-wrong-type: a key that is not a method.request.* expression (the recording's `True`,
    sent without botocore's validation) is refused; bool-method: a valid one is stored as a boolean."""
    import boto3
    from botocore.config import Config

    client, api_id, root_id = api
    raw = boto3.client("apigateway", region_name=lab.region, config=Config(parameter_validation=False))
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "authorizationType": "NONE"}
    assert refusal(raw.put_method, **ids, requestParameters={"method.request.path.testPath": True, True: True}) == (
        400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], "
        "errors : [Invalid mapping expression specified: true]")
    stored = client.put_method(**ids, requestParameters={"method.request.path.testPath": True})
    assert body(stored) == {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "GET",
                            "requestParameters": {"method.request.path.testPath": True}}


def test_method_request_parameters(api):
    """api.snapshot TestApiGatewayApiMethod::test_method_request_parameters / put-method-request-params-response,
    get-method-request-params-response."""
    client, api_id, root_id = api
    parameters = {"method.request.querystring.q_optional": False, "method.request.querystring.q_required": True,
                  "method.request.header.h_optional": False, "method.request.header.h_required": True}
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    expected = {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY",
                "requestParameters": parameters}
    assert body(client.put_method(**ids, authorizationType="NONE", requestParameters=parameters)) == expected
    assert body(client.get_method(**ids)) == expected


def test_put_method_model(api):
    """api.snapshot TestApiGatewayApiMethod::test_put_method_model / put-method-request-models, update-method-model:
    a method names an existing model, and UpdateMethod replaces it with another."""
    client, api_id, root_id = api
    for name in ("MySchema", "MySchemaTwo"):
        client.create_model(restApiId=api_id, name=name, contentType="application/json",
                            schema='{"title": "%s", "type": "object"}' % name)
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    put = client.put_method(**ids, authorizationType="NONE", requestModels={"application/json": "MySchema"})
    assert body(put) == {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY",
                         "requestModels": {"application/json": "MySchema"}}
    updated = client.update_method(**ids, patchOperations=[
        {"op": "replace", "path": "/requestModels/application~1json", "value": "MySchemaTwo"}])
    assert body(updated) == {**body(put), "requestModels": {"application/json": "MySchemaTwo"}}


@pytest.mark.parametrize("call", ["put_method_response", "get_method_response", "delete_method_response"])
def test_method_response_calls_check_the_status_code(with_response, call):
    """Put/Get/DeleteMethodResponse refuse a status code outside [1-5]\\d\\d as UpdateMethodResponse does
    (api.snapshot test_update_method_response_negative_tests / update-method-response-invalid-statuscode; the
    pattern: https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html); the 200 response stays."""
    client, api_id, root_id = with_response
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    assert refusal(getattr(client, call), **ids, statusCode="wrong") == (
        400, "ValidationException", "1 validation error detected: " + INVALID_STATUS)
    assert client.get_method_response(**ids, statusCode="200")["statusCode"] == "200"


def test_method_lifecycle(api):
    """api.snapshot TestApiGatewayApiMethod::test_method_lifecycle / put-base-method-response,
    get-base-method-response, del-base-method-response, get-deleted-method-response, delete-deleted-method-response."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "ANY"}
    method = {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "ANY"}
    put = client.put_method(**ids, authorizationType="NONE")
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201 and body(put) == method
    got = client.get_method(**ids)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200 and body(got) == method
    deleted = client.delete_method(**ids)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204 and body(deleted) == {}
    gone = (404, "NotFoundException", "Invalid Method identifier specified")
    assert refusal(client.get_method, **ids) == gone
    assert refusal(client.delete_method, **ids) == gone


@pytest.mark.parametrize("call", ["put_method_response", "get_method_response", "delete_method_response"])
@pytest.mark.parametrize(("ids", "error"), [
    ({"resourceId": "wrong"}, (404, "NotFoundException", "Invalid Resource identifier specified")),
    ({"restApiId": "wrong"}, (404, "NotFoundException", "Invalid Resource identifier specified")),
    ({"httpMethod": "POST"}, (404, "NotFoundException", "Invalid Method identifier specified")),
])
def test_method_response_calls_look_up_as_update_does(with_response, call, ids, error):
    """Put/Get/DeleteMethodResponse word an unknown API, resource or method as UpdateMethodResponse does
    (api.snapshot TestApigatewayMethodResponse::test_update_method_response_negative_tests /
    update-method-response-wrong-resource, update-method-response-wrong-method; moto said "resource")."""
    client, api_id, root_id = with_response
    request = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "statusCode": "200", **ids}
    assert refusal(getattr(client, call), **request) == error
