"""Mapping templates: API Gateway's variables on top of airspeed's Velocity.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html"""

import json

import pytest

from labkit.gateway.responses import GatewayError
from labkit.gateway.templates import render, select_template

BODY = json.dumps({"pets": [{"name": "rex", "age": 3}, {"name": "tom", "age": 5}], "owner": "ada"})
PARAMS = {"path": {"id": "7"}, "querystring": {"q": "cats"}, "header": {"X-Trace": "t1"}}


def run(template, body=BODY, stage_variables=None, context=None):
    return render(template, body=body, params=PARAMS, context=context or {"stage": "dev"},
                  stage_variables=stage_variables or {})


def test_input_json_returns_json_text_and_input_path_returns_objects():
    assert json.loads(run("$input.json('$.pets[0]')")) == {"name": "rex", "age": 3}
    assert run("$input.path('$.pets').size()") == "2"
    assert run("#foreach($p in $input.path('$.pets'))$p.name;#end") == "rex;tom;"
    assert run("$input.body") == BODY


def test_input_params_searches_path_then_querystring_then_header():
    assert run("$input.params('id')|$input.params('q')|$input.params('x-trace')|$input.params('nope')") == "7|cats|t1|"
    assert run("$input.params().path.id") == "7"


def test_util_functions():
    assert run("$util.escapeJavaScript(\"it's\")") == "it\\'s"
    # Java's URLEncoder: a space is `+` (test_apigateway_common.snapshot.json::
    # tests/aws/services/apigateway/test_apigateway_common.py::TestApiGatewayCommon::test_input_body_formatting)
    assert run("$util.urlEncode('a b&c')") == "a+b%26c"
    assert run("$util.urlDecode('a%20b')") == "a b"
    assert run("$util.base64Encode('hi')") == "aGk="
    assert run("$util.base64Decode('aGk=')") == "hi"
    assert run("$util.parseJson('{\"a\": 1}').a") == "1"


def test_undefined_stage_variables_and_context_values_render_empty():
    out = run("[$stageVariables.color][$stageVariables.env][$context.authorizer.claims.sub][$context.stage]",
              stage_variables={"env": "dev"})
    assert out == "[][dev][][dev]"


def test_a_template_that_does_not_parse_is_a_configuration_error():
    with pytest.raises(GatewayError) as err:
        run("#if($input.body")
    assert err.value.status == 500


def test_template_selection_by_content_type_defaults_to_json():
    templates = {"application/json": "J", "application/xml": "X"}
    assert select_template(templates, None) == (True, "J")
    assert select_template(templates, "application/xml; charset=utf-8") == (True, "X")
    assert select_template(templates, "text/plain") == (False, None)
    assert select_template({}, "application/json") == (False, None)
