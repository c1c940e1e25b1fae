"""Private integrations (connectionType VPC_LINK): the kit's gateway sends the request to the integration's uri.

On AWS the request goes through the VPC link to its load balancer, and the uri sets the request's Host header
and path (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-api-with-vpclink-using-swagger.html).
Where the kit simplifies: no load balancer and no VPC; the link's status and targets are not checked.
"""

from __future__ import annotations

import json

import requests

from labkit.apis import RestApi

NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/pets-nlb/1f8df693cd094a72"


def _private_method(lab, path, verb, uri, *, kind="HTTP_PROXY", connection_id, templates=None):
    """An API with `verb path` integrated through a VPC link: (api, integration as GetIntegration answers it)."""
    client = lab.client("apigateway")
    api = RestApi.create(client, "private", endpoint_type="REGIONAL")
    resource = api.resource(path)
    resource.method(verb)
    ids = {"restApiId": api.id, "resourceId": resource.id, "httpMethod": verb}
    more = {"requestTemplates": templates} if templates else {}
    client.put_integration(**ids, type=kind, integrationHttpMethod=verb, uri=uri,
                           connectionType="VPC_LINK", connectionId=connection_id, **more)
    if kind == "HTTP":
        client.put_method_response(**ids, statusCode="200")
        client.put_integration_response(**ids, statusCode="200")
    return api, client.get_integration(**ids)


def _link(lab):
    return lab.client("apigateway").create_vpc_link(name="pets-link", targetArns=[NLB_ARN])["id"]


def test_http_proxy_through_a_vpc_link_reaches_the_uri(lab, echo):
    api, integration = _private_method(lab, "/pets/{id}", "POST", echo.url + "/pets/{id}", connection_id=_link(lab))
    assert (integration["connectionType"], integration["uri"]) == ("VPC_LINK", echo.url + "/pets/{id}")
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/pets/7?full=1", json={"name": "Rex"})
    assert r.status_code == 200 and r.headers["X-Backend"] == "echo"
    seen = r.json()
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/pets/7", {"full": ["1"]})
    assert json.loads(seen["body"]) == {"name": "Rex"}


def test_http_through_a_vpc_link_maps_the_request(lab, echo):
    """A non-proxy HTTP integration may use a VPC link too (connectionType is on any HTTP integration)."""
    api, _ = _private_method(lab, "/greet", "POST", echo.url + "/hello", kind="HTTP", connection_id=_link(lab),
                             templates={"application/json": '{"who": "$input.path(\'$.name\')"}'})
    api.deploy("dev")
    r = requests.post(lab.stage_url(api.id, "dev") + "/greet", json={"name": "Ada"})
    assert r.status_code == 200
    assert r.json()["path"] == "/hello" and json.loads(r.json()["body"]) == {"who": "Ada"}


def test_a_stage_variable_may_name_the_vpc_link(lab, echo):
    """connectionId "${stageVariables.vpcLinkId}" (set-up-private-integration.html): the stage says which link."""
    api, _ = _private_method(lab, "/pets", "GET", echo.url + "/pets", connection_id="${stageVariables.vpcLinkId}")
    api.deploy("dev", variables={"vpcLinkId": _link(lab)})
    assert requests.get(lab.stage_url(api.id, "dev") + "/pets").json()["path"] == "/pets"


def test_the_execution_log_shows_the_uri_it_sent_to(lab, echo):
    api, _ = _private_method(lab, "/pets", "GET", echo.url + "/pets", connection_id=_link(lab))
    api.deploy("dev")
    answer = lab.gateway().invoke("GET", lab.stage_url(api.id, "dev") + "/pets", {}, None)
    assert answer.status_code == 200
    assert f"Sending request to {echo.url}/pets" in answer.execution_log
