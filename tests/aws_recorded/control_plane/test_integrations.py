"""Integrations and integration responses (put, get, update, delete) against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`
("api.snapshot"; each test names its key `test_apigateway_api.py::<Class>::<test>` and entries; the requests
are in `test_apigateway_api.py` beside it). Placeholders (cacheNamespace), dates and ResponseMetadata are not
compared.
"""

from __future__ import annotations

import pytest
from answers import body, refusal

VPC_URI = "http://my-vpclink-test-nlb-1234567890abcdef.us-east-1.amazonaws.com"


@pytest.fixture
def mock_get(api):
    """The recordings' GET / with a MOCK integration; yields (client, ids of the method)."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    return client, ids


def test_lifecycle_integration_response(mock_get):
    """api.snapshot TestApigatewayIntegrationResponse::test_lifecycle_integration_response / put-integration-response,
    get-integration-response, update-integration-response, overwrite-integration-response, get-method,
    delete-integration-response."""
    client, ids = mock_get
    created = {"responseTemplates": {"application/json": '"created"'}, "selectionPattern": "", "statusCode": "200"}
    put = client.put_integration_response(**ids, statusCode="200", selectionPattern="",
                                          responseTemplates={"application/json": '"created"'})
    assert body(put) == created
    assert body(client.get_integration_response(**ids, statusCode="200")) == created
    updated = client.update_integration_response(**ids, statusCode="200", patchOperations=[
        {"op": "replace", "path": "/selectionPattern", "value": "updated-pattern"}])
    assert body(updated) == {**created, "selectionPattern": "updated-pattern"}
    overwritten = {"responseTemplates": {"application/json": "overwrite"}, "selectionPattern": "overwrite-pattern",
                   "statusCode": "200"}
    assert body(client.put_integration_response(**ids, statusCode="200", selectionPattern="overwrite-pattern",
                                                responseTemplates={"application/json": "overwrite"})) == overwritten

    method = body(client.get_method(**ids))
    integration = method.pop("methodIntegration")
    assert method == {"apiKeyRequired": False, "authorizationType": "NONE", "httpMethod": "GET"}
    assert isinstance(integration.pop("cacheNamespace"), str)
    assert integration == {"cacheKeyParameters": [], "integrationResponses": {"200": overwritten},
                           "passthroughBehavior": "WHEN_NO_MATCH",
                           "requestTemplates": {"application/json": '{"statusCode": 200}'},
                           "timeoutInMillis": 29000, "type": "MOCK"}

    deleted = client.delete_integration_response(**ids, statusCode="200")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204 and body(deleted) == {}


@pytest.mark.parametrize("op", ["add", "replace", "remove"])
def test_update_integration_response_maps(mock_get, op):
    """Templates and parameters by JSON Pointer (application~1json), as the S3, SQS and canary recordings patch
    them (test_apigateway_s3.py, test_apigateway_sqs.py, test_apigateway_canary.py call UpdateIntegrationResponse
    with add/replace/remove /responseTemplates/application~1json; paths:
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegrationResponse.html)."""
    client, ids = mock_get
    client.put_integration_response(**ids, statusCode="200", selectionPattern="",
                                    responseTemplates={"application/json": "old"})
    updated = client.update_integration_response(**ids, statusCode="200", patchOperations=[
        {"op": op, "path": "/responseTemplates/application~1json", "value": "new"}])
    assert updated.get("responseTemplates") == (None if op == "remove" else {"application/json": "new"})
    assert client.get_integration_response(**ids, statusCode="200").get("responseTemplates") == \
        updated.get("responseTemplates")


def test_update_integration_response_refusals(mock_get):
    """An unknown path and a non-replace op on a scalar answer 400 with AWS's wording for UpdateMethod
    (api.snapshot TestApiGatewayApiMethod::test_update_method_validation / unsupported-path,
    unsupported-operation); an unknown status code 404 as GetIntegrationResponse
    (TestApigatewayIntegrationResponse::test_integration_response_wrong_status_code)."""
    client, ids = mock_get
    client.put_integration_response(**ids, statusCode="200", selectionPattern="")
    assert refusal(client.update_integration_response, **ids, statusCode="200", patchOperations=[
        {"op": "replace", "path": "/statusCode", "value": "201"}]) == (
        400, "BadRequestException", "Invalid patch path /statusCode")
    assert refusal(client.update_integration_response, **ids, statusCode="200", patchOperations=[
        {"op": "add", "path": "/selectionPattern", "value": "x"}]) == (
        400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]")
    assert refusal(client.update_integration_response, **ids, statusCode="201", patchOperations=[]) == (
        404, "NotFoundException", "Invalid Response status code specified")


def test_create_integration_with_vpc_link(api):
    """api.snapshot TestApigatewayIntegration::test_create_integration_with_vpc_link / put-integration-vpc-link,
    get-integration-vpc-link (PutIntegration keeps connectionId and connectionType), update-integration-vpc-link,
    get-integration-update-vpc-link (replace /connectionId answers the whole integration with the new id)."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    put = body(client.put_integration(**ids, type="HTTP_PROXY", integrationHttpMethod="GET", uri=VPC_URI,
                                      connectionType="VPC_LINK", connectionId="${stageVariables.vpcLinkId}"))
    assert isinstance(put.pop("cacheNamespace"), str)
    expected = {"cacheKeyParameters": [], "connectionId": "${stageVariables.vpcLinkId}",
                "connectionType": "VPC_LINK", "httpMethod": "GET", "passthroughBehavior": "WHEN_NO_MATCH",
                "timeoutInMillis": 29000, "type": "HTTP_PROXY", "uri": VPC_URI}
    assert put == expected
    fetched = body(client.get_integration(**ids))
    fetched.pop("cacheNamespace")
    assert fetched == expected

    updated = body(client.update_integration(**ids, patchOperations=[
        {"op": "replace", "path": "/connectionId", "value": "${stageVariables.vpcLinkIdBeta}"}]))
    updated.pop("cacheNamespace")
    expected["connectionId"] = "${stageVariables.vpcLinkIdBeta}"
    assert updated == expected
    fetched = body(client.get_integration(**ids))
    fetched.pop("cacheNamespace")
    assert fetched == expected


