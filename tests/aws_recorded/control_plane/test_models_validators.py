"""Models and request validators on the control plane against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
classes TestApiGatewayApiModels and TestApiGatewayApiRequestValidator, and TestApiGatewayApiMethod::
test_put_method_model (each test names its key; the calls are in `test_apigateway_api.py`).
"""

from __future__ import annotations

import json

import pytest
from answers import refusal as refused, body as shape

SCHEMA = json.dumps({"title": "MySchema", "type": "object"})


@pytest.fixture
def apigw(lab):
    return lab.client("apigateway")


@pytest.fixture
def api_id(apigw):
    return apigw.create_rest_api(name="models", description="testing resource model lifecycle")["id"]


# --- models ---------------------------------------------------------------------------------------------


def test_a_new_api_has_the_empty_and_error_models(apigw, api_id):
    # test_model_lifecycle: get-models (the recording parses the schema strings)
    items = {m["name"]: m for m in apigw.get_models(restApiId=api_id)["items"]}
    assert set(items) == {"Empty", "Error"}
    assert {k: v for k, v in items["Empty"].items() if k not in ("id", "schema")} == {
        "contentType": "application/json", "description": "This is a default empty schema model", "name": "Empty"}
    assert json.loads(items["Empty"]["schema"]) == {
        "$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}
    assert {k: v for k, v in items["Error"].items() if k not in ("id", "schema")} == {
        "contentType": "application/json", "description": "This is a default error schema model", "name": "Error"}
    assert json.loads(items["Error"]["schema"]) == {
        "$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object",
        "properties": {"message": {"type": "string"}}}


def test_model_lifecycle(apigw, api_id):
    # test_model_lifecycle: create-model, get-model, del-model
    created = apigw.create_model(restApiId=api_id, name="CalcOutput", contentType="application/json",
                                 description="Calc output model", schema=SCHEMA)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert {k: v for k, v in shape(created).items() if k != "id"} == {
        "contentType": "application/json", "description": "Calc output model", "name": "CalcOutput",
        "schema": SCHEMA}
    assert shape(apigw.get_model(restApiId=api_id, modelName="CalcOutput")) == shape(created)
    deleted = apigw.delete_model(restApiId=api_id, modelName="CalcOutput")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_model_calls_on_an_unknown_api(apigw):
    # test_model_validation: create-model-wrong-id, get-models-wrong-id, get-model-wrong-id, del-model-wrong-id
    missing_api = (404, "NotFoundException", "Invalid API identifier specified 123456789012:abcde0")
    assert refused(apigw.create_model, restApiId="abcde0", name="MySchema", contentType="application/json",
                   schema=SCHEMA) == missing_api
    assert refused(apigw.get_models, restApiId="abcde0") == missing_api
    missing_model = (404, "NotFoundException", "Invalid model name specified: MySchema")
    assert refused(apigw.get_model, restApiId="abcde0", modelName="MySchema") == missing_model
    assert refused(apigw.delete_model, restApiId="abcde0", modelName="MySchema") == missing_model


def test_create_model_refuses_what_aws_refuses(apigw, api_id):
    # test_model_validation: create-model-already-exists, -empty-name, -empty-schema, -no-schema-json, -no-schema-xml
    created = apigw.create_model(restApiId=api_id, name="MySchema", contentType="application/json",
                                 description="", schema=SCHEMA)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert refused(apigw.create_model, restApiId=api_id, name="MySchema", contentType="application/json",
                   description="", schema=SCHEMA) == (
        409, "ConflictException", "Model name already exists for this REST API")
    assert refused(apigw.create_model, restApiId=api_id, name="", contentType="application/json",
                   schema=SCHEMA) == (400, "BadRequestException", "Model name must be non-empty")
    no_schema = (400, "BadRequestException", "Model schema must have at least 1 property or array items defined")
    assert refused(apigw.create_model, restApiId=api_id, name="MyEmptySchema", contentType="application/json",
                   schema="") == no_schema
    assert refused(apigw.create_model, restApiId=api_id, name="MyEmptySchema",
                   contentType="application/json") == no_schema
    assert refused(apigw.create_model, restApiId=api_id, name="MyEmptySchemaXml",
                   contentType="application/xml") == no_schema


def test_update_model(apigw, api_id):
    # test_update_model: update-model-wrong-id, create-model, update-model (an empty description removes it)
    updated_schema = json.dumps({"title": "Updated schema", "type": "object"})
    operations = [{"op": "replace", "path": "/schema", "value": updated_schema},
                  {"op": "replace", "path": "/description", "value": ""}]
    assert refused(apigw.update_model, restApiId="abcde0", modelName="mySchema", patchOperations=operations) == (
        404, "NotFoundException", "Invalid model name specified: mySchema")
    apigw.create_model(restApiId=api_id, name="MySchema", contentType="application/json", description="about",
                       schema=SCHEMA)
    updated = apigw.update_model(restApiId=api_id, modelName="MySchema", patchOperations=operations)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert {k: v for k, v in shape(updated).items() if k != "id"} == {
        "contentType": "application/json", "name": "MySchema", "schema": updated_schema}
    assert shape(apigw.get_model(restApiId=api_id, modelName="MySchema")) == shape(updated)


@pytest.mark.parametrize("operation, message", [
    ({"op": "add", "path": "/wrong-path", "value": "not supported op"},  # update-model-invalid-op
     "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations"),
    ({"op": "replace", "path": "/name", "value": "invalid"},  # update-model-invalid-path
     "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]"),
    ({"op": "replace", "path": "/schema", "value": ""},  # update-model-empty-schema
     "Model schema must have at least 1 property or array items defined"),
])
def test_update_model_refuses_what_aws_refuses(apigw, api_id, operation, message):
    # test_update_model: the key beside each case; the model is unchanged
    apigw.create_model(restApiId=api_id, name="MySchema", contentType="application/json", schema=SCHEMA)
    assert refused(apigw.update_model, restApiId=api_id, modelName="MySchema",
                   patchOperations=[{"op": "replace", "path": "/description", "value": "kept?"}, operation]) == (
        400, "BadRequestException", message)
    assert "description" not in apigw.get_model(restApiId=api_id, modelName="MySchema")


def test_a_model_a_method_request_uses_cannot_be_deleted(apigw, api_id):
    # test_put_method_model: delete-model-used ('//ANY' on the root), delete-model-used-by-2-method ('/test/ANY')
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    child = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="test")["id"]
    apigw.create_model(restApiId=api_id, name="MySchema", contentType="application/json", schema=SCHEMA)
    apigw.create_model(restApiId=api_id, name="MySchemaTwo", contentType="application/json", schema=SCHEMA)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                     requestModels={"application/json": "MySchema"})
    apigw.put_method(restApiId=api_id, resourceId=child, httpMethod="ANY", authorizationType="NONE",
                     requestModels={"application/json": "MySchemaTwo"})
    assert refused(apigw.delete_model, restApiId=api_id, modelName="MySchema") == (
        409, "ConflictException", "Cannot delete model 'MySchema', is referenced in method request: //ANY")
    assert refused(apigw.delete_model, restApiId=api_id, modelName="MySchemaTwo") == (
        409, "ConflictException", "Cannot delete model 'MySchemaTwo', is referenced in method request: /test/ANY")
    apigw.delete_method(restApiId=api_id, resourceId=child, httpMethod="ANY")
    # delete-method-using-model-2 then the model goes
    assert apigw.delete_model(restApiId=api_id, modelName="MySchemaTwo")["ResponseMetadata"]["HTTPStatusCode"] == 202


