"""Behaviour of labkit.apis builders, checked through plain boto3 on moto."""

from __future__ import annotations

import os

import boto3
import pytest
from moto import mock_aws

from labkit.apis import RestApi, import_openapi, lambda_uri

REGION = "us-east-1"


@pytest.fixture
def client():
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    with mock_aws():
        yield boto3.client("apigateway", region_name=REGION)


def _method(client, api, path, verb):
    rid = api.resources()[path]
    return client.get_method(restApiId=api.id, resourceId=rid, httpMethod=verb)


def test_create_sets_endpoint_type_key_source_and_binary_types(client):
    api = RestApi.create(client, "pets-api", endpoint_type="REGIONAL", description="d", binary_media_types=["image/png"])
    got = client.get_rest_api(restApiId=api.id)
    assert got["name"] == "pets-api"
    assert got["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert got["apiKeySource"] == "HEADER"
    assert got["binaryMediaTypes"] == ["image/png"]
    assert api.root_id == api.resources()["/"]


def test_create_rejects_bad_endpoint_type(client):
    with pytest.raises(ValueError, match="endpoint_type.*EDGE, REGIONAL, PRIVATE"):
        RestApi.create(client, "x", endpoint_type="GLOBAL")
    assert client.get_rest_apis()["items"] == []


def test_wrap_existing_api(client):
    created = client.create_rest_api(name="plain")
    api = RestApi(client, created["id"])
    assert api.root_id == created["rootResourceId"]


def test_resource_creates_missing_parts_and_reuses_existing(client):
    api = RestApi.create(client, "pets-api")
    pet = api.resource("/pets/{petId}")
    assert pet.path == "/pets/{petId}"
    again = api.resource("/pets/{petId}/")
    assert again.id == pet.id
    toys = api.resource("/pets/{petId}/toys")
    paths = sorted(r["path"] for r in client.get_resources(restApiId=api.id)["items"])
    assert paths == ["/", "/pets", "/pets/{petId}", "/pets/{petId}/toys"]
    assert client.get_resource(restApiId=api.id, resourceId=toys.id)["parentId"] == pet.id


@pytest.mark.parametrize("bad", ["pets", "/a//b", "/{proxy+}/x", "/{bad"])
def test_resource_rejects_bad_paths(client, bad):
    api = RestApi.create(client, "x")
    with pytest.raises(ValueError, match="path"):
        api.resource(bad)
    assert list(api.resources()) == ["/"]


def test_mock_integration(client):
    api = RestApi.create(client, "x")
    api.resource("/hello").method("GET").mock(status=201, body='{"hi": 1}')
    m = _method(client, api, "/hello", "GET")
    assert m["authorizationType"] == "NONE"
    integ = m["methodIntegration"]
    assert integ["type"] == "MOCK"
    assert integ["requestTemplates"] == {"application/json": '{"statusCode": 201}'}
    assert integ["integrationResponses"]["201"]["responseTemplates"] == {"application/json": '{"hi": 1}'}
    assert "201" in m["methodResponses"]


def test_method_options_and_path_params(client):
    api = RestApi.create(client, "x")
    m = api.resource("/pets/{petId}").method(
        "get", api_key_required=True, request_parameters={"method.request.querystring.q": False}
    )
    assert m.http_method == "GET"
    m.http("https://example.com/pets/{petId}", timeout_ms=5000)
    got = _method(client, api, "/pets/{petId}", "GET")
    assert got["apiKeyRequired"] is True
    assert got["requestParameters"] == {"method.request.path.petId": True, "method.request.querystring.q": False}
    integ = got["methodIntegration"]
    assert integ["type"] == "HTTP"
    assert integ["httpMethod"] == "GET"
    assert integ["timeoutInMillis"] == 5000
    assert integ["requestParameters"] == {"integration.request.path.petId": "method.request.path.petId"}
    assert "200" in integ["integrationResponses"]


def test_bad_method_inputs(client):
    api = RestApi.create(client, "x")
    res = api.resource("/a")
    with pytest.raises(ValueError, match="http_method"):
        res.method("FETCH")
    with pytest.raises(ValueError, match="authorization"):
        res.method("GET", authorization="BOGUS")
    with pytest.raises(ValueError, match="authorizer_id"):
        res.method("GET", authorization="CUSTOM")
    m = res.method("GET")
    with pytest.raises(ValueError, match="uri"):
        m.http("ftp://example.com")


@pytest.mark.parametrize("timeout", [49, 29001, 0, "100"])
def test_timeout_ms_validated(client, timeout):
    api = RestApi.create(client, "x")
    m = api.resource("/a").method("GET")
    with pytest.raises(ValueError, match=r"timeoutInMillis.*50 and 29000"):
        m.http("https://example.com", timeout_ms=timeout)


def test_proxy_resource_http_proxy_keeps_stage_variables(client):
    api = RestApi.create(client, "x")
    res = api.resource("/{proxy+}")
    res.method("ANY").http_proxy("http://${stageVariables.backend}/{proxy}", timeout_ms=29000)
    got = _method(client, api, "/{proxy+}", "ANY")
    assert got["requestParameters"] == {"method.request.path.proxy": True}
    integ = got["methodIntegration"]
    assert integ["type"] == "HTTP_PROXY"
    assert integ["httpMethod"] == "ANY"
    assert integ["uri"] == "http://${stageVariables.backend}/{proxy}"
    assert integ["requestParameters"] == {"integration.request.path.proxy": "method.request.path.proxy"}


def test_lambda_proxy(client):
    arn = "arn:aws:lambda:us-east-1:123456789012:function:pets"
    api = RestApi.create(client, "x")
    api.resource("/pets").method("POST").lambda_proxy(arn, timeout_ms=1000)
    integ = _method(client, api, "/pets", "POST")["methodIntegration"]
    assert integ["type"] == "AWS_PROXY"
    assert integ["httpMethod"] == "POST"
    assert integ["uri"] == lambda_uri(REGION, arn)
    assert integ["uri"] == f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    with pytest.raises(ValueError, match="function_arn"):
        api.resource("/pets").method("GET").lambda_proxy("pets")


def _api_with_method(client):
    api = RestApi.create(client, "x")
    api.resource("/pets").method("GET").mock()
    return api


def test_deploy_creates_stage_with_variables(client):
    api = _api_with_method(client)
    dep = api.deploy("dev", description="first", variables={"backend": "example.com", "v": "1"})
    stage = client.get_stage(restApiId=api.id, stageName="dev")
    assert stage["deploymentId"] == dep["id"]
    assert stage["variables"] == {"backend": "example.com", "v": "1"}


def test_redeploy_keeps_stage_settings(client):
    api = _api_with_method(client)
    api.deploy("dev", variables={"v": "1"})
    client.update_stage(
        restApiId=api.id, stageName="dev",
        patchOperations=[{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"}],
    )
    second = api.deploy("dev", variables={"v": "2"})
    stage = client.get_stage(restApiId=api.id, stageName="dev")
    assert stage["deploymentId"] == second["id"]
    assert stage["variables"] == {"v": "2"}
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 5.0


def test_rollback_points_stage_at_earlier_deployment(client):
    api = _api_with_method(client)
    first = api.deploy("prod")
    second = api.deploy("prod")
    assert [d["id"] for d in api.deployments()][:2] == [second["id"], first["id"]]
    assert client.get_stage(restApiId=api.id, stageName="prod")["deploymentId"] == second["id"]
    api.rollback("prod", first["id"])
    assert client.get_stage(restApiId=api.id, stageName="prod")["deploymentId"] == first["id"]
    with pytest.raises(ValueError, match="deployment_id"):
        api.rollback("prod", "nope")


def test_set_stage_variables(client):
    api = _api_with_method(client)
    api.deploy("dev", variables={"a": "1", "b": "2"})
    api.set_stage_variables("dev", {"a": "10", "c": "3", "b": None})
    assert client.get_stage(restApiId=api.id, stageName="dev")["variables"] == {"a": "10", "c": "3"}


@pytest.mark.parametrize(
    "stage, variables, match",
    [
        ("my stage", None, "stageName"),
        ("x" * 129, None, "stageName"),
        ("dev", {"bad-name": "v"}, "variables"),
        ("dev", {"ok": "has space"}, "variables"),
        ("dev", {"ok": "x" * 513}, "variables"),
        ("dev", {"k" * 65: "v"}, "variables"),
        ("dev", {f"v{i}": "x" for i in range(101)}, "variables"),
    ],
)
def test_deploy_validates_stage_name_and_variables(client, stage, variables, match):
    api = _api_with_method(client)
    with pytest.raises(ValueError, match=match):
        api.deploy(stage, variables=variables)
    assert client.get_deployments(restApiId=api.id)["items"] == []


def test_export_and_import_through_apis(client):
    api = _api_with_method(client)
    doc = api.export_openapi("dev")
    assert doc["openapi"] == "3.0.1"
    assert doc["servers"][0]["variables"]["basePath"]["default"] == "dev"
    assert doc["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["type"] == "mock"
    copy = import_openapi(client, doc)
    assert copy.id != api.id
    assert copy.resources().keys() == api.resources().keys()


class RefusesRepeats:
    """An apigateway client with AWS's PutMethod rule: a second PutMethod for a method is refused (409
    "Method already exists for this resource", https://github.com/aws/aws-cli/issues/3992)."""

    class exceptions:
        class NotFoundException(Exception):
            pass

        class ConflictException(Exception):
            pass

    def __init__(self) -> None:
        self.methods: dict[tuple[str, str], dict] = {}

    def put_method(self, **kwargs):
        key = (kwargs["resourceId"], kwargs["httpMethod"])
        if key in self.methods:
            raise self.exceptions.ConflictException("Method already exists for this resource")
        self.methods[key] = kwargs

    def delete_method(self, restApiId, resourceId, httpMethod):
        if self.methods.pop((resourceId, httpMethod), None) is None:
            raise self.exceptions.NotFoundException("Invalid Method identifier specified")


def test_a_method_defined_again_replaces_the_first_where_aws_refuses_a_second_put_method():
    from labkit.apis import Resource

    client = RefusesRepeats()
    resource = Resource("res1", "/t", RestApi(client, "api1", "root"))
    resource.method("GET", api_key_required=True)
    resource.method("GET", api_key_required=False)  # the same cell run again
    assert client.methods[("res1", "GET")]["apiKeyRequired"] is False
    again = Resource("res1", "/t", RestApi(client, "api1", "root"), {"GET"})  # as api.resource("/t") finds it
    again.method("GET", api_key_required=True)
    assert client.methods[("res1", "GET")]["apiKeyRequired"] is True
