"""Gateway responses on the control plane against AWS's recordings.

Source: LocalStack's AWS-validated snapshots `tests/aws/services/apigateway/test_apigateway_api.snapshot.json`,
class TestApiGatewayGatewayResponse (each test names its key; the calls are in `test_apigateway_api.py`).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from answers import refusal as refused, body as shape

DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}
CUSTOM_TEMPLATE = {"application/json": '{\n     "message": $context.error.messageString,\n     "type":  '
                   '"$context.error.responseType",\n     "stage":  "$context.stage",\n     "resourcePath":  '
                   '"$context.resourcePath",\n     "stageVariables.a":  "$stageVariables.a",\n     '
                   '"statusCode": "\'404\'"\n}'}
CUSTOM_PARAMETERS = {
    "gatewayresponse.header.x-request-path": "method.request.path.petId",
    "gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'",
    "gatewayresponse.header.x-request-query": "method.request.querystring.q",
    "gatewayresponse.header.x-request-header": "method.request.header.Accept",
}
# test_gateway_response_crud, get-gateway-responses: every type's default status (none for DEFAULT_4XX/5XX).
DEFAULT_STATUS = {
    "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_BODY": "400", "BAD_REQUEST_PARAMETERS": "400", "DEFAULT_4XX": None,
    "DEFAULT_5XX": None, "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504", "INTEGRATION_TIMEOUT": "504",
    "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403", "MISSING_AUTHENTICATION_TOKEN": "403",
    "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413", "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429",
    "UNAUTHORIZED": "401", "UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
}
ENUM = ("[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, "
        "BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, "
        "UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, "
        "THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]")


def default(kind: str) -> dict:
    found = {"defaultResponse": True, "responseParameters": {}, "responseTemplates": DEFAULT_TEMPLATE,
             "responseType": kind}
    if DEFAULT_STATUS[kind]:
        found["statusCode"] = DEFAULT_STATUS[kind]
    return found


@pytest.fixture
def apigw(lab):
    """A client that lets invalid values reach the server, as the recordings' client does."""
    return boto3.client("apigateway", region_name=lab.region, config=Config(parameter_validation=False))


@pytest.fixture
def api_id(apigw):
    return apigw.create_rest_api(name="gw-responses", description="APIGW test GatewayResponse")["id"]


def test_a_type_never_put_answers_its_default(apigw, api_id):
    # test_gateway_response_crud: get-gateway-response-default
    found = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert found["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert shape(found) == default("MISSING_AUTHENTICATION_TOKEN")


def test_the_list_has_all_21_types_with_the_customised_one_in_place(apigw, api_id):
    # test_gateway_response_crud: put-gateway-response, get-gateway-responses, get-gateway-response
    put = apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
                                     responseParameters=CUSTOM_PARAMETERS, responseTemplates=CUSTOM_TEMPLATE)
    customised = {"defaultResponse": False, "responseParameters": CUSTOM_PARAMETERS,
                  "responseTemplates": CUSTOM_TEMPLATE, "responseType": "MISSING_AUTHENTICATION_TOKEN",
                  "statusCode": "404"}
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert shape(put) == customised
    items = {item["responseType"]: item for item in apigw.get_gateway_responses(restApiId=api_id)["items"]}
    expected = {kind: default(kind) for kind in DEFAULT_STATUS}
    expected["MISSING_AUTHENTICATION_TOKEN"] = customised
    assert items == expected
    assert shape(apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")) == customised


def test_a_deleted_response_is_the_default_again(apigw, api_id):
    # test_gateway_response_crud: delete-gateway-response, get-deleted-gw-response
    apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404")
    deleted = apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    found = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert shape(found) == default("MISSING_AUTHENTICATION_TOKEN")


def test_put_fills_what_it_omits_from_the_types_own_default(apigw, api_id):
    # test_gateway_response_put: put-gateway-response-status-only, -response-parameters-only,
    # -response-templates-only, -default-ignored
    kind = "MISSING_AUTHENTICATION_TOKEN"
    status_only = apigw.put_gateway_response(restApiId=api_id, responseType=kind, statusCode="404")
    assert shape(status_only) == {"defaultResponse": False, "responseParameters": {},
                                  "responseTemplates": DEFAULT_TEMPLATE, "responseType": kind, "statusCode": "404"}
    header = {"gatewayresponse.header.x-request-header": "method.request.header.Accept"}
    params_only = apigw.put_gateway_response(restApiId=api_id, responseType=kind, responseParameters=header)
    assert shape(params_only) == {"defaultResponse": False, "responseParameters": header,
                                  "responseTemplates": DEFAULT_TEMPLATE, "responseType": kind, "statusCode": "403"}
    templates_only = apigw.put_gateway_response(restApiId=api_id, responseType=kind, responseTemplates=CUSTOM_TEMPLATE)
    assert shape(templates_only) == {"defaultResponse": False, "responseParameters": {},
                                     "responseTemplates": CUSTOM_TEMPLATE, "responseType": kind, "statusCode": "403"}
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_5XX", statusCode="599",
                               responseParameters=header, responseTemplates=CUSTOM_TEMPLATE)
    ignored = apigw.put_gateway_response(restApiId=api_id, responseType="AUTHORIZER_FAILURE",
                                         responseParameters={"gatewayresponse.header.foo": "'bar'"})
    assert shape(ignored) == {"defaultResponse": False, "responseParameters": {"gatewayresponse.header.foo": "'bar'"},
                              "responseTemplates": DEFAULT_TEMPLATE, "responseType": "AUTHORIZER_FAILURE",
                              "statusCode": "500"}


