"""SQS behind type AWS integrations, as AWS recorded them: the query protocol (form body), message
attributes, the service's answer read by a response template or returned as XML, and the JSON protocol.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/test_apigateway_sqs.*`
(each test names its key).
"""

from __future__ import annotations

import hashlib
import json
import re

from labkit.apis import RestApi
from recorded import role_arn

SNAP = "test_apigateway_sqs.snapshot.json::tests/aws/services/apigateway/test_apigateway_sqs.py"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FORM = {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}


def _sqs_api(lab, name, path, queue, parameters, template, response_templates=None, extra_status=None):
    """POST `path` -> `sqs:path/{account}/{queue}` as the recorded tests build it (passthrough NEVER)."""
    client = lab.client("apigateway")
    api = RestApi.create(client, name, endpoint_type="REGIONAL")
    resource = api.resource(path)
    client.put_method(restApiId=api.id, resourceId=resource.id, httpMethod="POST", authorizationType="NONE")
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod="POST", type="AWS",
                           integrationHttpMethod="POST", credentials=role_arn(lab.account_id, "apigw-sqs"),
                           uri=f"arn:aws:apigateway:{lab.region}:sqs:path/{lab.account_id}/{queue}",
                           requestParameters=parameters, requestTemplates={"application/json": template},
                           passthroughBehavior="NEVER")
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST", statusCode="200",
                               responseModels={"application/json": "Empty"})
    kwargs = {"responseTemplates": response_templates} if response_templates else {}
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST",
                                    statusCode="200", **kwargs)
    return api, resource


def _messages(lab, queue_url, expected):
    sqs = lab.client("sqs")
    found = []
    for _ in range(expected + 2):
        found += sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                     MessageAttributeNames=["All"]).get("Messages", [])
        if len(found) >= expected:
            break
    return found


def test_sqs_send_message_with_and_without_payload(lab):
    """SNAP::test_sqs_aws_integration: `Action=SendMessage&MessageBody=$input.body` answers 200 with the
    response template; the queue gets `{"foo": "bar"}`, and `{}` when the request had no body."""
    queue_url = lab.client("sqs").create_queue(QueueName="rec-sqs-basic")["QueueUrl"]
    api, _ = _sqs_api(lab, "rec-sqs-basic", "/sqs", "rec-sqs-basic", FORM,
                      "Action=SendMessage&MessageBody=$input.body",
                      {"application/json": '{"message": "great success!"}'})
    api.deploy("testing")
    url = lab.stage_url(api.id, "testing") + "/sqs"
    gw = lab.gateway()
    with_payload = gw.invoke("POST", url, {"Content-Type": "application/json"}, json.dumps({"foo": "bar"}))
    without_payload = gw.invoke("POST", url, {}, b"")
    for r in (with_payload, without_payload):
        assert r.status_code == 200
        assert r.json() == {"message": "great success!"}
    messages = _messages(lab, queue_url, 2)
    assert [json.loads(m["Body"]) for m in messages] == [{"foo": "bar"}, {}]
    assert [m["MD5OfBody"] for m in messages] == ["94232c5b8fc9272f6f73a1e36eb68fcf",
                                                  "99914b932bd37a50b983c5e7c90ae93b"]
    assert all(UUID.match(m["MessageId"]) for m in messages)


def test_sqs_response_template_reads_the_xml_answer_as_json(lab):
    """SNAP::test_sqs_request_and_response_xml_templates_integration: by default SQS answers API Gateway
    in JSON, so `$input.path('$.SendMessageResponse...')` finds the message id and request id (uuids);
    with `Accept: application/xml` mapped on the integration request and no response template, the
    client gets SQS's XML with MessageId, MD5OfMessageBody and RequestId."""
    lab.client("sqs").create_queue(QueueName="rec-sqs-xml")
    template = """
            #set($responseBody = $input.path('$.SendMessageResponse'))
            #set($requestId = $input.path('$.SendMessageResponse.ResponseMetadata.RequestId'))
            #set($messageId = $responseBody.SendMessageResult.MessageId)
            {
            "requestId": "$requestId",
            "messageId": "$messageId"
            }
            """
    api, resource = _sqs_api(lab, "rec-sqs-xml", "/sqs", "rec-sqs-xml", FORM,
                             "Action=SendMessage&MessageBody=$input.body", {"application/json": template})
    api.deploy("testing")
    url = lab.stage_url(api.id, "testing") + "/sqs"
    r = lab.gateway().invoke("POST", url, {}, b"<xml>Hello World</xml>")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"requestId", "messageId"}
    assert UUID.match(body["requestId"]) and UUID.match(body["messageId"])

    # moto has no UpdateIntegration: the recorded patch (add the Accept header, remove the response
    # template) is made by putting the integration and its response again.
    client = lab.client("apigateway")
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod="POST", type="AWS",
                           integrationHttpMethod="POST", credentials=role_arn(lab.account_id, "apigw-sqs"),
                           uri=f"arn:aws:apigateway:{lab.region}:sqs:path/{lab.account_id}/rec-sqs-xml",
                           requestParameters={**FORM, "integration.request.header.Accept": "'application/xml'"},
                           requestTemplates={"application/json": "Action=SendMessage&MessageBody=$input.body"},
                           passthroughBehavior="NEVER")
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST",
                                    statusCode="200")
    api.deploy("testing")
    xml = lab.gateway().invoke("POST", url, {}, b"<xml>Hello World</xml>")
    assert xml.status_code == 200
    text = xml.body.decode()
    assert re.search(r"<MessageId>[0-9a-f-]{36}</MessageId>", text)
    assert re.search(r"<MD5OfMessageBody>[0-9a-f]{32}</MD5OfMessageBody>", text)
    assert re.search(r"<RequestId>[0-9a-f-]{36}</RequestId>", text)


