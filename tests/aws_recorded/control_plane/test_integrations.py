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


def test_create_integration_with_vpc_link_update(api):
    """api.snapshot TestApigatewayIntegration::test_create_integration_with_vpc_link / update-integration-vpc-link,
    get-integration-update-vpc-link: replace /connectionId answers the whole integration with the new id.
    (put-integration-vpc-link's connectionId is not asserted: the kit's PutIntegration still drops it.)"""
    client, api_id, root_id = api
    ids = {"restApiId": api_id, "resourceId": root_id, "httpMethod": "GET"}
    client.put_method(**ids, authorizationType="NONE")
    client.put_integration(**ids, type="HTTP_PROXY", integrationHttpMethod="GET", uri=VPC_URI,
                           connectionType="VPC_LINK", connectionId="${stageVariables.vpcLinkId}")
    updated = body(client.update_integration(**ids, patchOperations=[
        {"op": "replace", "path": "/connectionId", "value": "${stageVariables.vpcLinkIdBeta}"}]))
    assert isinstance(updated.pop("cacheNamespace"), str)
    expected = {"cacheKeyParameters": [], "connectionId": "${stageVariables.vpcLinkIdBeta}",
                "connectionType": "VPC_LINK", "httpMethod": "GET", "passthroughBehavior": "WHEN_NO_MATCH",
                "timeoutInMillis": 29000, "type": "HTTP_PROXY", "uri": VPC_URI}
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


@pytest.mark.parametrize("call", ["put_integration_response", "get_integration_response"])
def test_integration_response_wrong_ids(api, call):
    """api.snapshot TestApigatewayIntegrationResponse::test_integration_response_wrong_api, _wrong_resource,
    _wrong_method (put-/get-integration-response-wrong-*)."""
    client, api_id, root_id = api
    fn = getattr(client, call)
    resource = (404, "NotFoundException", "Invalid Resource identifier specified")
    assert refusal(fn, restApiId="wrong-api", resourceId="dummy-value", httpMethod="GET", statusCode="200") == resource
    assert refusal(fn, restApiId=api_id, resourceId="wrong-resource", httpMethod="GET", statusCode="200") == resource
    assert refusal(fn, restApiId=api_id, resourceId=root_id, httpMethod="wrong-method", statusCode="200") == (
        404, "NotFoundException", "Invalid Method identifier specified")


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
