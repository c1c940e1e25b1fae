"""AWS service integrations (type AWS): SQS, Step Functions and S3 behind REST API methods.

https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
"""

from __future__ import annotations

import json

import requests

from labkit.apis import RestApi
from labkit.gateway import Gateway

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/apigateway-integration"  # not assumed locally (see aws_services.py)


def _api(lab, name: str) -> RestApi:
    return RestApi.create(lab.client("apigateway"), name, endpoint_type="REGIONAL")


def _aws_method(lab, api: RestApi, path: str, verb: str, uri: str, *, integration_method: str = "POST",
                request_parameters: dict[str, str] | None = None, templates: dict[str, str] | None = None,
                passthrough: str = "WHEN_NO_MATCH", responses: dict[str, str | None] | None = None) -> None:
    """put_method + put_integration (type AWS) + method/integration responses {status: selectionPattern}."""
    client = lab.client("apigateway")
    resource = api.resource(path)
    resource.method(verb)
    kwargs = {"requestParameters": request_parameters} if request_parameters else {}
    if templates:
        kwargs["requestTemplates"] = templates
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod=verb, type="AWS",
                           integrationHttpMethod=integration_method, uri=uri, credentials=ROLE,
                           passthroughBehavior=passthrough, **kwargs)
    for status, pattern in (responses or {"200": None}).items():
        client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod=verb, statusCode=status)
        extra = {"selectionPattern": pattern} if pattern else {}
        client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod=verb,
                                        statusCode=status, **extra)


# --- SQS ------------------------------------------------------------------------------------------

def test_sqs_send_message_with_the_query_protocol(lab):
    # https://repost.aws/knowledge-center/api-gateway-rest-api-sqs-errors
    sqs = lab.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    api = _api(lab, "orders")
    _aws_method(lab, api, "/orders", "POST", f"arn:aws:apigateway:{lab.region}:sqs:path/{ACCOUNT}/orders",
                request_parameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
                templates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
                passthrough="NEVER")
    api.deploy("dev")

    order = {"item": "book", "qty": 2, "note": "a&b=c"}
    r = requests.post(lab.stage_url(api.id, "dev") + "/orders", json=order)
    assert r.status_code == 200
    result = r.json()["SendMessageResponse"]["SendMessageResult"]  # SQS's answer, passed through
    messages = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    assert json.loads(messages[0]["Body"]) == order
    assert messages[0]["MessageId"] == result["MessageId"]

    # passthroughBehavior NEVER: a Content-Type with no template is refused with 415.
    refused = requests.post(lab.stage_url(api.id, "dev") + "/orders", data="x", headers={"Content-Type": "text/plain"})
    assert refused.status_code == 415


def test_sqs_send_message_with_the_json_protocol(lab):
    sqs = lab.client("sqs")
    queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
    api = _api(lab, "events")
    _aws_method(lab, api, "/events", "POST", f"arn:aws:apigateway:{lab.region}:sqs:path/{ACCOUNT}/events",
                request_parameters={"integration.request.header.Content-Type": "'application/x-amz-json-1.0'",
                                    "integration.request.header.X-Amz-Target": "'AmazonSQS.SendMessage'"},
                templates={"application/json": '{"QueueUrl": "' + queue_url + '", '
                                               '"MessageBody": "$util.escapeJavaScript($input.body)"}'})
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/events", json={"kind": "signup"})
    assert r.status_code == 200
    assert r.json()["MessageId"]
    assert json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"]) == {"kind": "signup"}


