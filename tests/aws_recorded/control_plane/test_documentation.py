"""Documentation parts and versions against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayApiDocumentationPart (each test names its key; the calls are in test_apigateway_api.py).
"""

from __future__ import annotations

import json

import pytest
from answers import refusal as _error

# A trimmed copy of the recording's OpenAPI file (tests/aws/files/oas30_documentation_parts.json): its
# x-amazon-apigateway-documentation block is what ImportDocumentationParts reads.
DOC_PARTS = [
    {"location": {"type": "API"}, "properties": {
        "description": "API description",
        "info": {"description": "API info description 4", "version": "API info version 3"}}},
    {"location": {"type": "METHOD", "method": "GET"}, "properties": {"description": "Method description."}},
    {"location": {"type": "MODEL", "name": "Empty"}, "properties": {"title": "Empty Schema"}},
    {"location": {"type": "RESPONSE", "method": "GET", "statusCode": "200"},
     "properties": {"description": "200 response"}},
]
OPENAPI = {"openapi": "3.0.1", "info": {"title": "doc-parts", "version": "1"}, "paths": {},
           "x-amazon-apigateway-documentation": {"version": "1.0.3", "documentationParts": DOC_PARTS}}
PROPS = '{ "description": "Sample API description" }'


def _api(client) -> str:
    return client.create_rest_api(name="docs", description="this is my api")["id"]


def test_documentation_part_lifecycle(lab):
    """Keys create-documentation-part ... delete_documentation_part (test_documentation_part_lifecycle)."""
    c = lab.client("apigateway")
    api = _api(c)
    created = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    part = {"id": created["id"], "location": {"type": "API"}, "properties": PROPS}
    assert {k: created[k] for k in ("id", "location", "properties")} == part
    got = c.get_documentation_part(restApiId=api, documentationPartId=part["id"])
    assert (got["ResponseMetadata"]["HTTPStatusCode"], {k: got[k] for k in part}) == (200, part)
    assert c.get_documentation_parts(restApiId=api)["items"] == [part]

    updated_props = '{ "description": "Updated Sample API description" }'
    updated = c.update_documentation_part(restApiId=api, documentationPartId=part["id"], patchOperations=[
        {"op": "replace", "path": "/properties", "value": updated_props}])
    assert (updated["ResponseMetadata"]["HTTPStatusCode"], updated["properties"]) == (200, updated_props)
    assert c.get_documentation_part(restApiId=api, documentationPartId=part["id"])["properties"] == updated_props
    deleted = c.delete_documentation_part(restApiId=api, documentationPartId=part["id"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert c.get_documentation_parts(restApiId=api)["items"] == []


def test_doc_parts_on_an_unknown_api_name_the_account_and_api(lab):
    """Keys wrong-rest-api-id-create-doc-part, wrong-rest-api-id-get-doc-parts (test_doc_parts_crud_no_api),
    get-inavlid-documentation-parts, create_documentation_part_invalid_api_id,
    delete_documentation_part_wrong_api_id."""
    c = lab.client("apigateway")
    api = _api(c)
    part_id = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)["id"]
    expected = (404, "NotFoundException", f"Invalid API identifier specified {lab.account_id}:test-fake-rest-id")
    assert _error(lambda: c.create_documentation_part(
        restApiId="test-fake-rest-id", location={"type": "API"}, properties=PROPS)) == expected
    assert _error(lambda: c.get_documentation_parts(restApiId="test-fake-rest-id")) == expected
    assert _error(lambda: c.delete_documentation_part(restApiId="test-fake-rest-id", documentationPartId=part_id)) \
        == expected


def test_get_and_update_of_an_unknown_part_name_the_part(lab):
    """Keys get-documentation-part-invalid-api-id, get-documentation-part-invalid-doc-id
    (test_invalid_get_documentation_part), update-documentation-part-invalid-api-id, and
    delete_already_deleted_documentation_part (test_invalid_delete_documentation_part)."""
    c = lab.client("apigateway")
    api = _api(c)
    part_id = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)["id"]
    expected = (404, "NotFoundException", "Invalid Documentation part identifier specified")
    assert _error(lambda: c.get_documentation_part(restApiId="api_id", documentationPartId=part_id)) == expected
    assert _error(lambda: c.get_documentation_part(restApiId=api, documentationPartId="documentation_part_id")) \
        == expected
    assert _error(lambda: c.update_documentation_part(restApiId="api_id", documentationPartId=part_id,
                                                      patchOperations=[{"op": "replace", "path": "/properties",
                                                                        "value": PROPS}])) == expected
    c.delete_documentation_part(restApiId=api, documentationPartId=part_id)
    assert _error(lambda: c.delete_documentation_part(restApiId=api, documentationPartId=part_id)) == expected


