"""`$context.requestOverride` set in a request template reaches the integration request: the header
(recorded with EventBridge) and, per AWS's documentation, the query string and path parameters of an
HTTP integration, written over the integration's request parameters.

Sources: test_apigateway_eventbridge.snapshot.json::tests/aws/services/apigateway/
test_apigateway_eventbridge.py::test_apigateway_to_eventbridge (X-Amz-Target set by override, the call
succeeds as PutEvents); https://docs.aws.amazon.com/apigateway/latest/developerguide/
apigateway-override-request-response-parameters.html ("Override parameters after standard API Gateway
mappings have been applied"; requestOverride.header, .querystring, .path).
"""

from __future__ import annotations

import pytest

import json

from labkit.apis import RestApi
from recorded import role_arn

pytestmark = pytest.mark.backend_neutral  # also on LocalStack's control plane (make test-localstack)

TEMPLATE = """#set($context.requestOverride.header.X-Custom-Header = "from-template")
#set($context.requestOverride.header.X-Mapped = "overridden")
#set($context.requestOverride.querystring.color = "blue")
#set($context.requestOverride.path.petId = "42")
{"sent": true}"""


def test_request_override_reaches_an_http_integration(lab, echo):
    """Doc (requestOverride.header/.querystring/.path): the backend sees the header, query string and
    path parameter the template set, over the values `requestParameters` mapped."""
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-override", endpoint_type="REGIONAL")
    resource = api.resource("/pets/{petId}")
    client.put_method(restApiId=api.id, resourceId=resource.id, httpMethod="POST", authorizationType="NONE",
                      requestParameters={"method.request.path.petId": True})
    client.put_integration(restApiId=api.id, resourceId=resource.id, httpMethod="POST", type="HTTP",
                           integrationHttpMethod="POST", uri=echo.url + "/pets/{petId}",
                           requestParameters={"integration.request.path.petId": "method.request.path.petId",
                                              "integration.request.header.X-Mapped": "'mapped'",
                                              "integration.request.querystring.color": "'red'"},
                           requestTemplates={"application/json": TEMPLATE})
    client.put_method_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST", statusCode="200")
    client.put_integration_response(restApiId=api.id, resourceId=resource.id, httpMethod="POST",
                                    statusCode="200")
    api.deploy("dev")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/pets/7",
                             {"Content-Type": "application/json"}, json.dumps({"a": 1}))
    assert r.status_code == 200
    seen = r.json()
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["x-custom-header"] == "from-template"
    assert headers["x-mapped"] == "overridden"
    assert seen["query"] == {"color": ["blue"]}
    assert seen["path"] == "/pets/42"
    assert json.loads(seen["body"]) == {"sent": True}


def test_request_override_header_chooses_the_service_operation(lab):
    """test_apigateway_to_eventbridge: `X-Amz-Target` set only by `$context.requestOverride.header`
    (no request parameters) makes an `events:action/PutEvents` call answer 200 with one EventId."""
    client = lab.client("apigateway")
    api = RestApi.create(client, "rec-override-eb", endpoint_type="REGIONAL")
    root = api.resource("/")
    client.put_method(restApiId=api.id, resourceId=root.id, httpMethod="POST", authorizationType="NONE")
    client.put_integration(restApiId=api.id, resourceId=root.id, httpMethod="POST", type="AWS",
                           integrationHttpMethod="POST", uri=f"arn:aws:apigateway:{lab.region}:events:action/PutEvents",
                           credentials=role_arn(lab.account_id, "eb"),
                           requestTemplates={"application/json": (
                               '#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")\n'
                               '{"Entries": [{"Detail": "{}", "DetailType": "Test", "Source": "order"}]}')})
    client.put_method_response(restApiId=api.id, resourceId=root.id, httpMethod="POST", statusCode="200")
    client.put_integration_response(restApiId=api.id, resourceId=root.id, httpMethod="POST", statusCode="200")
    api.deploy("dev")
    r = lab.gateway().invoke("POST", lab.stage_url(api.id, "dev") + "/", {"Content-Type": "application/json"}, "{}")
    assert r.status_code == 200
    assert r.json()["FailedEntryCount"] == 0 and len(r.json()["Entries"]) == 1
