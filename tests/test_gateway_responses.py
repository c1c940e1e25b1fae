"""Gateway-response templates: a `$context.error.*` reference keeps the text that follows it.

AWS's default template is `{"message":$context.error.messageString}` (recorded by GetGatewayResponses:
LocalStack's test_apigateway_api.snapshot.json::tests/aws/services/apigateway/test_apigateway_api.py::
TestApiGatewayGatewayResponse::test_gateway_response_crud), and what it renders is valid JSON: recorded as
parsed bodies in test_apigateway_common.snapshot.json::tests/aws/services/apigateway/test_apigateway_common.py::
TestApigatewayRouting::test_routing_not_found (`{"message": "Missing Authentication Token"}`) and in
test_apigateway_lambda.snapshot.json::tests/aws/services/apigateway/test_apigateway_lambda.py::
test_lambda_aws_proxy_integration_non_post_method (a put_gateway_response keeping the default template:
`{"message": "Internal server error"}`).
Gateway-response templates do simple substitution only, not VTL:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html
The variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
"""

from __future__ import annotations

import pytest

from labkit.gateway.observe import render_access_log
from test_validation import validated_api

# What a request missing the required `price` gets as `$context.error.*` (BAD_REQUEST_BODY carries all four).
# messageString is the message as a JSON string (quotes included); validationErrorString is the list of
# schema errors, unquoted.
ERROR_VALUES = {
    "message": "Invalid request body",
    "messageString": '"Invalid request body"',
    "responseType": "BAD_REQUEST_BODY",
    "validationErrorString": '[object has missing required properties (["price"])]',
}

# Everything a JSON template puts right after a reference; "" last: the reference ends the template.
FOLLOWERS = ["}", "]", ",", '"', ":", " ", "\n", ""]


def _render(lab, api, response_type, template, method, url, **request):
    """Put `template` on `response_type`, redeploy, and answer the request that triggers it."""
    lab.client("apigateway").put_gateway_response(restApiId=api.id, responseType=response_type,
                                                  responseTemplates={"application/json": template})
    api.deploy("dev", variables={"a": "stage-a"})
    return lab.gateway().invoke(method, url, **request)


@pytest.mark.parametrize("braced", [False, True], ids=["bare", "braced"])
@pytest.mark.parametrize("name", sorted(ERROR_VALUES))
def test_error_reference_keeps_every_character_after_it(lab, name, braced):
    api, url = validated_api(lab, parameters=False, models={"application/json": "Pet"})
    reference = f"${{context.error.{name}}}" if braced else f"$context.error.{name}"
    template = "".join(reference + after for after in FOLLOWERS)
    r = _render(lab, api, "BAD_REQUEST_BODY", template, "POST", url,
                headers={"Content-Type": "application/json"}, body={"name": "Rex"})
    assert r.status_code == 400
    assert r.body.decode() == "".join(ERROR_VALUES[name] + after for after in FOLLOWERS)


@pytest.mark.parametrize("template", ['{"message":$context.error.messageString}',
                                      '{"message":${context.error.messageString}}'])
def test_aws_default_template_renders_the_json_aws_answers(lab, template):
    api, url = validated_api(lab, parameters=False, models={"application/json": "Pet"})
    r = _render(lab, api, "MISSING_AUTHENTICATION_TOKEN", template, "GET", url + "/nowhere")
    assert r.status_code == 403
    assert r.body == b'{"message":"Missing Authentication Token"}'


def test_json_template_using_every_error_variable_is_valid_json(lab):
    api, url = validated_api(lab, parameters=False, models={"application/json": "Pet"})
    template = ('{"message":$context.error.messageString,"text":"$context.error.message",'
                '"type":"$context.error.responseType","all":[$context.error.messageString,'
                '"${context.error.responseType}"],"nested":{"m":$context.error.messageString},'
                '"stage":"$context.stage","a":"$stageVariables.a"}')
    r = _render(lab, api, "BAD_REQUEST_BODY", template, "POST", url,
                headers={"Content-Type": "application/json"}, body={"name": "Rex"})
    assert r.json() == {"message": "Invalid request body", "text": "Invalid request body",
                        "type": "BAD_REQUEST_BODY", "all": ["Invalid request body", "BAD_REQUEST_BODY"],
                        "nested": {"m": "Invalid request body"}, "stage": "dev", "a": "stage-a"}


def test_access_log_reference_keeps_the_brace_after_it():
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html (JSON access log formats)
    context = {"status": 403, "requestId": "r-1",
               "error": {"message": "Forbidden", "messageString": '"Forbidden"'}}
    line = render_access_log('{"requestId":"$context.requestId","status":$context.status,'
                             '"s":${context.status},"error":$context.error.messageString}', context)
    assert line == '{"requestId":"r-1","status":403,"s":403,"error":"Forbidden"}'