def _attribute_case(lab, prefix):
    queue = f"rec-sqs-attr-{prefix.lower()}"
    queue_url = lab.client("sqs").create_queue(QueueName=queue)["QueueUrl"]
    template = ("Action=SendMessage&MessageBody=$input.body&"
                f"{prefix}.1.Name=user-agent&"
                f"{prefix}.1.Value.DataType=String&"
                f"{prefix}.1.Value.StringValue=$input.params('HeaderFoo')")
    api, _ = _sqs_api(lab, queue, "/", queue, FORM, template)
    api.deploy("testing")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "testing") + "/",
                             {"Content-Type": "application/json", "HeaderFoo": "BAR-Header"},
                             json.dumps({"foo": "bar"}))
    assert r.status_code == 200
    [message] = _messages(lab, queue_url, 1)
    assert json.loads(message["Body"]) == {"foo": "bar"}
    assert message["MessageAttributes"] == {"user-agent": {"DataType": "String", "StringValue": "BAR-Header"}}


def test_sqs_message_attribute_singular(lab):
    """SNAP::test_sqs_aws_integration_with_message_attribute[MessageAttribute]: the query protocol's
    `MessageAttribute.1.*` fields become the message's attribute `user-agent`."""
    _attribute_case(lab, "MessageAttribute")


def test_sqs_message_attributes_plural(lab):
    """SNAP::test_sqs_aws_integration_with_message_attribute[MessageAttributes]: `MessageAttributes.1.*`
    (plural) is accepted too, with the same message attribute."""
    _attribute_case(lab, "MessageAttributes")


def test_sqs_json_protocol_body_and_context_maps(lab):
    """SNAP::test_sqs_amz_json_protocol: `X-Amz-Target: AmazonSQS.SendMessage` with an
    `application/x-amz-json-1.0` body sends the message; the template's dump of `$context` shows the
    override maps' keys, each nested map printed empty, and no authorizer keys."""
    queue_url = lab.client("sqs").create_queue(QueueName="rec-sqs-json")["QueueUrl"]

    def dump(name):
        return (f'\\"{name}\\": {{#foreach( $key in $context.{name}.keySet() )\\"$key\\": '
                f'\\"$context.{name}.get($key)\\"#if($foreach.hasNext),#end#end}}')

    template = ('{"QueueUrl": "' + queue_url + '", "MessageBody": "{'
                '\\"context\\": {#foreach( $key in $context.keySet() )\\"$key\\": \\"$context.get($key)\\"'
                '#if($foreach.hasNext),#end#end},' + dump("identity") + "," + dump("requestOverride") + ","
                + dump("responseOverride") + ","
                '\\"authorizer_keys\\": {#foreach( $key in $context.authorizer.keySet() )\\"$key\\": '
                '\\"$util.escapeJavaScript($context.authorizer.get($key))\\"#if($foreach.hasNext),#end#end}}"}')
    api, resource = _sqs_api(
        lab, "rec-sqs-json", "/sqs", "rec-sqs-json",
        {"integration.request.header.Content-Type": "'application/x-amz-json-1.0'",
         "integration.request.header.X-Amz-Target": "'AmazonSQS.SendMessage'"},
        template, {"application/json": '{"message": "great success!"}'})
    client = lab.client("apigateway")
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST", statusCode="400",
                               responseModels={"application/json": "Empty"})
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST",
                                    statusCode="400", selectionPattern="400",
                                    responseTemplates={"application/json": '{"message": "failure :("}'})
    api.deploy("testing")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "testing") + "/sqs",
                             {"User-Agent": "python/requests/tests"}, b"")
    assert r.status_code == 200
    assert r.json() == {"message": "great success!"}
    [message] = _messages(lab, queue_url, 1)
    assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()
    body = json.loads(message["Body"])
    context = body["context"]
    assert set(context) == {"resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime",
                            "path", "accountId", "protocol", "requestOverride", "stage", "domainPrefix",
                            "requestTimeEpoch", "requestId", "identity", "domainName", "deploymentId",
                            "responseOverride", "apiId"}
    assert {k: context[k] for k in ("resourcePath", "httpMethod", "path", "protocol", "stage", "apiId",
                                    "domainPrefix", "requestOverride", "identity", "responseOverride")} == {
        "resourcePath": "/sqs", "httpMethod": "POST", "path": "/testing/sqs", "protocol": "HTTP/1.1",
        "stage": "testing", "apiId": api.id, "domainPrefix": api.id, "requestOverride": "", "identity": "",
        "responseOverride": ""}
    assert UUID.match(context["requestId"])
    assert body["identity"]["userAgent"] == "python/requests/tests"
    assert set(body["identity"]) == {"cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller",
                                     "sourceIp", "principalOrgId", "accessKey", "cognitoAuthenticationType",
                                     "cognitoAuthenticationProvider", "userArn", "userAgent", "user"}
    assert body["requestOverride"] == {"path": "", "header": "", "querystring": ""}
    assert body["responseOverride"] == {"header": ""}
    assert body["authorizer_keys"] == {}