def test_update_accepts_only_replace_properties(lab):
    """Keys update-documentation-part-invalid-add-operation, update-documentation-part-invalid-path."""
    c = lab.client("apigateway")
    api = _api(c)
    part_id = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)["id"]

    def update(op, path):
        return lambda: c.update_documentation_part(restApiId=api, documentationPartId=part_id,
                                                   patchOperations=[{"op": op, "path": path, "value": PROPS}])

    assert _error(update("add", "/properties")) == (400, "BadRequestException", (
        "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations"))
    assert _error(update("replace", "/invalidPath")) == (400, "BadRequestException", (
        "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/properties]"))


def test_an_unknown_location_type_is_a_validation_error(lab):
    """Key create_documentation_part_invalid_location_type (test_invalid_create_documentation_part_operations)."""
    c = lab.client("apigateway")
    api = _api(c)
    assert _error(lambda: c.create_documentation_part(
        restApiId=api, location={"type": "INVALID"}, properties=PROPS)) == (400, "ValidationException", (
            "1 validation error detected: Value 'INVALID' at 'createDocumentationPartInput.location.type' failed to "
            "satisfy constraint: Member must satisfy enum value set: [RESPONSE_BODY, RESPONSE, METHOD, MODEL, "
            "AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, "
            "REQUEST_HEADER]"))


def test_import_documentation_parts(lab):
    """Keys import-documentation-parts, get-documentations-parts-after-import (test_import_documentation_parts):
    new ids in file order, locations as AWS answers them (path "/" for METHOD and RESPONSE, per the
    test's FIXME), properties as JSON strings."""
    c = lab.client("apigateway")
    api = _api(c)
    c.create_documentation_part(restApiId=api, location={"type": "RESOURCE", "path": "/old"}, properties="{}")
    imported = c.import_documentation_parts(restApiId=api, mode="overwrite", body=json.dumps(OPENAPI).encode())
    assert imported["ResponseMetadata"]["HTTPStatusCode"] == 200
    items = c.get_documentation_parts(restApiId=api)["items"]
    assert [i["id"] for i in items] == imported["ids"]
    assert [i["location"] for i in items] == [
        {"type": "API"}, {"method": "GET", "path": "/", "type": "METHOD"}, {"name": "Empty", "type": "MODEL"},
        {"method": "GET", "path": "/", "statusCode": "200", "type": "RESPONSE"}]
    assert all(isinstance(i["properties"], str) for i in items)
    assert [json.loads(i["properties"]) for i in items] == [p["properties"] for p in DOC_PARTS]


@pytest.mark.parametrize("body", [
    'test:\n    value:\n        - "value ... \\"escaped\\": $var, \\"dt\\": $(var +"%a")}\\"\n        ',
    "{'key:value}",
], ids=["bad-yaml", "bad-json"])
def test_import_of_an_unreadable_file_is_refused(lab, body):
    """Keys import-documentation-parts-bad-yaml-file, import-documentation-parts-bad-json-file."""
    c = lab.client("apigateway")
    api = _api(c)
    assert _error(lambda: c.import_documentation_parts(restApiId=api, mode="overwrite", body=body.encode())) == (
        400, "BadRequestException", "Unable to build importer with provided input.")


def test_documentation_version_lifecycle(lab):
    """Create (201) / Get / GetAll / Update / Delete (202) as the API reference documents
    (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDocumentationVersion.html, no recording)."""
    c = lab.client("apigateway")
    api = _api(c)
    created = c.create_documentation_version(restApiId=api, documentationVersion="1.0", description="first")
    assert (created["ResponseMetadata"]["HTTPStatusCode"], created["version"], created["description"]) == (
        201, "1.0", "first")
    assert "createdDate" in created
    updated = c.update_documentation_version(restApiId=api, documentationVersion="1.0", patchOperations=[
        {"op": "replace", "path": "/description", "value": "second"}])
    assert updated["description"] == "second"
    assert c.get_documentation_version(restApiId=api, documentationVersion="1.0")["description"] == "second"
    assert [v["version"] for v in c.get_documentation_versions(restApiId=api)["items"]] == ["1.0"]
    assert c.delete_documentation_version(restApiId=api, documentationVersion="1.0")[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    status, code, _ = _error(lambda: c.get_documentation_version(restApiId=api, documentationVersion="1.0"))
    assert (status, code) == (404, "NotFoundException")
