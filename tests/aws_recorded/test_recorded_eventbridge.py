"""EventBridge PutEvents behind a type AWS integration (`events:action/PutEvents`), as AWS recorded it:
the request template sets the target and content type through `$context.requestOverride.header`.

Source: LocalStack's AWS-validated snapshots, `tests/aws/services/apigateway/test_apigateway_eventbridge.*`.
"""

from __future__ import annotations

import pytest

import json
import re

from labkit.apis import RestApi
from recorded import role_arn

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

SNAP = ("test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/"
        "test_apigateway_eventbridge.py::test_apigateway_to_eventbridge")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TEMPLATE = """
              #set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")
              #set($context.requestOverride.header.Content-Type = "application/x-amz-json-1.1")
              #set($inputRoot = $input.path('$'))
              {
                "Entries": [
                  #foreach($elem in $inputRoot.items)
                  {
                    "Detail": "$util.escapeJavaScript($elem.Detail).replaceAll("\\'","'")",
                    "DetailType": "$elem.DetailType",
                    "Source":"$elem.Source"
                  }#if($foreach.hasNext),#end
                  #end
                ]
              }
            """


def test_put_events_through_request_override_headers(lab):
    """SNAP: the template's `#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")`
    makes the call PutEvents; the response template `$input.json('$')` answers EventBridge's result:
    one entry with an EventId (uuid) and FailedEntryCount 0."""
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-eventbridge", endpoint_type="REGIONAL")
    resource = api.resource("/event")
    client.put_method(restApiId=api.id, resourceId=resource.id, httpMethod="POST", authorizationType="NONE",
                      requestParameters={"method.request.header.X-Amz-Target": False,
                                         "method.request.header.Content-Type": False})
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod="POST", integrationHttpMethod="POST",
                           type="AWS", uri=f"arn:aws:apigateway:{lab.region}:events:action/PutEvents",
                           passthroughBehavior="WHEN_NO_TEMPLATES", credentials=role_arn(lab.account_id, "eb"),
                           requestParameters={}, requestTemplates={"application/json": TEMPLATE})
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST", statusCode="200",
                               responseModels={"application/json": "Empty"}, responseParameters={})
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST", statusCode="200",
                                    responseTemplates={"application/json": "#set($inputRoot = $input.json('$'))\n"
                                                                           "$inputRoot"})
    api.deploy("dev")
    payload = {"items": [{"Detail": '{"data":"Order is created"}', "DetailType": "Test", "Source": "order"}]}
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/event",
                             {"Content-Type": "application/json", "Accept": "application/json"}, json.dumps(payload))
    assert r.status_code == 200
    body = r.json()
    assert body["FailedEntryCount"] == 0
    assert len(body["Entries"]) == 1 and set(body["Entries"][0]) == {"EventId"}
    assert UUID.match(body["Entries"][0]["EventId"])
