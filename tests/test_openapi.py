"""OpenAPI 3 export/import with x-amazon-apigateway extensions, through plain boto3 on moto."""

from __future__ import annotations

import json
import os

import boto3
import pytest
import yaml
from moto import mock_aws

from labkit import openapi
from labkit.apis import RestApi

REGION = "us-east-1"
FN = "arn:aws:lambda:us-east-1:123456789012:function:pets"
AUTH_FN = "arn:aws:lambda:us-east-1:123456789012:function:auth"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"


@pytest.fixture
def client():
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    with mock_aws():
        yield boto3.client("apigateway", region_name=REGION)


def build_pets_api(client) -> RestApi:
    """An API touching every feature the export covers."""
    api = RestApi.create(
        client, "pets-api", description="Pets", binary_media_types=["image/png"],
        policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                        "Action": "execute-api:Invoke", "Resource": "*"}]},
    )
    client.create_model(restApiId=api.id, name="Pet", contentType="application/json",
                        schema=json.dumps({"type": "object", "properties": {"name": {"type": "string"}}}))
    validator = client.create_request_validator(restApiId=api.id, name="body-only", validateRequestBody=True,
                                                validateRequestParameters=False)
    token = client.create_authorizer(restApiId=api.id, name="token-auth", type="TOKEN",
                                     authorizerUri=openapi_lambda(AUTH_FN),
                                     identitySource="method.request.header.Authorization",
                                     authorizerResultTtlInSeconds=60)
    cognito = client.create_authorizer(restApiId=api.id, name="pool", type="COGNITO_USER_POOLS",
                                       providerARNs=[POOL], identitySource="method.request.header.Authorization")
    client.put_gateway_response(restApiId=api.id, responseType="UNAUTHORIZED", statusCode="401",
                                responseTemplates={"application/json": '{"message": "no"}'})

    api.resource("/").method("GET").mock(body='{"hello": "world"}')
    pets = api.resource("/pets")
    get = pets.method("GET", request_parameters={"method.request.querystring.limit": False})
    get.http("https://example.com/pets", request_templates={"application/json": '{"limit": "$input.params(\'limit\')"}'},
             response_templates={"application/json": "$input.json('$')"}, timeout_ms=3000)
    get.response(404, models={"application/json": "Error"}, headers={"X-Reason": False})
    get.integration_response(404, selection_pattern="404", templates={"application/json": '{"message": "none"}'})
    pets.method("POST", api_key_required=True, request_validator_id=validator["id"],
                request_models={"application/json": "Pet"}).lambda_proxy(FN, timeout_ms=10000)
    pet = api.resource("/pets/{petId}")
    pet.method("GET", authorization="CUSTOM", authorizer_id=token["id"]).http(
        "https://example.com/pets/{petId}", passthrough_behavior="NEVER")
    pet.method("DELETE", authorization="COGNITO_USER_POOLS", authorizer_id=cognito["id"],
               authorization_scopes=["pets/admin"]).mock(status=204, body="")
    api.resource("/admin").method("GET", authorization="AWS_IAM").mock()
    api.resource("/{proxy+}").method("ANY").http_proxy("http://${stageVariables.backend}/{proxy}")
    return api


def openapi_lambda(arn: str) -> str:
    return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"


def strip_identity(doc: dict) -> dict:
    """Everything but title and server URLs (which carry the API id)."""
    doc = json.loads(json.dumps(doc))
    doc["info"].pop("title")
    doc.pop("servers", None)
    return doc


