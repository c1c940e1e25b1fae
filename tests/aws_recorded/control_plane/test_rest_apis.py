"""CreateRestApi, GetRestApi(s), UpdateRestApi and DeleteRestApi against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayApiRestApi (each test names its test and key; the calls are in `test_apigateway_api.py`).
Placeholders of the recording (`<id:1>`, `<name:1>`, `<root-resource-id:1>`, dates) are not compared.

Shape tests use `plain`, a boto3 client on the lab's moto without the lab's ledger: a lab tags what it
creates (`labkit:lab`), and the recordings show `tags` only where the test set some.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from answers import refusal as refused

PLACEHOLDERS = ("ResponseMetadata", "id", "name", "createdDate", "rootResourceId")
EDGE_IPV4 = {"apiKeySource": "HEADER", "disableExecuteApiEndpoint": False,
             "endpointConfiguration": {"ipAddressType": "ipv4", "types": ["EDGE"]}}


@pytest.fixture
def plain(lab):
    """A boto3 API Gateway client on the lab's in-process moto, without the lab's tagging."""
    return boto3.client("apigateway", region_name=lab.region)


def shown(response: dict[str, Any]) -> dict[str, Any]:
    """The response without the recording's placeholders."""
    return {k: v for k, v in response.items() if k not in PLACEHOLDERS}


def _api(plain, **kwargs) -> str:
    return plain.create_rest_api(name="test-api", **kwargs)["id"]


# --- unknown id -----------------------------------------------------------------------------------------------

def test_an_unknown_api_id_is_named_with_the_account_on_every_operation(plain, lab):
    """test_update_rest_api_invalid_api_id "not-found-update-rest-api" (404, "Invalid API identifier specified
    111111111111:api_id"); the same wording for get (test_get_api_case_insensitive "get-api-upper-case")."""
    account = boto3.client("sts", region_name=lab.region).get_caller_identity()["Account"]
    expected = (404, "NotFoundException", f"Invalid API identifier specified {account}:api_id")
    assert refused(plain.update_rest_api, restApiId="api_id",
                   patchOperations=[{"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"}]) == expected
    assert refused(plain.get_rest_api, restApiId="api_id") == expected
    assert refused(plain.delete_rest_api, restApiId="api_id") == expected
    assert refused(plain.get_resources, restApiId="api_id") == expected


# --- create ---------------------------------------------------------------------------------------------------

def test_create_answers_201_with_only_the_fields_aws_shows(plain):
    """test_list_and_delete_apis "create-rest-api-1" (201) and test_create_rest_api_with_optional_params
    "create-only-name": no version, binaryMediaTypes, tags, policy or minimumCompressionSize."""
    created = plain.create_rest_api(name="only-name")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shown(created) == EDGE_IPV4
    described = plain.create_rest_api(name="described", description="this is my api")
    assert shown(described) == {**EDGE_IPV4, "description": "this is my api"}
    listed = [shown(item) for item in plain.get_rest_apis()["items"]]
    assert listed == [EDGE_IPV4, {**EDGE_IPV4, "description": "this is my api"}]  # "get-rest-api-before-delete"


def test_create_keeps_version_and_binary_media_types_and_omits_them_when_empty(plain):
    """test_create_rest_api_with_optional_params "create-with-version", "create-with-empty-binary-media";
    test_create_rest_api_with_binary_media_types "create-with-binary-media"."""
    assert shown(plain.create_rest_api(name="v", version="v1")) == {**EDGE_IPV4, "version": "v1"}
    assert shown(plain.create_rest_api(name="empty", binaryMediaTypes=[])) == EDGE_IPV4
    png = plain.create_rest_api(name="png", binaryMediaTypes=["image/png"])
    assert shown(png) == {**EDGE_IPV4, "binaryMediaTypes": ["image/png"]}