def test_sqs_response_template_reads_the_service_answer(lab):
    lab.client("sqs").create_queue(QueueName="jobs")
    api = _api(lab, "jobs")
    _aws_method(lab, api, "/jobs", "POST", f"arn:aws:apigateway:{lab.region}:sqs:path/{ACCOUNT}/jobs",
                request_parameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
                templates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"})
    client = lab.client("apigateway")
    client.put_integration_response(
        restApiId=api.id, resourceId=api.resource("/jobs").id, httpMethod="POST", statusCode="200",
        responseTemplates={"application/json": '{"id": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}'})
    api.deploy("dev")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/jobs", {"Content-Type": "application/json"}, {})
    assert r.status_code == 200 and len(r.json()["id"]) == 36
    assert any(line.startswith("Endpoint request URI: https://sqs.us-east-1.amazonaws.com/") for line in r.execution_log)


# --- Step Functions --------------------------------------------------------------------------------

def test_step_functions_start_execution(lab):
    # https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-api-gateway.html
    sfn = lab.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="checkout", roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    api = _api(lab, "checkout")
    template = ('{"input": "$util.escapeJavaScript($input.json(\'$\'))", "stateMachineArn": "' + machine + '", '
                '"name": "$input.params(\'name\')"}')
    _aws_method(lab, api, "/checkout", "POST", f"arn:aws:apigateway:{lab.region}:states:action/StartExecution",
                templates={"application/json": template}, responses={"200": None, "400": "4\\d{2}"})
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/checkout"

    r = requests.post(url + "?name=order-1", json={"cart": [1, 2]})
    assert r.status_code == 200
    body = r.json()
    assert body["executionArn"].endswith(":checkout:order-1") and isinstance(body["startDate"], float)
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [e["executionArn"] for e in executions] == [body["executionArn"]]
    assert json.loads(sfn.describe_execution(executionArn=body["executionArn"])["input"]) == {"cart": [1, 2]}

    # The same name with a different input: Step Functions answers 400 ExecutionAlreadyExists,
    # which the selectionPattern maps to the method's 400.
    again = requests.post(url + "?name=order-1", json={"cart": [3]})
    assert again.status_code == 400
    assert again.json()["__type"] == "ExecutionAlreadyExists"


# --- S3 -------------------------------------------------------------------------------------------

def test_s3_put_then_get_round_trips_an_object(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-s3.html
    s3 = lab.client("s3")
    s3.create_bucket(Bucket="lab-files")
    api = _api(lab, "files")
    uri = f"arn:aws:apigateway:{lab.region}:s3:path/lab-files/{{key}}"
    mapping = {"integration.request.path.key": "method.request.path.key"}
    _aws_method(lab, api, "/files/{key}", "PUT", uri, integration_method="PUT", request_parameters=mapping)
    _aws_method(lab, api, "/files/{key}", "GET", uri, integration_method="GET", request_parameters=mapping,
                responses={"200": None, "404": "404"})
    api.deploy("dev")
    url = lab.stage_url(api.id, "dev") + "/files/notes.txt"

    data = "line one\nline two ✓\n".encode()
    put = requests.put(url, data=data, headers={"Content-Type": "text/plain"})
    assert put.status_code == 200
    stored = s3.get_object(Bucket="lab-files", Key="notes.txt")
    assert stored["Body"].read() == data and stored["ContentType"] == "text/plain"

    got = requests.get(url)
    assert got.status_code == 200
    assert got.content == data

    missing = requests.get(lab.stage_url(api.id, "dev") + "/files/nothing.txt")
    assert missing.status_code == 404
    assert b"<Code>NoSuchKey</Code>" in missing.content


# --- DynamoDB (JSON protocol, action URI) ------------------------------------------------------------

def test_dynamodb_put_item_from_a_template(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-dynamodb.html
    ddb = lab.client("dynamodb")
    ddb.create_table(TableName="pets", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    api = _api(lab, "pets")
    template = ('{"TableName": "pets", "Item": {"id": {"S": "$input.params(\'id\')"}, '
                '"name": {"S": "$input.path(\'$.name\')"}}}')
    _aws_method(lab, api, "/pets/{id}", "PUT", f"arn:aws:apigateway:{lab.region}:dynamodb:action/PutItem",
                templates={"application/json": template})
    api.deploy("dev")
    assert requests.put(lab.stage_url(api.id, "dev") + "/pets/7", json={"name": "Rex"}).status_code == 200
    assert ddb.get_item(TableName="pets", Key={"id": {"S": "7"}})["Item"]["name"] == {"S": "Rex"}


# --- configuration errors ---------------------------------------------------------------------------

def test_an_unsupported_service_is_a_configuration_error(lab):
    api = _api(lab, "firehose")
    _aws_method(lab, api, "/records", "POST", f"arn:aws:apigateway:{lab.region}:firehose:action/PutRecord")
    api.deploy("dev")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/records", {}, "{}")
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}
    assert any("does not run AWS service integrations for 'firehose'" in line for line in r.execution_log)


def test_without_backend_clients_an_aws_integration_is_a_configuration_error(lab):
    lab.client("sqs").create_queue(QueueName="orders")
    api = _api(lab, "orders")
    _aws_method(lab, api, "/orders", "POST", f"arn:aws:apigateway:{lab.region}:sqs:path/{ACCOUNT}/orders")
    api.deploy("dev")
    bare = Gateway(lab.gateway().source)
    r = bare.invoke("POST", lab.stage_url(api.id, "dev") + "/orders", {}, "Action=SendMessage&MessageBody=x")
    assert r.status_code == 500
    assert any("client_factory" in line for line in r.execution_log)