def test_a_customised_default_5xx_shows_through_the_5xx_defaults(apigw, api_id):
    # test_gateway_response_put: get-gateway-responses
    header = {"gatewayresponse.header.x-request-header": "method.request.header.Accept"}
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_5XX", statusCode="599",
                               responseParameters=header, responseTemplates=CUSTOM_TEMPLATE)
    items = {item["responseType"]: item for item in apigw.get_gateway_responses(restApiId=api_id)["items"]}
    for kind in ("API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "INTEGRATION_FAILURE",
                 "INTEGRATION_TIMEOUT"):
        assert items[kind] == {"defaultResponse": True, "responseParameters": header,
                               "responseTemplates": CUSTOM_TEMPLATE, "responseType": kind, "statusCode": "599"}
    assert items["DEFAULT_5XX"]["defaultResponse"] is False
    assert items["THROTTLED"] == default("THROTTLED")
    assert items["DEFAULT_4XX"] == default("DEFAULT_4XX")


def test_the_deployment_snapshot_keeps_only_customised_responses(lab, apigw, api_id):
    # The kit's gateway reads customised responses from the snapshot; the 21 defaults are computed, not stored.
    from labkit.backends.moto.patches import live_definition

    apigw.put_gateway_response(restApiId=api_id, responseType="THROTTLED", statusCode="430")
    # put without a status: the control plane shows 504, the gateway answers the error's own 500
    # (test_apigateway_lambda.snapshot.json::test_lambda_aws_proxy_integration_non_post_method)
    shown = apigw.put_gateway_response(restApiId=api_id, responseType="INTEGRATION_FAILURE", responseParameters={})
    assert shown["statusCode"] == "504"
    definition = live_definition("123456789012", apigw.meta.region_name, api_id)
    assert [(r["responseType"], r.get("statusCode")) for r in definition["gatewayResponses"]] == [
        ("THROTTLED", "430"), ("INTEGRATION_FAILURE", None)]


@pytest.mark.parametrize("call, kwargs", [
    ("get_gateway_responses", {}),
    ("get_gateway_response", {"responseType": "DEFAULT_4XX"}),
    ("delete_gateway_response", {"responseType": "DEFAULT_4XX"}),
    ("update_gateway_response", {"responseType": "DEFAULT_4XX", "patchOperations": []}),
])
def test_an_unknown_api_answers_404_naming_it(apigw, call, kwargs):
    # test_gateway_response_validation: *-no-api
    assert refused(getattr(apigw, call), restApiId="apiid123fake", **kwargs) == (
        404, "NotFoundException", "Invalid API identifier specified 123456789012:apiid123fake")


def test_deleting_a_type_never_put_answers_404(apigw, api_id):
    # test_gateway_response_validation: delete-gateway-response-not-set
    assert refused(apigw.delete_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX") == (
        404, "NotFoundException", "Gateway response type not defined on api")


@pytest.mark.parametrize("call, kwargs", [
    ("get_gateway_response", {}),
    ("delete_gateway_response", {}),
    ("update_gateway_response", {"patchOperations": []}),
    ("put_gateway_response", {"statusCode": "404", "responseParameters": {}, "responseTemplates": {}}),
])
def test_an_unknown_response_type_answers_the_enum(apigw, api_id, call, kwargs):
    # test_gateway_response_validation: *-wrong-response-type
    message = (f"1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy "
               f"constraint: Member must satisfy enum value set: {ENUM}")
    assert refused(getattr(apigw, call), restApiId=api_id, responseType="FAKE_RESPONSE_TYPE", **kwargs) == (
        400, "ValidationException", message)