def test_get_shows_empty_tags_and_the_list_does_not(plain):
    """test_apigateway_import.snapshot.json::test_put_rest_api_mode_binary_media_types[merge] "create-rest-api"
    (no tags) and "get-rest-api" (tags {}); test_list_and_delete_apis "get-rest-api-before-delete" (no tags)."""
    api_id = _api(plain, binaryMediaTypes=["image/heif"])
    expected = {**EDGE_IPV4, "binaryMediaTypes": ["image/heif"]}
    assert shown(plain.get_rest_api(restApiId=api_id)) == {**expected, "tags": {}}
    assert [shown(item) for item in plain.get_rest_apis()["items"]] == [expected]


def test_create_with_tags_shows_them_on_create_get_and_list(plain):
    """test_create_rest_api_with_tags "create-rest-api-w-tags", "get-rest-api-w-tags", "get-rest-apis-w-tags"."""
    expected = {**EDGE_IPV4, "description": "this is my api", "tags": {"MY_TAG1": "MY_VALUE1"}}
    api_id = _api(plain, description="this is my api", tags={"MY_TAG1": "MY_VALUE1"})
    assert shown(plain.get_rest_api(restApiId=api_id)) == expected
    assert [shown(item) for item in plain.get_rest_apis()["items"]] == [expected]


def test_create_defaults_ip_address_type_by_endpoint_type(plain):
    """test_create_rest_api_verify_defaults "create-with-edge-default", "-regional-", "-private-", "-empty-"."""
    for types, ip in ((["EDGE"], "ipv4"), (["REGIONAL"], "ipv4"), (["PRIVATE"], "dualstack")):
        created = plain.create_rest_api(name="t", endpointConfiguration={"types": types})
        assert shown(created) == {**EDGE_IPV4, "endpointConfiguration": {"ipAddressType": ip, "types": types}}
    given = plain.create_rest_api(name="t", endpointConfiguration={"types": ["EDGE"], "ipAddressType": "dualstack"})
    assert given["endpointConfiguration"] == {"ipAddressType": "dualstack", "types": ["EDGE"]}


TYPES_ENUM = ("Value '[wrong]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: "
              "Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]")
IP_ENUM = ("Value 'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: "
           "Member must satisfy enum value set: [ipv4, dualstack]")


@pytest.mark.parametrize(("kwargs", "expected"), [
    # test_create_rest_api_with_endpoint_configuration
    ({"endpointConfiguration": {"types": []}},
     (400, "BadRequestException", "REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")),
    ({"endpointConfiguration": {"ipAddressType": "wrong", "types": ["EDGE"]}},
     (400, "ValidationException", f"1 validation error detected: {IP_ENUM}")),
    ({"endpointConfiguration": {"ipAddressType": "ipv4", "types": ["wrong"]}},
     (400, "ValidationException", f"1 validation error detected: {TYPES_ENUM}")),
    ({"endpointConfiguration": {"ipAddressType": "wrong", "types": ["wrong"]}},
     (400, "ValidationException", f"2 validation errors detected: {TYPES_ENUM}; {IP_ENUM}")),
    ({"endpointConfiguration": {"types": ["wrong"], "ipAddressType": "wrong"}},
     (400, "ValidationException", f"2 validation errors detected: {TYPES_ENUM}; {IP_ENUM}")),
    ({"description": "", "minimumCompressionSize": -1,
      "endpointConfiguration": {"ipAddressType": "wrong", "types": ["wrong"]}},
     (400, "ValidationException", f"2 validation errors detected: {TYPES_ENUM}; {IP_ENUM}")),  # "-multiple-errors-1"
    ({"description": "", "minimumCompressionSize": -1, "endpointConfiguration": {"ipAddressType": "ipv4", "types": ["EDGE"]}},
     (400, "BadRequestException", "Description cannot be an empty string")),  # "create-with-multiple-errors-2"
    ({"endpointConfiguration": {"types": ["EDGE", "REGIONAL"]}},
     (400, "BadRequestException", "Cannot create an api with multiple Endpoint Types.")),
    # test_create_rest_api_private_type
    ({"endpointConfiguration": {"ipAddressType": "ipv4", "types": ["PRIVATE"]}},
     (400, "BadRequestException", "Only dualstack ipAddressType is supported for Private APIs.")),
    ({"endpointConfiguration": {"ipAddressType": "wrong", "types": ["PRIVATE"]}},
     (400, "ValidationException", f"1 validation error detected: {IP_ENUM}")),
    ({"description": "", "endpointConfiguration": {"ipAddressType": "ipv4", "types": ["PRIVATE"]}},
     (400, "BadRequestException", "Description cannot be an empty string")),
    # test_create_rest_api_verify_defaults "create-with-empty-ip-address-type-and-wrong-type"
    ({"description": "", "endpointConfiguration": {"types": ["wrong"]}},
     (400, "ValidationException", f"1 validation error detected: {TYPES_ENUM}")),
    # test_create_rest_api_with_optional_params "create-empty-desc", "string-compression-size"
    ({"description": ""}, (400, "BadRequestException", "Description cannot be an empty string")),
    ({"minimumCompressionSize": -1},
     (400, "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760")),
])
def test_create_refuses_as_aws_does_in_aws_order(plain, kwargs, expected):
    assert refused(plain.create_rest_api, name="refused", **kwargs) == expected
    assert plain.get_rest_apis()["items"] == []