def test_export_shape(client):
    api = build_pets_api(client)
    doc = api.export_openapi("dev")
    assert doc["openapi"] == "3.0.1"
    assert doc["info"]["title"] == "pets-api"
    assert doc["servers"][0]["url"] == f"https://{api.id}.execute-api.{REGION}.amazonaws.com/{{basePath}}"
    paths = doc["paths"]
    assert set(paths) == {"/", "/pets", "/pets/{petId}", "/admin", "/{proxy+}"}

    root = paths["/"]["get"]["x-amazon-apigateway-integration"]
    assert root["type"] == "mock"
    assert root["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert root["responses"]["default"]["responseTemplates"] == {"application/json": '{"hello": "world"}'}
    assert root["passthroughBehavior"] == "when_no_match"

    get = paths["/pets"]["get"]
    assert {"name": "limit", "in": "query", "required": False, "schema": {"type": "string"}} in get["parameters"]
    integ = get["x-amazon-apigateway-integration"]
    assert (integ["type"], integ["uri"], integ["httpMethod"], integ["timeoutInMillis"]) == (
        "http", "https://example.com/pets", "GET", 3000)
    assert integ["responses"]["404"]["statusCode"] == "404"
    assert integ["responses"]["default"]["statusCode"] == "200"
    assert get["responses"]["404"]["headers"] == {"X-Reason": {"schema": {"type": "string"}}}
    assert get["responses"]["404"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"

    post = paths["/pets"]["post"]
    assert post["security"] == [{"api_key": []}]
    assert post["x-amazon-apigateway-request-validator"] == "body-only"
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Pet"
    assert post["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert post["x-amazon-apigateway-integration"]["uri"] == openapi_lambda(FN)

    pet_get = paths["/pets/{petId}"]["get"]
    assert pet_get["parameters"] == [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert pet_get["security"] == [{"token-auth": []}]
    assert pet_get["x-amazon-apigateway-integration"]["passthroughBehavior"] == "never"
    assert paths["/pets/{petId}"]["delete"]["security"] == [{"pool": ["pets/admin"]}]
    assert paths["/admin"]["get"]["security"] == [{"sigv4": []}]

    proxy = paths["/{proxy+}"]
    assert set(proxy) == {"x-amazon-apigateway-any-method"}
    any_integ = proxy["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
    assert any_integ["type"] == "http_proxy"
    assert any_integ["uri"] == "http://${stageVariables.backend}/{proxy}"
    assert any_integ["requestParameters"] == {"integration.request.path.proxy": "method.request.path.proxy"}

    schemes = doc["components"]["securitySchemes"]
    assert schemes["api_key"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert schemes["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert schemes["token-auth"]["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert schemes["token-auth"]["x-amazon-apigateway-authorizer"]["authorizerUri"] == openapi_lambda(AUTH_FN)
    assert schemes["pool"]["x-amazon-apigateway-authorizer"]["providerARNs"] == [POOL]
    assert set(doc["components"]["schemas"]) == {"Empty", "Error", "Pet"}
    assert doc["x-amazon-apigateway-api-key-source"] == "HEADER"
    assert doc["x-amazon-apigateway-binary-media-types"] == ["image/png"]
    assert doc["x-amazon-apigateway-endpoint-configuration"] == {"types": ["REGIONAL"]}
    assert doc["x-amazon-apigateway-policy"]["Statement"][0]["Action"] == "execute-api:Invoke"
    assert doc["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"]["statusCode"] == "401"
    assert doc["x-amazon-apigateway-request-validators"] == {
        "body-only": {"validateRequestBody": True, "validateRequestParameters": False}}


def test_export_is_plain_data(client):
    doc = build_pets_api(client).export_openapi()
    assert "servers" not in doc
    assert yaml.safe_load(yaml.safe_dump(doc)) == doc
    assert json.loads(json.dumps(doc)) == doc


def test_round_trip(client):
    first = build_pets_api(client).export_openapi("dev")
    imported = openapi.import_(client, first)
    second = RestApi(client, imported).export_openapi("dev")
    assert strip_identity(second) == strip_identity(first)
    # The imported API is a real API as boto3 sees it.
    methods = client.get_resources(restApiId=imported, embed=["methods"])["items"]
    proxy = next(r for r in methods if r["path"] == "/{proxy+}")
    assert set(proxy["resourceMethods"]) == {"ANY"}
    assert proxy["resourceMethods"]["ANY"]["methodIntegration"]["type"] == "HTTP_PROXY"
    # and it deploys
    RestApi(client, imported).deploy("dev")


def test_import_yaml_string(client):
    doc = yaml.safe_dump({
        "openapi": "3.0.1",
        "info": {"title": "from-yaml", "version": "1"},
        "paths": {"/items/{id}": {"get": {"x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}}}}}},
    })
    api_id = openapi.import_(client, doc)
    items = {r["path"]: r for r in client.get_resources(restApiId=api_id, embed=["methods"])["items"]}
    assert set(items) == {"/", "/items", "/items/{id}"}
    method = items["/items/{id}"]["resourceMethods"]["GET"]
    assert method["requestParameters"] == {"method.request.path.id": True}
    assert method["methodIntegration"]["type"] == "MOCK"


@pytest.mark.parametrize(
    "doc, match",
    [
        ({"swagger": "2.0", "info": {"title": "t"}, "paths": {"/": {}}}, "openapi"),
        ({"openapi": "3.0.1", "info": {"title": "t"}}, "paths"),
        ({"openapi": "3.0.1", "info": {}, "paths": {"/": {}}}, "title"),
        ({"openapi": "3.0.1", "info": {"title": "t"}, "paths": {"/": {"fetch": {}}}}, "fetch"),
        ({"openapi": "3.0.1", "info": {"title": "t"},
          "paths": {"/": {"get": {"x-amazon-apigateway-integration": {"type": "magic"}}}}}, "type"),
        ({"openapi": "3.0.1", "info": {"title": "t"},
          "paths": {"/": {"get": {"x-amazon-apigateway-integration": {"type": "http", "httpMethod": "GET"}}}}}, "uri"),
        ("openapi: [unclosed", "YAML"),
    ],
)
def test_bad_document_raises_and_leaves_nothing(client, doc, match):
    with pytest.raises(ValueError, match=match):
        openapi.import_(client, doc)
    assert client.get_rest_apis()["items"] == []


def test_failure_midway_deletes_half_created_api(client):
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "half"},
        "paths": {
            "/a": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}},
            "/b": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}},
        },
    }
    calls = []
    real = client.put_integration

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("backend failed")
        return real(**kwargs)

    client.put_integration = flaky
    with pytest.raises(RuntimeError, match="backend failed"):
        openapi.import_(client, doc)
    assert len(calls) == 2
    assert client.get_rest_apis()["items"] == []


def test_backend_rejection_deletes_half_created_api(client):
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "bad-uri"},
        "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {
            "type": "http", "httpMethod": "GET", "uri": "not a url"}}}},
    }
    with pytest.raises(client.exceptions.ClientError):
        openapi.import_(client, doc)
    assert client.get_rest_apis()["items"] == []


def test_definition_from_client_shape(client):
    api = build_pets_api(client)
    definition = openapi.definition_from_client(client, api.id)
    assert set(definition) >= {"restApi", "resources", "authorizers", "gatewayResponses", "models", "requestValidators"}
    assert "ResponseMetadata" not in definition["restApi"]
    pets = next(r for r in definition["resources"] if r["path"] == "/pets")
    assert pets["resourceMethods"]["POST"]["methodIntegration"]["type"] == "AWS_PROXY"
    assert {a["name"] for a in definition["authorizers"]} == {"token-auth", "pool"}
