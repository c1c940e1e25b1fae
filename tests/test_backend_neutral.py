"""The same scenarios on every control plane: moto in-process, a moto server the lab starts, and an
external endpoint read through boto3 (a moto server here; LocalStack in `make test-localstack`, which
sets LABKIT_TEST_ENDPOINT_URL and runs only the tests marked `backend_neutral`).

What a learner relies on: a cell that writes and then calls sees its write at once (no sleep), the
account id is the backend's, and AWS's default answers are well-formed whatever the control plane.
"""

from __future__ import annotations

import json
import os
import time

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from labkit import Lab
from labkit.apis import RestApi, enable_cors

pytestmark = pytest.mark.backend_neutral

EXTERNAL = os.environ.get("LABKIT_TEST_ENDPOINT_URL")
BACKENDS = ["external"] if EXTERNAL else ["moto", "moto-server", "external"]
HELLO = "import json\ndef handler(e, c):\n    return {'statusCode': 200, 'body': json.dumps({'hi': e['pathParameters']})}\n"


@pytest.fixture(scope="module")
def endpoint():
    """The external control plane: LocalStack when given, else a moto server of this module's own."""
    if EXTERNAL:
        yield EXTERNAL
        return
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=BACKENDS)
def any_lab(request, endpoint):
    if request.param == "moto":
        lab = Lab(verbose=False)
    elif request.param == "moto-server":
        lab = Lab("server", verbose=False)
    else:
        lab = Lab("server", endpoint_url=endpoint, verbose=False)
    with lab:
        yield lab