def test_updating_a_type_never_put_customises_its_default(apigw, api_id):
    # test_update_gateway_response: update-gateway-response-not-set, default-get-gateway-response
    updated = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                            patchOperations=[{"op": "replace", "path": "/statusCode", "value": "444"}])
    expected = {"defaultResponse": False, "responseParameters": {}, "responseTemplates": DEFAULT_TEMPLATE,
                "responseType": "DEFAULT_4XX", "statusCode": "444"}
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert shape(updated) == expected
    assert shape(apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")) == expected


def test_update_replaces_and_adds_entries(apigw, api_id):
    # test_update_gateway_response: put-gateway-response, update-gateway-response, get-gateway-response
    templates = {"application/json": '{"application/json": "{\\"message\\":$context.error.messageString}"}'}
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", statusCode="404",
                               responseParameters=CUSTOM_PARAMETERS, responseTemplates=templates)
    xml = ("<gatewayResponse><message>$context.error.messageString</message><type>$context.error.responseType"
           "</type></gatewayResponse>")
    updated = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
        {"op": "replace", "path": "/statusCode", "value": "444"},
        {"op": "replace", "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin",
         "value": "'example.com'"},
        {"op": "add", "path": "/responseTemplates/application~1xml", "value": xml},
    ])
    expected = {"defaultResponse": False,
                "responseParameters": {**CUSTOM_PARAMETERS,
                                       "gatewayresponse.header.Access-Control-Allow-Origin": "'example.com'"},
                "responseTemplates": {**templates, "application/xml": xml}, "responseType": "DEFAULT_4XX",
                "statusCode": "444"}
    assert shape(updated) == expected
    assert shape(apigw.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")) == expected


@pytest.mark.parametrize("kind, operation, answer", [
    # test_update_gateway_response: the key after each case
    ("DEFAULT_4XX", {"op": "add", "path": "/statusCode", "value": "444"},
     (400, "BadRequestException", "Invalid patch path /statusCode")),  # update-gateway-add-status-code
    ("DEFAULT_4XX", {"op": "remove", "path": "/statusCode"},
     (400, "BadRequestException", "Invalid patch path /statusCode")),  # update-gateway-remove-status-code
    ("DEFAULT_5XX", {"op": "replace", "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin",
                     "value": "'example.com'"},
     (404, "NotFoundException", "Invalid parameter name specified")),  # update-gateway-replace-invalid-parameter
    ("DEFAULT_4XX", {"op": "add", "value": "'example.com'"},
     (400, "BadRequestException", "Invalid patch path null")),  # update-gateway-no-path
    ("DEFAULT_4XX", {"op": "wrong-op", "path": "/statusCode", "value": "'example.com'"},
     (400, "ValidationException", "1 validation error detected: Value 'wrong-op' at "
      "'updateGatewayResponseInput.patchOperations.1.member.op' failed to satisfy constraint: Member must "
      "satisfy enum value set: [add, remove, move, test, replace, copy]")),  # update-gateway-wrong-op
    ("DEFAULT_4XX", {"op": "add", "path": "/wrongPath", "value": "'example.com'"},
     (400, "BadRequestException", "Invalid patch path /wrongPath")),  # update-gateway-wrong-path
    ("DEFAULT_4XX", {"op": "replace", "path": "/responseTemplates/application~1json", "value": None},
     (400, "BadRequestException", "Invalid null or empty value in responseTemplates")),  # ...-0-none
    ("DEFAULT_4XX", {"op": "replace", "path": "/responseParameters/gatewayresponse.header.x", "value": None},
     (400, "BadRequestException", "Invalid null or empty value in responseParameters")),  # ...-1-none
])
def test_update_refuses_what_aws_refuses(apigw, api_id, kind, operation, answer):
    apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", statusCode="404",
                               responseParameters={"gatewayresponse.header.x": "'y'"})
    before = shape(apigw.get_gateway_response(restApiId=api_id, responseType=kind))
    assert refused(apigw.update_gateway_response, restApiId=api_id, responseType=kind,
                   patchOperations=[operation]) == answer
    assert shape(apigw.get_gateway_response(restApiId=api_id, responseType=kind)) == before