def test_update_integration_templates_and_parameters(mock_get):
    """add /requestTemplates/application~1json and /requestParameters/integration.request.header.Accept, as
    test_apigateway_s3.py and test_apigateway_sqs.py do; replace /timeoutInMillis answers a number
    (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html)."""
    client, ids = mock_get
    updated = client.update_integration(**ids, patchOperations=[
        {"op": "add", "path": "/requestTemplates/application~1json", "value": '{"data": "$input.body"}'},
        {"op": "add", "path": "/requestParameters/integration.request.header.Accept", "value": "'application/xml'"},
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"}])
    assert updated["requestTemplates"] == {"application/json": '{"data": "$input.body"}'}
    assert updated["requestParameters"] == {"integration.request.header.Accept": "'application/xml'"}
    assert updated["timeoutInMillis"] == 5000
    assert body(client.get_integration(**ids)) == body(updated)


def test_update_integration_is_all_or_nothing(mock_get):
    """A refused operation leaves the integration as it was (a PATCH applies all of its operations or none:
    https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html)."""
    client, ids = mock_get
    before = body(client.get_integration(**ids))
    assert refusal(client.update_integration, **ids, patchOperations=[
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
        {"op": "replace", "path": "/nonsense", "value": "x"}]) == (400, "BadRequestException", "Invalid patch path /nonsense")
    assert body(client.get_integration(**ids)) == before


def test_get_integration_non_existent(api):
    """api.snapshot TestApigatewayIntegration::test_get_integration_non_existent / get-integration-no-api,
    get-integration-no-resource, get-integration-no-method, get-integration-no-integration."""
    client, api_id, root_id = api
    resource = (404, "NotFoundException", "Invalid Resource identifier specified")
    assert refusal(client.get_integration, restApiId="fake", resourceId=root_id, httpMethod="GET") == resource
    assert refusal(client.get_integration, restApiId=api_id, resourceId="fake", httpMethod="GET") == resource
    assert refusal(client.get_integration, restApiId=api_id, resourceId=root_id, httpMethod="GET") == (
        404, "NotFoundException", "Invalid Method identifier specified")
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    assert refusal(client.get_integration, restApiId=api_id, resourceId=root_id, httpMethod="GET") == (
        404, "NotFoundException", "Invalid Integration identifier specified")


RESOURCE_NOT_FOUND = (404, "NotFoundException", "Invalid Resource identifier specified")
NO_INTEGRATION = (404, "NotFoundException", "Invalid Integration identifier specified")
METHOD_NOT_FOUND = (404, "NotFoundException", "Invalid Method identifier specified")


def test_integration_response_wrong_api(api):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_wrong_api /
    put-integration-response-wrong-api, get-integration-response-wrong-api: an unknown API reads as an unknown
    resource."""
    client = api[0]
    ids = {"restApiId": "wrong-api", "resourceId": "dummy-value", "httpMethod": "GET", "statusCode": "200"}
    assert refusal(client.put_integration_response, **ids) == RESOURCE_NOT_FOUND
    assert refusal(client.get_integration_response, **ids) == RESOURCE_NOT_FOUND


def test_integration_response_wrong_resource(api):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_wrong_resource /
    put-integration-response-wrong-resource, get-integration-response-wrong-resource."""
    client, api_id, _ = api
    ids = {"restApiId": api_id, "resourceId": "wrong-resource", "httpMethod": "GET", "statusCode": "200"}
    assert refusal(client.put_integration_response, **ids) == RESOURCE_NOT_FOUND
    assert refusal(client.get_integration_response, **ids) == RESOURCE_NOT_FOUND


def test_integration_response_wrong_method(api):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_wrong_method /
    put-integration-response-wrong-method, get-integration-response-wrong-method."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "wrong-method", "statusCode": "200"}
    assert refusal(client.put_integration_response, **ids) == METHOD_NOT_FOUND
    assert refusal(client.get_integration_response, **ids) == METHOD_NOT_FOUND


def test_integration_response_invalid_integration_and_status(api):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_integration /
    get-integration-response-without-integration; test_integration_response_wrong_status_code /
    get-integration-response-wrong-status-code."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    assert refusal(client.get_integration_response, **ids, statusCode="200") == (
        404, "NotFoundException", "Invalid Integration identifier specified")
    client.put_integration(**ids, type="MOCK")
    client.put_integration_response(**ids, statusCode="200", selectionPattern="")
    assert refusal(client.get_integration_response, **ids, statusCode="201") == (
        404, "NotFoundException", "Invalid Response status code specified")


def test_delete_integration_response_errors(mock_get):
    """api.snapshot TestApigatewayIntegrationResponse::test_delete_integration_response_errors / non-existent-resource,
    non-existent-api-id, non-existent-method, non-existent-status-code, bad-method."""
    client, ids = mock_get
    client.put_integration_response(**ids, statusCode="200", selectionPattern="",
                                    responseTemplates={"application/json": '"created"'})
    resource = (404, "NotFoundException", "Invalid Resource identifier specified")
    integration = (404, "NotFoundException", "Invalid Integration identifier specified")
    delete = client.delete_integration_response
    assert refusal(delete, **{**ids, "resourceId": "nope"}, statusCode="200") == resource
    assert refusal(delete, **{**ids, "restApiId": "nope"}, statusCode="200") == resource
    assert refusal(delete, **{**ids, "httpMethod": "POST"}, statusCode="200") == integration
    assert refusal(delete, **ids, statusCode="201") == (404, "NotFoundException", "Invalid Response status code specified")
    assert refusal(delete, **{**ids, "httpMethod": "BAD"}, statusCode="200") == integration


def test_put_integration_response_templates(mock_get):
    """api.snapshot TestApigatewayIntegration::test_put_integration_response_templates /
    put-integration-response-template-empty (an empty template answers null), put-integration-no-response-template
    (no responseTemplates at all)."""
    client, ids = mock_get
    empty = client.put_integration_response(**ids, statusCode="200", selectionPattern="",
                                            responseTemplates={"application/json": ""})
    assert body(empty) == {"responseTemplates": {"application/json": None}, "selectionPattern": "", "statusCode": "200"}
    none = client.put_integration_response(**ids, statusCode="200", selectionPattern="")
    assert body(none) == {"selectionPattern": "", "statusCode": "200"}


def test_export_leaves_out_the_default_timeout(lab, mock_get):
    """GetIntegration now answers timeoutInMillis 29000 (api.snapshot test_lifecycle_integration_response / get-method);
    AWS's export still leaves the default out (test_apigateway_extended.snapshot.json, the exported petstore's
    x-amazon-apigateway-integration has no timeoutInMillis), and keeps a value that is set."""
    from labkit.openapi import export
    from labkit.api_calls import definition_from_client

    client, ids = mock_get
    client.put_method(restApiId=ids["restApiId"], resourceId=ids["resourceId"], httpMethod="POST",
                      authorizationType="NONE")
    client.put_integration(restApiId=ids["restApiId"], resourceId=ids["resourceId"], httpMethod="POST", type="MOCK",
                           timeoutInMillis=3000)
    root = export(definition_from_client(client, ids["restApiId"]))["paths"]["/"]
    assert "timeoutInMillis" not in root["get"]["x-amazon-apigateway-integration"]
    assert root["post"]["x-amazon-apigateway-integration"]["timeoutInMillis"] == 3000


@pytest.fixture
def raw(lab):
    """A client that sends what it is given, as the recordings' `Config(parameter_validation=False)` client does."""
    import boto3
    from botocore.config import Config

    return boto3.client("apigateway", region_name=lab.region, config=Config(parameter_validation=False))


def test_put_integration_wrong_type(api, raw):
    """api.snapshot TestApigatewayIntegration::test_put_integration_wrong_type / put-integration-wrong-type: a type
    outside the enum is refused before the (missing) method is looked up."""
    _, api_id, root_id = api
    assert refusal(raw.put_integration, restApiId=api_id, resourceId=root_id, httpMethod="GET", type="HTTPS_PROXY") == (
        400, "ValidationException", "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' "
        "failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]")


def test_put_integration_request_parameter_bool_type(api, raw):
    """api.snapshot TestApigatewayIntegration::test_put_integration_request_parameter_bool_type /
    put-integration-request-param-wrong-type, put-integration-request-param-bool-value: a boolean request
    parameter value is a SerializationException (checked before moto's own "Enumeration value for HttpMethod"),
    and nothing is stored. (bool-method and put-method-request-param-wrong-type: test_methods.py.)"""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE", requestParameters={"method.request.path.testPath": True})
    refused = (400, "SerializationException", "class java.lang.Boolean can not be converted to an String")
    assert refusal(raw.put_integration, **ids, type="HTTP_PROXY", requestParameters={True: True}) == refused
    assert refusal(raw.put_integration, **ids, type="HTTP_PROXY",
                   requestParameters={"integration.request.path.testPath": True}) == refused
    assert refusal(client.get_integration, **ids) == NO_INTEGRATION


def test_put_integration_response_validation(api):
    """api.snapshot TestApigatewayIntegration::test_put_integration_response_validation / put-integration-wrong-method,
    put-integration-wrong-resource, put-integration-response-wrong-method, put-integration-response-wrong-resource.
    No validation entry under this key: test_apigateway_api.validation.json lists the test under
    TestApigatewayIntegrationResponse (validated 2025-03-03T14:27:24, the recording's date)."""
    client, api_id, root_id = api
    client.put_method(restApiId=api_id, resourceId=root_id, httpMethod="POST", authorizationType="NONE")
    integration = {"integrationHttpMethod": "GET", "type": "MOCK",
                   "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    assert refusal(client.put_integration, restApiId=api_id, resourceId=root_id, httpMethod="GET",
                   **integration) == METHOD_NOT_FOUND
    assert refusal(client.put_integration, restApiId=api_id, resourceId="badresource", httpMethod="GET",
                   **integration) == RESOURCE_NOT_FOUND
    client.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="POST", **integration)
    response = {"statusCode": "200", "selectionPattern": "", "responseTemplates": {"application/json": "{}"}}
    assert refusal(client.put_integration_response, restApiId=api_id, resourceId=root_id, httpMethod="GET",
                   **response) == METHOD_NOT_FOUND
    assert refusal(client.put_integration_response, restApiId=api_id, resourceId="badresource", httpMethod="GET",
                   **response) == RESOURCE_NOT_FOUND