def outsider(lab: Lab, service: str):
    """A boto3 client that is not the lab's: its writes reach the gateway only through the poll."""
    if lab.backend == "moto":
        return boto3.client(service, region_name=lab.region)  # inside the lab's mock_aws
    return boto3.client(service, endpoint_url=lab.endpoint_url, region_name=lab.region,
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_deploy_then_call_sees_the_new_deployment_at_once(any_lab, echo):
    lab = any_lab
    fn = lab.lambda_function("hello", HELLO)
    api = RestApi.create(lab.client("apigateway"), "same-everywhere")
    api.resource("/mock").method("GET").mock(body='{"from": "mock", "stage": "$context.stage"}')
    api.resource("/echo/{proxy+}").method("ANY").http_proxy(echo.url + "/{proxy}", http_method="ANY")
    api.resource("/hello/{name}").method("GET").lambda_proxy(fn)
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")

    assert requests.get(url + "/mock").json() == {"from": "mock", "stage": "dev"}
    echoed = requests.post(url + "/echo/a/b?x=1", json={"n": 1}).json()
    assert {k: echoed[k] for k in ("method", "path", "query", "body")} == {
        "method": "POST", "path": "/a/b", "query": {"x": ["1"]}, "body": '{"n": 1}'}
    assert requests.get(url + "/hello/ada").json() == {"hi": {"name": "ada"}}
    # A deployment is a snapshot: a new method answers only once deployed, and then at once.
    api.resource("/later").method("GET").mock()
    assert requests.get(url + "/later").status_code == 403
    api.deploy("dev")
    assert requests.get(url + "/later").status_code == 200


def test_keys_and_usage_plans_created_just_before_a_call_are_seen(any_lab):
    lab = any_lab
    apigw = lab.client("apigateway")
    api = RestApi.create(apigw, "keyed")
    api.resource("/items").method("GET", api_key_required=True).mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/items"
    key = apigw.create_api_key(name="alice", enabled=True, value="alice-key-0123456789abcdef")
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 403  # in no plan yet
    plan = apigw.create_usage_plan(name="free", apiStages=[{"apiId": api.id, "stage": "dev"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 200
    apigw.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 403


def test_a_stage_update_is_seen_by_the_next_request(any_lab):
    lab = any_lab
    api = RestApi.create(lab.client("apigateway"), "variables")
    api.resource("/v").method("GET").mock(body='{"colour": "$stageVariables.colour"}')
    api.deploy("dev", variables={"colour": "blue"})
    url = lab.stage_url(api.id, "dev") + "/v"
    assert requests.get(url).json() == {"colour": "blue"}
    api.set_stage_variables("dev", {"colour": "green"})
    assert requests.get(url).json() == {"colour": "green"}


def test_writes_made_outside_the_lab_are_picked_up_by_the_poll(any_lab):
    lab = any_lab
    api = RestApi.create(lab.client("apigateway"), "shared")
    api.resource("/a").method("GET").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")
    assert requests.get(url + "/a").status_code == 200
    other = RestApi(outsider(lab, "apigateway"), api.id)
    other.resource("/b").method("GET").mock()
    other.deploy("dev")
    deadline = time.monotonic() + 5  # the poll re-reads at least once a second
    while requests.get(url + "/b").status_code != 200:
        assert time.monotonic() < deadline, "a deployment made outside the lab was not seen within 5 s"
        time.sleep(0.2)


def test_the_account_id_is_the_backends(any_lab):
    account = any_lab.client("sts").get_caller_identity()["Account"]
    assert any_lab.account_id == account
    if EXTERNAL:
        assert account == "000000000000"  # LocalStack's; moto's is 123456789012


def test_an_sqs_integration_reaches_the_queue_of_the_backends_account(any_lab):
    lab = any_lab
    apigw = lab.client("apigateway")
    sqs = lab.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    api = RestApi.create(apigw, "to-sqs")
    resource = api.resource("/orders")
    resource.method("POST")
    ids = {"restApiId": api.id, "resourceId": resource.id, "httpMethod": "POST"}
    apigw.put_integration(
        **ids, type="AWS", integrationHttpMethod="POST", credentials=f"arn:aws:iam::{lab.account_id}:role/apigw-sqs",
        uri=f"arn:aws:apigateway:{lab.region}:sqs:path/{lab.account_id}/orders",
        requestParameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        requestTemplates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
        passthroughBehavior="NEVER")
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(**ids, statusCode="200")
    api.deploy("dev")
    answer = requests.post(lab.stage_url(api.id, "dev") + "/orders", json={"item": "book"})
    assert answer.status_code == 200, answer.text
    messages = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"item": "book"}


def test_default_gateway_responses_are_json_on_every_control_plane(any_lab):
    # AWS's default template is {"message":$context.error.messageString}
    # (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html);
    # LocalStack returns it from GetGatewayResponses, moto does not: both must render valid JSON.
    lab = any_lab
    api = RestApi.create(lab.client("apigateway"), "defaults")
    api.resource("/a").method("GET").mock()
    api.deploy("dev")
    answer = requests.get(lab.stage_url(api.id, "dev") + "/nowhere")
    assert answer.status_code == 403
    assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert answer.json() == {"message": "Missing Authentication Token"}


def test_a_resource_policy_deny_is_enforced_on_every_control_plane(any_lab):
    lab = any_lab
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/admin"}]}
    api = RestApi.create(lab.client("apigateway"), "guarded", policy=policy)
    api.resource("/admin").method("GET").mock()
    api.resource("/open").method("GET").mock()
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev")
    assert requests.get(url + "/open").status_code == 200
    denied = requests.get(url + "/admin")
    assert denied.status_code == 403
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    # AWS's body for a policy deny, even though GetGatewayResponses lists ACCESS_DENIED's default template
    # as {"message":$context.error.messageString} (LocalStack returns it too, marked defaultResponse).
    assert denied.json() == {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke on "
                                        f"resource: arn:aws:execute-api:{lab.region}:{lab.account_id}:{api.id}/dev/GET/admin "
                                        "with an explicit deny"}


def test_a_builder_cell_runs_twice(any_lab):
    # A re-run cell: AWS refuses a second CreateFunction of the same name (ResourceConflictException), so
    # lab.lambda_function updates the function; the gateway then runs the new code.
    # AWS also refuses a second PutMethod (409 "Method already exists for this resource"): the builder
    # redefines the method, so the second run's settings (no API key) hold.
    lab = any_lab
    api = RestApi.create(lab.client("apigateway"), "twice")
    for answer, key_required in (("first", True), ("second", False)):
        fn = lab.lambda_function("twice", "def handler(e, c):\n    return {'statusCode': 200, 'body': %r}\n" % answer)
        api.resource("/t").method("GET", api_key_required=key_required).lambda_proxy(fn)
        enable_cors(api.resource("/t"))
        api.deploy("dev")
    answer = requests.get(lab.stage_url(api.id, "dev") + "/t")
    assert (answer.status_code, answer.text) == (200, "second")
    assert lab.client("lambda").get_function(FunctionName="twice")["Configuration"]["Handler"] == "index.handler"


def test_reserved_concurrency_zero_throttles_on_every_control_plane(any_lab):
    # https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: 0 stops every invocation;
    # a Lambda 429 is API Gateway's 500: https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
    api = RestApi.create(any_lab.client("apigateway"), "reserved", endpoint_type="REGIONAL")
    api.resource("/go").method("GET").lambda_proxy(any_lab.lambda_function("reserved", HELLO))
    api.deploy("dev")
    url = any_lab.stage_url(api.id, "dev") + "/go"
    any_lab.client("lambda").put_function_concurrency(FunctionName="reserved", ReservedConcurrentExecutions=0)
    assert requests.get(url).status_code == 500
    any_lab.client("lambda").delete_function_concurrency(FunctionName="reserved")
    assert requests.get(url).status_code == 200