# --- update ---------------------------------------------------------------------------------------------------

def test_binary_media_types_are_added_replaced_and_removed_by_their_escaped_path(plain):
    """test_update_rest_api_operation_add_remove "update-rest-api-add", "-replace", "-remove"."""
    api_id = _api(plain, description="this is my api")
    added = plain.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png"}, {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"}])
    assert shown(added) == {**EDGE_IPV4, "description": "this is my api", "binaryMediaTypes": ["image/png", "image/jpeg"],
                            "tags": {}}
    replaced = plain.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/binaryMediaTypes/image~1png", "value": "image/gif"}])
    assert replaced["binaryMediaTypes"] == ["image/jpeg", "image/gif"]
    removed = plain.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "remove", "path": "/binaryMediaTypes/image~1gif"}, {"op": "remove", "path": "/description"}])
    assert shown(removed) == {**EDGE_IPV4, "binaryMediaTypes": ["image/jpeg"], "tags": {}}


def test_binary_media_types_path_names_the_type_and_the_bare_path_is_refused(plain):
    """test_update_rest_api_behaviour "update-rest-api-array" (adds "-") and "update-rest-api-add-base-path",
    "-replace-base-path", "-remove-base-path"."""
    api_id = _api(plain, description="this is my api")
    array = plain.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/-", "value": "image/png"}])
    assert array["binaryMediaTypes"] == ["-"]
    for op in ({"op": "add", "value": "image/gif"}, {"op": "replace", "value": "image/gif"}, {"op": "remove"}):
        assert refused(plain.update_rest_api, restApiId=api_id,
                       patchOperations=[{**op, "path": "/binaryMediaTypes"}]) == (
            400, "BadRequestException", "Invalid patch path /binaryMediaTypes")


COMPRESSION = (400, "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760")