def invalid_status(code: str) -> tuple[int, str, str]:
    """AWS's refusal of a status code outside [1-5]\\d\\d."""
    return (400, "ValidationException", f"1 validation error detected: Value '{code}' at 'statusCode' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d")


def test_integration_response_invalid_statuscode(api):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_statuscode /
    put-integration-response-invalid-statusCode, get-integration-response-invalid-statusCode: refused before the
    (missing) GET method is looked up."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET", "statusCode": "wrong"}
    assert refusal(client.put_integration_response, **ids, responseTemplates={"application/json": '"created"'},
                   selectionPattern="") == invalid_status("wrong")
    assert refusal(client.get_integration_response, **ids) == invalid_status("wrong")


@pytest.mark.parametrize("code", ["abc", "2000", "600"])
@pytest.mark.parametrize("call", ["put_integration_response", "get_integration_response", "update_integration_response",
                                  "delete_integration_response"])
def test_every_integration_response_call_checks_the_status_code(mock_get, call, code):
    """Every integration response call refuses a status code outside [1-5]\\d\\d as the recording above does
    (the pattern of statusCode in https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegrationResponse.html
    and its Put/Get/Update siblings), letters and digits alike."""
    client, ids = mock_get
    extra = {"patchOperations": []} if call == "update_integration_response" else {}
    assert refusal(getattr(client, call), **ids, statusCode=code, **extra) == invalid_status(code)


