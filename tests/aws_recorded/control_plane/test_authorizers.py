"""Authorizers on the control plane against AWS's recordings.

Sources: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`
(TestApiGatewayApiAuthorizer::test_authorizer_crud_no_api) and `test_apigateway_basic.snapshot.json`
(TestAPIGateway::test_apigateway_with_custom_authorization_method); each test names its key.
"""

from __future__ import annotations

import pytest
from answers import refusal as refused, body as shape

URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:"
       "function:myApiAuthorizer/invocations")


@pytest.fixture
def apigw(lab):
    return lab.client("apigateway")


@pytest.fixture
def api_id(apigw):
    return apigw.create_rest_api(name="authorizers")["id"]


def test_a_token_authorizer_left_at_defaults(apigw, api_id):
    # test_apigateway_with_custom_authorization_method: authorizer (authType custom, no TTL in the answer)
    created = apigw.create_authorizer(restApiId=api_id, name="lambda_authorizer", type="TOKEN", authorizerUri=URI,
                                      identitySource="method.request.header.Auth")
    expected = {"authType": "custom", "authorizerUri": URI, "id": created["id"],
                "identitySource": "method.request.header.Auth", "name": "lambda_authorizer", "type": "TOKEN"}
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shape(created) == expected
    assert shape(apigw.get_authorizer(restApiId=api_id, authorizerId=created["id"])) == expected


def test_given_fields_are_kept(apigw, api_id):
    # test_apigateway_import.snapshot.json::test_import_swagger_api get-authorizers: authType, TTL and
    # identityValidationExpression as given
    created = apigw.create_authorizer(restApiId=api_id, name="a", type="TOKEN", authorizerUri=URI,
                                      authType="oauth2", identitySource="method.request.header.Authorization",
                                      identityValidationExpression="^x-[a-z]+", authorizerResultTtlInSeconds=60)
    assert {k: created[k] for k in ("authType", "identityValidationExpression", "authorizerResultTtlInSeconds")} == {
        "authType": "oauth2", "identityValidationExpression": "^x-[a-z]+", "authorizerResultTtlInSeconds": 60}


def test_authorizer_calls_on_an_unknown_api(apigw):
    # test_authorizer_crud_no_api: wrong-rest-api-id-create-authorizer, wrong-rest-api-id-get-authorizers
    assert refused(apigw.create_authorizer, restApiId="test-fake-rest-id", name="fake-auth-name", type="TOKEN",
                   authorizerUri=URI, identitySource="method.request.header.Authorization") == (
        409, "ConflictException", "Unable to complete operation due to concurrent modification. Please try again later.")
    assert refused(apigw.get_authorizers, restApiId="test-fake-rest-id") == (
        404, "NotFoundException", "Invalid API identifier specified 123456789012:test-fake-rest-id")


@pytest.mark.parametrize("call, kwargs", [
    ("get_authorizer", {}),
    ("delete_authorizer", {}),
    ("update_authorizer", {"patchOperations": [{"op": "replace", "path": "/name", "value": "x"}]}),
])
def test_an_unknown_authorizer_answers_404(apigw, api_id, call, kwargs):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_GetAuthorizer.html (NotFoundException, 404)
    # (AWS's message is not recorded; the kit keeps moto's GetAuthorizer wording for all three)
    assert refused(getattr(apigw, call), restApiId=api_id, authorizerId="nope12", **kwargs) == (
        404, "NotFoundException", "Invalid Authorizer identifier specified")


def test_update_refuses_an_unknown_path_and_changes_nothing(apigw, api_id):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAuthorizer.html: a 400 BadRequestException
    created = apigw.create_authorizer(restApiId=api_id, name="a", type="TOKEN", authorizerUri=URI,
                                      identitySource="method.request.header.Auth")
    operations = [{"op": "replace", "path": "/name", "value": "renamed"},
                  {"op": "replace", "path": "/wrongPath", "value": "x"}]
    status, code, _ = refused(apigw.update_authorizer, restApiId=api_id, authorizerId=created["id"],
                              patchOperations=operations)
    assert (status, code) == (400, "BadRequestException")
    assert apigw.get_authorizer(restApiId=api_id, authorizerId=created["id"])["name"] == "a"
    renamed = apigw.update_authorizer(restApiId=api_id, authorizerId=created["id"], patchOperations=operations[:1])
    assert renamed["name"] == "renamed"


def test_update_adds_and_removes_provider_arns(apigw, api_id):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAuthorizer.html: providerARNs of a Cognito authorizer
    pool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC123"
    other = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_XYZ789"
    created = apigw.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS", providerARNs=[pool],
                                      identitySource="method.request.header.Authorization")
    added = apigw.update_authorizer(restApiId=api_id, authorizerId=created["id"], patchOperations=[
        {"op": "add", "path": "/providerARNs", "value": other}])
    assert added["providerARNs"] == [pool, other]
    removed = apigw.update_authorizer(restApiId=api_id, authorizerId=created["id"], patchOperations=[
        {"op": "remove", "path": "/providerARNs", "value": pool}])
    assert removed["providerARNs"] == [other]