# --- request validators ---------------------------------------------------------------------------------


def test_request_validator_lifecycle(apigw, api_id):
    # test_request_validator_lifecycle: create-request-validator ... get-request-validators-after-delete
    created = apigw.create_request_validator(restApiId=api_id, name="test-validator")
    validator_id = created["id"]
    expected = {"id": validator_id, "name": "test-validator", "validateRequestBody": False,
                "validateRequestParameters": False}
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shape(created) == expected
    assert shape(apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator_id)) == expected
    assert apigw.get_request_validators(restApiId=api_id)["items"] == [expected]
    with_value = apigw.update_request_validator(restApiId=api_id, requestValidatorId=validator_id, patchOperations=[
        {"op": "replace", "path": "/validateRequestBody", "value": "true"}])
    assert shape(with_value) == {**expected, "validateRequestBody": True}
    without_value = apigw.update_request_validator(restApiId=api_id, requestValidatorId=validator_id,
                                                   patchOperations=[{"op": "replace", "path": "/validateRequestBody"}])
    assert shape(without_value) == expected
    assert shape(apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator_id)) == expected
    deleted = apigw.delete_request_validator(restApiId=api_id, requestValidatorId=validator_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert refused(apigw.get_request_validator, restApiId=api_id, requestValidatorId=validator_id) == (
        404, "NotFoundException", "Invalid Request Validator identifier specified")
    assert apigw.get_request_validators(restApiId=api_id)["items"] == []


@pytest.mark.parametrize("call", ["get_request_validator", "delete_request_validator"])
def test_an_unknown_validator_or_api_answers_404(apigw, api_id, call):
    # test_invalid_get_request_validator, test_invalid_delete_request_validator: *-invalid-api-id, *-invalid-validator-id
    validator_id = apigw.create_request_validator(restApiId=api_id, name="v")["id"]
    missing = (404, "NotFoundException", "Invalid Request Validator identifier specified")
    assert refused(getattr(apigw, call), restApiId="api_id", requestValidatorId=validator_id) == missing
    assert refused(getattr(apigw, call), restApiId=api_id, requestValidatorId="validator_id") == missing


def test_validator_calls_on_an_unknown_api(apigw):
    # test_validators_crud_no_api, test_create_request_validator_invalid_api_id, test_invalid_get_request_validators
    assert refused(apigw.create_request_validator, restApiId="test-fake-rest-id", name="test-validator",
                   validateRequestBody=True, validateRequestParameters=False) == (
        400, "BadRequestException", "Invalid REST API identifier specified")
    assert refused(apigw.get_request_validators, restApiId="test-fake-rest-id") == (
        404, "NotFoundException", "Invalid API identifier specified 123456789012:test-fake-rest-id")


@pytest.mark.parametrize("operation, message", [
    ({"op": "add", "path": "/validateRequestBody", "value": "true"},  # update-request-validator-invalid-add-operation
     "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations"),
    ({"op": "remove", "path": "/validateRequestBody", "value": "true"},  # ...-invalid-remove-operation
     "Invalid patch path  '/validateRequestBody' specified for op 'remove'. Please choose supported operations"),
    ({"op": "replace", "path": "/invalidPath", "value": "true"},  # update-request-validator-invalid-path
     "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: "
     "[/name, /validateRequestParameters, /validateRequestBody]"),
    ({"op": "replace", "path": "/name"},  # update-request-validator-empty-name-value
     "Request Validator name cannot be blank"),
])
def test_update_request_validator_refuses_what_aws_refuses(apigw, api_id, operation, message):
    # test_invalid_update_request_validator_operations: the key beside each case; nothing changes
    validator_id = apigw.create_request_validator(restApiId=api_id, name="v")["id"]
    first = {"op": "replace", "path": "/validateRequestParameters", "value": "true"}
    assert refused(apigw.update_request_validator, restApiId=api_id, requestValidatorId=validator_id,
                   patchOperations=[first, operation]) == (400, "BadRequestException", message)
    assert apigw.get_request_validator(restApiId=api_id, requestValidatorId=validator_id)[
        "validateRequestParameters"] is False