def test_integration_response_invalid_responsetemplates(mock_get, raw):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_responsetemplates /
    put-integration-response-invalid-responseTemplates-1 (a number as a template), -2 (a number as a content type);
    nothing is stored."""
    _, ids = mock_get
    response = {**ids, "statusCode": "200", "selectionPattern": ""}
    assert refusal(raw.put_integration_response, **response, responseTemplates={"application/json": 123}) == (
        400, "SerializationException",
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")
    assert refusal(raw.put_integration_response, **response, responseTemplates={123: '{"statusCode": 200}'}) == (
        400, "BadRequestException", "Validation Result: warnings : [], errors : [Invalid content type specified: 123]")
    assert refusal(raw.get_integration_response, **ids, statusCode="200") == (
        404, "NotFoundException", "Invalid Response status code specified")


def test_delete_integration(mock_get):
    """test_apigateway_lambda.snapshot.json test_lambda_aws_integration_with_request_template / delete-integration
    (204, no body), get-integration-after-delete; deleting it again, or on an unknown method or resource, answers
    AWS's not-found wording (as GetIntegration: api.snapshot test_get_integration_non_existent)."""
    client, ids = mock_get
    deleted = client.delete_integration(**ids)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204 and body(deleted) == {}
    assert refusal(client.get_integration, **ids) == NO_INTEGRATION
    assert refusal(client.delete_integration, **ids) == NO_INTEGRATION
    assert refusal(client.delete_integration, **{**ids, "httpMethod": "PUT"}) == METHOD_NOT_FOUND
    assert refusal(client.delete_integration, **{**ids, "resourceId": "nope"}) == RESOURCE_NOT_FOUND


def test_put_integration_response_without_integration(api):
    """PutIntegrationResponse on a method without an integration answers as GetIntegrationResponse does
    (api.snapshot TestApigatewayIntegrationResponse::test_integration_response_invalid_integration /
    get-integration-response-without-integration; AWS's answer to the put is not recorded)."""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    assert refusal(client.put_integration_response, **ids, statusCode="200", selectionPattern="") == NO_INTEGRATION
