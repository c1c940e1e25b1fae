"""Conformance of the local data plane with API Gateway's documented REST behaviour.

Each test names the behaviour and links the AWS page it follows.
"""

from __future__ import annotations

import json

import pytest
import requests

from labkit import VirtualClock
from labkit.apis import RestApi

ECHO_LAMBDA = '''
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
'''


def api_with(lab, name="pets"):
    return RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")


# --- routing and errors ---------------------------------------------------------------------------

def test_unknown_path_answers_403_missing_authentication_token(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    api = api_with(lab)
    api.resource("/pets").method("GET").mock(body='{"pets": []}')
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")
    for method, path in (("GET", "/cats"), ("DELETE", "/pets")):
        r = requests.request(method, url + path)
        assert r.status_code == 403
        assert r.json() == {"message": "Missing Authentication Token"}
        assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
        assert r.headers["x-amzn-RequestId"]


def test_unknown_stage_answers_403(lab):
    api = api_with(lab)
    api.resource("/pets").method("GET").mock()
    api.deploy("dev")
    assert requests.get(lab.stage_url(api.id, "prod") + "/pets").status_code == 403


def test_every_response_carries_request_ids(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
    api = api_with(lab)
    api.resource("/pets").method("GET").mock()
    api.deploy("dev")
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, "dev") + "/pets")
    assert len(r.headers["x-amzn-RequestId"]) == 36
    assert r.headers["x-amz-apigw-id"]