def test_minimum_compression_size_is_replaced_cleared_and_range_checked(plain):
    """test_update_rest_api_compression "enable-compression", "disable-compression", "set-compression-zero",
    "set-negative-compression", "set-string-compression", "unsupported-operation"."""
    api_id = _api(plain, description="this is my api")

    def replace(value: str) -> dict[str, Any]:
        return plain.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/minimumCompressionSize", "value": value}])

    assert shown(replace("10")) == {**EDGE_IPV4, "description": "this is my api", "minimumCompressionSize": 10, "tags": {}}
    assert "minimumCompressionSize" not in replace("")
    assert replace("0")["minimumCompressionSize"] == 0
    for value in ("-1", "test"):
        assert refused(plain.update_rest_api, restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/minimumCompressionSize", "value": value}]) == COMPRESSION
    assert refused(plain.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/minimumCompressionSize", "value": "10"}]) == (
        400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]")
    assert plain.get_rest_api(restApiId=api_id)["minimumCompressionSize"] == 0


def test_ops_outside_json_patch_are_listed_in_one_validation_error(plain):
    """test_update_rest_api_concatenation_of_errors "update-rest-api-wrong-operations-on-type-and-on-ip-address-type"."""
    api_id = _api(plain)
    operations = [{"op": "wrong", "path": "/endpointConfiguration/ipAddressType", "value": "dualstack"},
                  {"op": "wrong", "path": "/endpointConfiguration/types/0", "value": "EDGE"},
                  {"op": "wrong", "path": "/binaryMediaTypes", "value": "image/gif"}]
    detail = ("Value 'wrong' at 'updateRestApiInput.patchOperations.{}.member.op' failed to satisfy constraint: "
              "Member must satisfy enum value set: [add, remove, move, test, replace, copy]")
    assert refused(plain.update_rest_api, restApiId=api_id, patchOperations=operations) == (
        400, "ValidationException", "3 validation errors detected: " + "; ".join(detail.format(n) for n in (1, 2, 3)))


def test_endpoint_type_and_ip_address_type_updates(plain):
    """test_update_rest_api_ip_address_type: every key, in the recorded order."""
    api_id = _api(plain)

    def update(*operations: dict[str, str]) -> Any:
        return plain.update_rest_api(restApiId=api_id, patchOperations=list(operations))

    def refusal(*operations: dict[str, str]) -> tuple[int, str, str]:
        return refused(plain.update_rest_api, restApiId=api_id, patchOperations=list(operations))

    private = update(*[{"op": "replace", "path": "/endpointConfiguration/types/0", "value": t}
                       for t in ("EDGE", "REGIONAL", "PRIVATE")])
    assert shown(private) == {**EDGE_IPV4, "endpointConfiguration": {"ipAddressType": "dualstack", "types": ["PRIVATE"]},
                              "tags": {}}  # "update-rest-api-replace-type"
    ip_path = "/endpointConfiguration/ipAddressType"
    assert refusal({"op": "replace", "path": ip_path, "value": "ipv4"}) == (
        400, "BadRequestException", "Only dualstack ipAddressType is supported for Private APIs.")
    assert refusal({"op": "replace", "path": ip_path, "value": "wrong"}) == (
        400, "BadRequestException", "ipAddressType must be either ipv4 or dualstack.")
    assert refusal({"op": "replace", "path": "/endpointConfiguration/types/0", "value": "wrong"}) == (
        400, "BadRequestException", "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE")
    assert refusal({"op": "remove", "path": ip_path, "value": "dualstack"}) == (
        400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]")
    assert refusal({"op": "remove", "path": "/endpointConfiguration/types/0", "value": "EDGE"}) == (
        400, "BadRequestException", "Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
    again = update({"op": "replace", "path": ip_path, "value": "dualstack"})
    assert again["endpointConfiguration"] == {"ipAddressType": "dualstack", "types": ["PRIVATE"]}


def test_a_refused_update_changes_nothing(plain):
    """All or nothing: the refusal ("set-negative-compression") comes after an accepted operation in one call."""
    api_id = _api(plain, description="before")
    assert refused(plain.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/description", "value": "after"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "-1"}]) == COMPRESSION
    assert plain.get_rest_api(restApiId=api_id)["description"] == "before"


def test_disable_execute_api_endpoint_reads_the_string_value(plain):
    """The patch value is a string: "false" turns it off (https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateRestApi.html)."""
    api_id = _api(plain)
    path = "/disableExecuteApiEndpoint"
    on = plain.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": path, "value": "True"}])
    assert on["disableExecuteApiEndpoint"] is True
    off = plain.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": path, "value": "false"}])
    assert off["disableExecuteApiEndpoint"] is False


# --- delete ---------------------------------------------------------------------------------------------------

def test_delete_answers_202_and_the_api_leaves_the_list(plain):
    """test_list_and_delete_apis "delete-rest-api" (202) and "get-rest-api-after-delete"."""
    first, second = _api(plain, description="this is my api"), _api(plain, description="this is my api2")
    assert plain.delete_rest_api(restApiId=first)["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert [item["id"] for item in plain.get_rest_apis()["items"]] == [second]


# --- import and put -------------------------------------------------------------------------------------------

# The Swagger 2.0 document of test_apigateway_import.py (tests/aws/files/pets.json), cut to what the kit reads.
PETS = {
    "swagger": "2.0",
    "info": {"title": "Simple PetStore (Swagger)", "version": "1.0.0"},
    "x-amazon-apigateway-binary-media-types": ["image/png", "image/jpg"],
    "paths": {
        "/pets": {"get": {
            "responses": {"200": {"description": "200 response"}},
            "x-amazon-apigateway-integration": {
                "responses": {"default": {"statusCode": "200"}}, "type": "http", "httpMethod": "GET",
                "uri": "http://petstore-demo-endpoint.execute-api.com/petstore/pets", "passthroughBehavior": "when_no_match"},
        }},
        "/pets/{petId}": {"get": {"responses": {"200": {"description": "200 response"}}}},
    },
}


@pytest.mark.parametrize(("mode", "types"), [("merge", ["image/heif", "image/png", "image/jpg"]),
                                             ("overwrite", ["image/png", "image/jpg"])])
def test_put_swagger_sets_name_version_and_binary_media_types(plain, mode, types):
    """test_apigateway_import.snapshot.json::test_put_rest_api_mode_binary_media_types[merge|overwrite] "put-api":
    a Swagger 2.0 body is accepted, binary media types merged or replaced, the root resource kept. What overwrite
    does to other resources: https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html (mode)."""
    created = plain.create_rest_api(name="put", binaryMediaTypes=["image/heif"])
    plain.create_resource(restApiId=created["id"], parentId=created["rootResourceId"], pathPart="old")
    put = plain.put_rest_api(restApiId=created["id"], body=json.dumps(PETS).encode(), mode=mode)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["name"] == "Simple PetStore (Swagger)" and put["rootResourceId"] == created["rootResourceId"]
    assert shown(put) == {**EDGE_IPV4, "binaryMediaTypes": types, "tags": {}, "version": "1.0.0"}
    plain.put_rest_api(restApiId=created["id"], body=json.dumps(PETS).encode(), mode=mode)  # twice: no duplicate
    items = plain.get_resources(restApiId=created["id"])["items"]
    kept = ["/old"] if mode == "merge" else []  # overwrite: only the document's resources (and the root) remain
    assert sorted(item["path"] for item in items) == sorted(["/", "/pets", "/pets/{petId}", *kept])
    pets = next(item["id"] for item in items if item["path"] == "/pets")
    integration = plain.get_integration(restApiId=created["id"], resourceId=pets, httpMethod="GET")
    assert integration["type"] == "HTTP" and integration["integrationResponses"]["200"]["statusCode"] == "200"


def test_import_swagger_answers_201_with_the_document_fields(plain):
    """test_apigateway_import.snapshot.json::test_import_rest_api "import_rest_api" (201, version from info)."""
    imported = plain.import_rest_api(body=json.dumps(PETS).encode())
    assert imported["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shown(imported) == {**EDGE_IPV4, "binaryMediaTypes": ["image/png", "image/jpg"], "version": "1.0.0"}
    assert imported["name"] == "Simple PetStore (Swagger)"


BAD_YAML = 'test:\n    value:\n        - "value ... "escaped": $var, "dt": $(var +"%a")}"\n        '  # as the recording sent it
BAD_JSON = "{'key:value}"


@pytest.mark.parametrize("body", [BAD_YAML, BAD_JSON])
def test_a_body_that_is_not_json_or_yaml_is_invalid_openapi_input(plain, body):
    """test_apigateway_import.snapshot.json::test_import_api_bad_file: import and put (on an unknown id) alike."""
    expected = (400, "BadRequestException", "Invalid OpenAPI input.")
    assert refused(plain.import_rest_api, body=body.encode()) == expected
    assert refused(plain.put_rest_api, restApiId="unknown1", body=body.encode()) == expected
    assert plain.get_rest_apis()["items"] == []
