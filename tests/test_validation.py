"""Request validation: required parameters and body models, as API Gateway documents them.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
"""

from __future__ import annotations

import json

import requests

from labkit.apis import RestApi

PET_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name", "price"],
    "properties": {"name": {"type": "string"}, "price": {"type": "number", "minimum": 0}},
}


def validated_api(lab, *, body: bool = True, parameters: bool = True, required: dict[str, bool] | None = None,
         models: dict[str, str] | None = None, verb: str = "POST") -> tuple[RestApi, str]:
    """POST (or `verb`) /pets behind a request validator and the Pet model, deployed to dev; (api, url)."""
    client = lab.client("apigateway")
    api = RestApi.create(client, "validated", endpoint_type="REGIONAL")
    client.create_model(restApiId=api.id, name="Pet", contentType="application/json", schema=json.dumps(PET_SCHEMA))
    validator = client.create_request_validator(restApiId=api.id, name="check", validateRequestBody=body,
                                                validateRequestParameters=parameters)["id"]
    api.resource("/pets").method(verb, request_parameters=required, request_validator_id=validator,
                                 request_models=models).mock(body='{"ok": true}')
    api.deploy("dev")
    return api, lab.stage_url(api.id, "dev") + "/pets"


def test_missing_required_query_strings_and_header_answer_400_listing_them(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    _, url = validated_api(lab, verb="GET", required={"method.request.querystring.q1": True,
                                             "method.request.querystring.q2": True,
                                             "method.request.header.X-Tenant": True,
                                             "method.request.querystring.optional": False})
    r = requests.get(url)
    assert r.status_code == 400
    assert r.json() == {"message": "Missing required request parameters: [X-Tenant, q1, q2]"}
    assert r.headers["x-amzn-ErrorType"] == "BadRequestException"

    r = requests.get(url + "?q1=a&q2=", headers={"X-Tenant": "t"})  # blank counts as missing
    assert r.json() == {"message": "Missing required request parameters: [q2]"}

    assert requests.get(url + "?q1=a&q2=b", headers={"X-Tenant": "t"}).status_code == 200


def test_body_failing_the_model_answers_400_invalid_request_body(lab):
    _, url = validated_api(lab, models={"application/json": "Pet"})
    wrong_type = requests.post(url, json={"name": "Rex", "price": "cheap"})
    assert wrong_type.status_code == 400
    assert wrong_type.json() == {"message": "Invalid request body"}
    missing = requests.post(url, json={"name": "Rex"})
    assert missing.status_code == 400
    assert missing.json() == {"message": "Invalid request body"}
    assert requests.post(url, data="not json", headers={"Content-Type": "application/json"}).status_code == 400


def test_valid_request_passes_and_reaches_the_integration(lab):
    _, url = validated_api(lab, models={"application/json": "Pet"},
                  required={"method.request.querystring.store": True})
    r = requests.post(url + "?store=1", json={"name": "Rex", "price": 12.5})
    assert r.status_code == 200
    assert r.json() == {"ok": True}


def test_parameters_are_checked_before_the_body(lab):
    _, url = validated_api(lab, models={"application/json": "Pet"}, required={"method.request.querystring.store": True})
    r = requests.post(url, json={"price": "x"})
    assert r.json() == {"message": "Missing required request parameters: [store]"}


def test_body_only_validator_ignores_missing_parameters(lab):
    _, url = validated_api(lab, parameters=False, models={"application/json": "Pet"},
                  required={"method.request.querystring.store": True})
    assert requests.post(url, json={"name": "Rex", "price": 1}).status_code == 200
    assert requests.post(url, json={"name": "Rex"}).status_code == 400


def test_parameters_only_validator_ignores_the_body(lab):
    _, url = validated_api(lab, body=False, models={"application/json": "Pet"})
    assert requests.post(url, json={"nothing": "useful"}).status_code == 200


def test_content_type_without_a_model_is_not_validated_unless_default(lab):
    # "If no matching content type is found, request validation is not performed."
    _, url = validated_api(lab, models={"application/json": "Pet"})
    r = lab.gateway().invoke("POST", url, {"Content-Type": "text/plain"}, "free text")
    assert r.status_code != 400  # the MOCK then fails on the non-JSON body: validation did not run
    assert not any("Request body does not match" in line for line in r.execution_log)
    _, url = validated_api(lab, models={"$default": "Pet"})
    assert requests.post(url, data="free text", headers={"Content-Type": "text/plain"}).status_code == 400


def test_customised_bad_request_body_shows_validation_error_string(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
    client = lab.client("apigateway")
    api = RestApi.create(client, "custom", endpoint_type="REGIONAL")
    client.create_model(restApiId=api.id, name="Pet", contentType="application/json", schema=json.dumps(PET_SCHEMA))
    validator = client.create_request_validator(restApiId=api.id, name="body", validateRequestBody=True,
                                                validateRequestParameters=False)["id"]
    api.resource("/pets").method("POST", request_validator_id=validator,
                                 request_models={"application/json": "Pet"}).mock()
    client.put_gateway_response(
        restApiId=api.id, responseType="BAD_REQUEST_BODY", statusCode="422",
        responseTemplates={"application/json": '{"message": $context.error.messageString, '
                                               '"detail": "$context.error.validationErrorString"}'})
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/pets", json={"name": 7})
    assert r.status_code == 422
    # The detail is substituted as it is (quotes included), so such a template is not always valid JSON.
    assert r.text.startswith('{"message": "Invalid request body", "detail": "[')
    assert 'object has missing required properties (["price"])' in r.text
    assert 'name: instance type (integer) does not match any allowed primitive type (allowed: ["string"])' in r.text


def test_execution_log_explains_the_failure(lab):
    api, url = validated_api(lab, models={"application/json": "Pet"})
    r = lab.gateway().invoke("POST", url, {"Content-Type": "application/json"}, {"name": "Rex"})
    assert r.status_code == 400
    assert any(line.startswith("Request body does not match model schema for content type application/json: [")
               and 'object has missing required properties (["price"])' in line for line in r.execution_log)
    assert r.execution_log[-1] == "Method completed with status: 400"


def test_models_can_reference_other_models(lab):
    client = lab.client("apigateway")
    api = RestApi.create(client, "refs", endpoint_type="REGIONAL")
    client.create_model(restApiId=api.id, name="Pet", contentType="application/json", schema=json.dumps(PET_SCHEMA))
    client.create_model(restApiId=api.id, name="Pets", contentType="application/json", schema=json.dumps({
        "type": "array",
        "items": {"$ref": f"https://apigateway.amazonaws.com/restapis/{api.id}/models/Pet"}}))
    validator = client.create_request_validator(restApiId=api.id, name="body", validateRequestBody=True)["id"]
    api.resource("/pets").method("POST", request_validator_id=validator,
                                 request_models={"application/json": "Pets"}).mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/pets"
    assert requests.post(url, json=[{"name": "a", "price": 1}]).status_code == 200
    assert requests.post(url, json=[{"name": "a"}]).status_code == 400