def test_customised_gateway_response_changes_status_headers_and_body(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
    api = api_with(lab)
    api.resource("/pets").method("GET").mock()
    client = lab.client("apigateway")
    client.put_gateway_response(restApiId=api.id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
                                responseTemplates={"application/json": '{"error": $context.error.messageString, '
                                                   '"type": "$context.error.responseType"}'})
    client.put_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX",
                                responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    api.deploy("dev")
    r = requests.get(lab.stage_url(api.id, "dev") + "/nowhere")
    assert r.status_code == 404
    assert r.json() == {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_payload_over_10_mb_answers_413(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
    api = api_with(lab)
    api.resource("/upload").method("POST").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/upload"
    assert requests.post(url, data=b"x" * (10 * 1024 * 1024)).status_code == 200
    too_big = requests.post(url, data=b"x" * (10 * 1024 * 1024 + 1))
    assert too_big.status_code == 413


# --- deployments are snapshots ----------------------------------------------------------------

def test_a_change_is_not_served_until_deployed_and_rollback_serves_the_earlier_api(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api-with-console.html
    api = api_with(lab)
    api.resource("/version").method("GET").mock(body='{"v": 1}')
    first = api.deploy("prod")["id"]
    url = lab.stage_url(api.id, "prod") + "/version"
    assert requests.get(url).json() == {"v": 1}

    client = lab.client("apigateway")
    version = api.resource("/version")
    client.put_integration_response(restApiId=api.id, resourceId=version.id, httpMethod="GET", statusCode="200",
                                    responseTemplates={"application/json": '{"v": 2}'})
    api.resource("/new").method("GET").mock()
    assert requests.get(url).json() == {"v": 1}, "an undeployed change must not be served"
    assert requests.get(lab.stage_url(api.id, "prod") + "/new").status_code == 403

    api.deploy("prod")
    assert requests.get(url).json() == {"v": 2}
    api.rollback("prod", first)
    assert requests.get(url).json() == {"v": 1}
    assert requests.get(lab.stage_url(api.id, "prod") + "/new").status_code == 403


def test_redeploying_keeps_stage_variables(lab):
    api = api_with(lab)
    api.resource("/color").method("GET").mock(body='{"color": "$stageVariables.color"}')
    api.deploy("dev", variables={"color": "blue"})
    api.deploy("dev")
    assert requests.get(lab.stage_url(api.id, "dev") + "/color").json() == {"color": "blue"}


# --- integrations -------------------------------------------------------------------------------

def test_mock_integration_status_comes_from_the_request_template(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
    api = api_with(lab)
    res = api.resource("/teapot")
    res.method("GET")
    client = lab.client("apigateway")
    ids = {"restApiId": api.id, "resourceId": res.id, "httpMethod": "GET"}
    client.put_integration(**ids, type="MOCK", requestTemplates={
        "application/json": '#if($input.params("brew") == "tea"){"statusCode": 418}#else{"statusCode": 200}#end'})
    for code in ("200", "418"):
        client.put_method_response(**ids, statusCode=code)
    client.put_integration_response(**ids, statusCode="200", responseTemplates={"application/json": '{"ok": true}'})
    client.put_integration_response(**ids, statusCode="418", selectionPattern="418",
                                    responseTemplates={"application/json": '{"message": "I am a teapot"}'})
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/teapot"
    assert requests.get(url).status_code == 200
    r = requests.get(url, params={"brew": "tea"})
    assert (r.status_code, r.json()) == (418, {"message": "I am a teapot"})


def test_http_proxy_forwards_path_query_headers_and_body(lab, echo):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
    api = api_with(lab)
    api.resource("/{proxy+}").method("ANY").http_proxy(echo.url + "/{proxy}", http_method="ANY")
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/orders/42?expand=items", json={"qty": 2},
                      headers={"X-Trace": "abc"})
    assert r.status_code == 200 and r.headers["X-Backend"] == "echo"
    seen = r.json()
    assert seen["method"] == "POST" and seen["path"] == "/orders/42"
    assert seen["query"] == {"expand": ["items"]}
    assert seen["headers"]["X-Trace"] == "abc"
    assert json.loads(seen["body"]) == {"qty": 2}


def test_http_proxy_passes_backend_status_through(lab, echo):
    api = api_with(lab)
    api.resource("/status/{code}").method("GET").http_proxy(echo.url + "/status/{code}")
    api.deploy("dev")
    assert requests.get(lab.stage_url(api.id, "dev") + "/status/503").status_code == 503


def test_stage_variables_choose_the_http_backend(lab, echo):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html
    api = api_with(lab)
    api.resource("/where").method("GET").http_proxy("http://${stageVariables.backend}/${stageVariables.env}")
    api.deploy("dev", variables={"backend": echo.url.removeprefix("http://"), "env": "development"})
    api.deploy("prod", variables={"backend": echo.url.removeprefix("http://"), "env": "production"})
    assert requests.get(lab.stage_url(api.id, "dev") + "/where").json()["path"] == "/development"
    assert requests.get(lab.stage_url(api.id, "prod") + "/where").json()["path"] == "/production"


def test_http_custom_integration_maps_request_and_response(lab, echo):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
    api = api_with(lab)
    api.resource("/greet/{name}").method("POST").http(
        echo.url + "/hello", http_method="POST",
        request_templates={"application/json": '{"who": "$input.params(\'name\')", "n": $input.json(\'$.n\')}'},
        response_templates={"application/json": '{"sent": $input.json(\'$.body\'), "by": "$context.httpMethod"}'})
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/greet/ada", json={"n": 3})
    assert r.status_code == 200
    assert json.loads(r.json()["sent"]) == {"who": "ada", "n": 3}
    assert r.json()["by"] == "POST"


def test_lambda_proxy_receives_the_rest_proxy_event(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    fn = lab.lambda_function("echo-event", ECHO_LAMBDA)
    api = api_with(lab)
    api.resource("/items/{id}").method("ANY").lambda_proxy(fn)
    api.deploy("dev", variables={"tier": "gold"})
    r = requests.put(lab.stage_url(api.id, "dev") + "/items/7?a=1&a=2", data="hi",
                     headers={"Content-Type": "text/plain"})
    event = r.json()
    assert r.status_code == 200
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/7"
    assert event["httpMethod"] == "PUT" and event["body"] == "hi" and event["isBase64Encoded"] is False
    assert event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"a": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["stageVariables"] == {"tier": "gold"}
    ctx = event["requestContext"]
    assert ctx["stage"] == "dev" and ctx["path"] == "/dev/items/7" and ctx["resourcePath"] == "/items/{id}"
    assert ctx["requestId"] == r.headers["x-amzn-RequestId"]
    assert "version" not in event


def test_lambda_proxy_empty_collections_are_null(lab):
    fn = lab.lambda_function("echo-null", ECHO_LAMBDA)
    api = api_with(lab)
    api.resource("/plain").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    event = requests.get(lab.stage_url(api.id, "dev") + "/plain").json()
    assert event["queryStringParameters"] is None and event["pathParameters"] is None
    assert event["stageVariables"] is None and event["body"] is None


@pytest.mark.parametrize("output, status", [
    ('{"statusCode": 201, "body": "made"}', 201),
    ('{"statusCode": "201"}', 201),
    ('{"headers": {"a": "b"}}', 200),
    ('{"statusCode": 200, "wrongValue": 1}', 502),
    ('{}', 502),
    ('"justAString"', 502),
    ('{"statusCode": "test"}', 502),
    ('{"statusCode": 200, "multiValueHeaders": {"a": "not-a-list"}}', 502),
])
def test_lambda_proxy_output_is_validated_as_aws_does(lab, output, status):
    # Real-AWS recordings: reference section 4c, fact 11; malformed output is a 502.
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    fn = lab.lambda_function(f"out{abs(hash(output)) % 10**6}", f"import json\ndef handler(e, c):\n    return json.loads({output!r})\n")
    api = api_with(lab)
    api.resource("/out").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    r = requests.get(lab.stage_url(api.id, "dev") + "/out")
    assert r.status_code == status
    if status == 502:
        assert r.json() == {"message": "Internal server error"}
        assert r.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_lambda_that_raises_answers_502(lab):
    fn = lab.lambda_function("boom", "def handler(e, c):\n    raise RuntimeError('boom')\n")
    api = api_with(lab)
    api.resource("/boom").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    r = requests.get(lab.stage_url(api.id, "dev") + "/boom")
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})


def test_multi_value_headers_come_first_and_merge(lab):
    fn = lab.lambda_function("headers", "def handler(e, c):\n    return {'statusCode': 200, "
                             "'multiValueHeaders': {'X-Mix': ['multi']}, 'headers': {'X-Mix': 'solo'}}\n")
    api = api_with(lab)
    api.resource("/h").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    r = lab.gateway().invoke("GET", lab.stage_url(api.id, "dev") + "/h")
    assert r.headers.getlist("X-Mix") == ["multi", "solo"]


def test_stage_variable_picks_the_lambda_function(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html
    for name in ("fn-blue", "fn-green"):
        lab.lambda_function(name, f"def handler(e, c):\n    return {{'statusCode': 200, 'body': '{name}'}}\n")
    api = api_with(lab)
    arn = f"arn:aws:lambda:{lab.region}:123456789012:function:${{stageVariables.fn}}"
    api.resource("/who").method("GET").lambda_proxy(arn)
    api.deploy("blue", variables={"fn": "fn-blue"})
    api.deploy("green", variables={"fn": "fn-green"})
    assert requests.get(lab.stage_url(api.id, "blue") + "/who").text == "fn-blue"
    assert requests.get(lab.stage_url(api.id, "green") + "/who").text == "fn-green"


# --- timeouts -------------------------------------------------------------------------------------

def test_slow_http_backend_past_timeout_answers_504(lab, echo):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (timeoutInMillis)
    api = api_with(lab)
    api.resource("/slow").method("GET").http_proxy(echo.url + "/slow?s=1", timeout_ms=200)
    api.deploy("dev")
    r = requests.get(lab.stage_url(api.id, "dev") + "/slow")
    assert (r.status_code, r.json()) == (504, {"message": "Endpoint request timed out"})


def test_slow_lambda_past_timeout_answers_504(lab):
    fn = lab.lambda_function("sleepy", "import time\ndef handler(e, c):\n    time.sleep(1)\n    return {}\n",
                             timeout=10)
    api = api_with(lab)
    api.resource("/sleep").method("GET").lambda_proxy(fn, timeout_ms=100)
    api.deploy("dev")
    assert requests.get(lab.stage_url(api.id, "dev") + "/sleep").status_code == 504


def test_virtual_clock_simulates_latency_against_the_29_second_default(lab):
    api = api_with(lab)
    api.resource("/report").method("GET").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/report"
    fast = lab.gateway(clock=VirtualClock(), backend_latency=28.9)
    slow = lab.gateway(clock=VirtualClock(), backend_latency=29.5)
    assert fast.invoke("GET", url).status_code == 200
    assert fast.invoke("GET", url).latency == pytest.approx(28.9)
    assert slow.invoke("GET", url).status_code == 504


def test_execution_log_answers_in_and_equality_before_it_is_iterated(lab):
    # The log is formatted lazily: `line in response.execution_log` must see the lines all the same.
    api = api_with(lab)
    api.resource("/pets").method("GET").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/pets"
    gw = lab.gateway()
    assert "Method completed with status: 200" in gw.invoke("GET", url).execution_log
    assert gw.invoke("GET", url).execution_log.count("Method completed with status: 200") == 1
    first, second = gw.invoke("GET", url).execution_log, gw.invoke("GET", url).execution_log
    assert first != second, "each request logs its own request id"
    # Two gateways seeded alike on the same clock log the same lines.
    same = [lab.gateway(clock=VirtualClock(start=1_700_000_000), seed=7).invoke("GET", url) for _ in range(2)]
    assert same[0].execution_log == list(same[1].execution_log)


# --- test_invoke_method ---------------------------------------------------------------------------

def test_test_invoke_method_runs_the_undeployed_api_with_an_execution_log(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_TestInvokeMethod.html
    api = api_with(lab)
    res = api.resource("/pets/{id}")
    res.method("GET").mock(body='{"id": "$input.params(\'id\')"}')
    result = lab.client("apigateway").test_invoke_method(restApiId=api.id, resourceId=res.id, httpMethod="GET",
                                                         pathWithQueryString="/pets/9")
    assert result["status"] == 200
    assert json.loads(result["body"]) == {"id": "9"}
    assert "Method completed with status: 200" in result["log"]
    assert result["log"].startswith("Execution log for request ")


@pytest.mark.parametrize("behavior, status", [("WHEN_NO_MATCH", 200), ("WHEN_NO_TEMPLATES", 415), ("NEVER", 415)])
def test_passthrough_behavior_for_an_unmapped_content_type(lab, echo, behavior, status):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
    api = api_with(lab)
    api.resource("/in").method("POST").http(echo.url + "/in", http_method="POST", passthrough_behavior=behavior,
                                             request_templates={"application/json": '{"wrapped": $input.json(\'$\')}'})
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/in", data="a,b", headers={"Content-Type": "text/csv"})
    assert r.status_code == status
    if status == 415:
        assert r.json() == {"message": "Unsupported Media Type"}
    else:
        assert r.json()["body"] == "a,b"  # passed through untransformed


def test_a_function_made_with_plain_boto3_runs_behind_the_api(lab):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def main(event, context):\n    return {'statusCode': 200, 'body': 'plain'}\n")
    lab.client("iam").create_role(RoleName="plain-role", AssumeRolePolicyDocument="{}")
    arn = lab.client("lambda").create_function(FunctionName="plain", Runtime="python3.11", Handler="app.main",
                                               Role="arn:aws:iam::123456789012:role/plain-role",
                                               Code={"ZipFile": buffer.getvalue()})["FunctionArn"]
    api = api_with(lab)
    api.resource("/plain").method("GET").lambda_proxy(arn)
    api.deploy("dev")
    assert requests.get(lab.stage_url(api.id, "dev") + "/plain").text == "plain"


def test_a_functions_environment_is_its_own(lab):
    import os

    lab.lambda_function("env-a", "import os\ndef handler(e, c):\n    return {'statusCode': 200, 'body': os.environ.get('COLOR', '-')}\n",
                        environment={"COLOR": "blue"})
    lab.lambda_function("env-b", "import os\ndef handler(e, c):\n    return {'statusCode': 200, 'body': os.environ.get('COLOR', '-')}\n")
    api = api_with(lab)
    for name in ("env-a", "env-b"):
        api.resource(f"/{name}").method("GET").lambda_proxy(f"arn:aws:lambda:us-east-1:123456789012:function:{name}")
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")
    assert requests.get(url + "/env-a").text == "blue"
    assert requests.get(url + "/env-b").text == "-", "env-b must not see env-a's variables"
    assert "COLOR" not in os.environ
