"""Documentation parts and versions against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayApiDocumentationPart, and `test_apigateway_common.snapshot.json`, class TestDocumentations
(each test names its test and keys; the calls are in test_apigateway_api.py / test_apigateway_common.py).
"""

from __future__ import annotations

import datetime as _dt
import json

import pytest
from answers import body, refusal as _error

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


def test_invalid_get_documentation_parts(lab):
    """TestApiGatewayApiDocumentationPart::test_invalid_get_documentation_parts, key
    get-inavlid-documentation-parts: the unknown API is named with the account."""
    c = lab.client("apigateway")
    assert _error(lambda: c.get_documentation_parts(restApiId="api_id")) == (
        404, "NotFoundException", f"Invalid API identifier specified {lab.account_id}:api_id")


def test_get_and_delete_of_an_unknown_part_name_the_part(lab):
    """Keys get-documentation-part-invalid-api-id, get-documentation-part-invalid-doc-id
    (test_invalid_get_documentation_part) and delete_already_deleted_documentation_part
    (test_invalid_delete_documentation_part)."""
    c = lab.client("apigateway")
    api = _api(c)
    part_id = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)["id"]
    expected = (404, "NotFoundException", "Invalid Documentation part identifier specified")
    assert _error(lambda: c.get_documentation_part(restApiId="api_id", documentationPartId=part_id)) == expected
    assert _error(lambda: c.get_documentation_part(restApiId=api, documentationPartId="documentation_part_id")) \
        == expected
    c.delete_documentation_part(restApiId=api, documentationPartId=part_id)
    assert _error(lambda: c.delete_documentation_part(restApiId=api, documentationPartId=part_id)) == expected


def test_invalid_update_documentation_part(lab):
    """TestApiGatewayApiDocumentationPart::test_invalid_update_documentation_part, keys
    update-documentation-part-invalid-api-id (an unknown API names the part), update-documentation-part-invalid-
    add-operation, update-documentation-part-invalid-path (only `replace /properties`); the part is unchanged."""
    c = lab.client("apigateway")
    api = _api(c)
    part_id = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=PROPS)["id"]
    new_props = '{ "description": "Updated Sample API description" }'

    def update(op, path, api_id=api):
        return lambda: c.update_documentation_part(restApiId=api_id, documentationPartId=part_id,
                                                   patchOperations=[{"op": op, "path": path, "value": new_props}])

    assert _error(update("replace", "/properties", api_id="api_id")) == (
        404, "NotFoundException", "Invalid Documentation part identifier specified")
    assert _error(update("add", "/properties")) == (400, "BadRequestException", (
        "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations"))
    assert _error(update("replace", "/invalidPath")) == (400, "BadRequestException", (
        "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/properties]"))
    assert c.get_documentation_part(restApiId=api, documentationPartId=part_id)["properties"] == PROPS


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


@pytest.mark.parametrize("text", [
    'test:\n    value:\n        - "value ... \\"escaped\\": $var, \\"dt\\": $(var +"%a")}\\"\n        ',
    "{'key:value}",
], ids=["bad-yaml", "bad-json"])
def test_import_documentation_parts_bad_file(lab, text):
    """TestApiGatewayApiDocumentationPart::test_import_documentation_parts_bad_file, keys
    import-documentation-parts-bad-yaml-file, import-documentation-parts-bad-json-file; nothing is imported."""
    c = lab.client("apigateway")
    api = _api(c)
    assert _error(lambda: c.import_documentation_parts(restApiId=api, mode="overwrite", body=text.encode())) == (
        400, "BadRequestException", "Unable to build importer with provided input.")
    assert c.get_documentation_parts(restApiId=api)["items"] == []


def test_documentation_parts_and_versions(lab):
    """test_apigateway_common.snapshot.json, TestDocumentations::test_documentation_parts_and_versions, keys
    create-part-response (201), get-parts-response, create-version-response (201: version and createdDate, no
    description), update-version-response and get-version-response (the new description)."""
    c = lab.client("apigateway")
    api = _api(c)
    props = json.dumps({"foo": "bar"})
    created = c.create_documentation_part(restApiId=api, location={"type": "API"}, properties=props)
    part = {"id": created["id"], "location": {"type": "API"}, "properties": props}
    assert (created["ResponseMetadata"]["HTTPStatusCode"], body(created)) == (201, part)
    parts = c.get_documentation_parts(restApiId=api)
    assert (parts["ResponseMetadata"]["HTTPStatusCode"], body(parts)) == (200, {"items": [part]})

    version = c.create_documentation_version(restApiId=api, documentationVersion="v123")
    assert version["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert isinstance(version["createdDate"], _dt.datetime)
    shown = {"createdDate": version["createdDate"], "version": "v123"}
    assert body(version) == shown
    updated = c.update_documentation_version(restApiId=api, documentationVersion="v123", patchOperations=[
        {"op": "replace", "path": "/description", "value": "doc version new"}])
    assert (updated["ResponseMetadata"]["HTTPStatusCode"], body(updated)) == (
        200, {**shown, "description": "doc version new"})
    got = c.get_documentation_version(restApiId=api, documentationVersion="v123")
    assert (got["ResponseMetadata"]["HTTPStatusCode"], body(got)) == (200, {**shown, "description": "doc version new"})


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
