"""The integrations as a registry by type, and the three phases AWS's console shows (integration
request, integration, integration response): the trace names the phase that answered."""

from __future__ import annotations

import pytest

from labkit import VirtualClock
from labkit.apis import RestApi
from labkit.gateway.integrations import PHASES, TYPES, Integrations, integrate
from labkit.gateway.integrations.mock import Mock
from labkit.gateway.responses import GatewayError
from labkit.gateway.trace import STEP_NAMES

GARBAGE = '''
def handler(event, context):
    return "OK, saved!"
'''


def _method(lab, name, path="/thing", http_method="GET"):
    api = RestApi.create(lab.client("apigateway"), name)
    resource = api.resource(path)
    resource.method(http_method)
    return api, {"restApiId": api.id, "resourceId": resource.id, "httpMethod": http_method}


def _deployed(lab, api, path="/thing"):
    api.deploy("dev")
    return lab.stage_url(api.id, "dev") + path


def _integrated(lab, name, http_method="GET", status="200", selection_pattern=None, **integration):
    """A deployed method with `integration`, one method response and one integration response; its URL."""
    api, ids = _method(lab, name, http_method=http_method)
    client = lab.client("apigateway")
    client.put_integration(**ids, **integration)
    client.put_method_response(**ids, statusCode=status)
    extra = {"selectionPattern": selection_pattern} if selection_pattern else {}
    client.put_integration_response(**ids, statusCode=status, **extra)
    return _deployed(lab, api)


def test_the_registry_has_a_handler_for_each_type_and_refuses_an_unknown_one():
    registry = Integrations()
    try:
        assert set(TYPES) == {"MOCK", "HTTP", "HTTP_PROXY", "AWS_PROXY", "AWS"}
        for kind in TYPES:
            handler = registry.handler(kind)
            for phase in ("integration_request", "backend", "integration_response"):
                assert callable(getattr(handler, phase))
        with pytest.raises(GatewayError) as refused:
            registry.handler("SOAP")
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
        assert (refused.value.response_type, refused.value.status) == ("API_CONFIGURATION_ERROR", 500)
        assert "unknown integration type 'SOAP'" in refused.value.log
    finally:
        registry.close()


def test_the_phases_are_steps_of_the_trace():
    assert PHASES == ("integration request", "integration", "integration response")
    assert STEP_NAMES[-3:] == PHASES


def test_a_415_is_the_integration_request(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
    url = _integrated(lab, "never", "POST", type="MOCK", passthroughBehavior="NEVER",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    gw = lab.gateway(clock=VirtualClock())
    refused = gw.invoke("POST", url, headers={"Content-Type": "text/csv"}, body="a,b\n1,2\n")
    assert (refused.status_code, refused.gateway_response) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert refused.trace.answered_by == "integration request"
    ok = gw.invoke("POST", url, headers={"Content-Type": "application/json"}, body="{}")
    assert (ok.status_code, ok.trace.answered_by) == (200, "integration")


def test_an_invalid_endpoint_is_the_integration_request(lab):
    url = _integrated(lab, "nowhere", type="HTTP", integrationHttpMethod="GET",
                      uri="http://${stageVariables.host}/thing")  # no such stage variable: no host
    response = lab.gateway(clock=VirtualClock()).invoke("GET", url)
    assert (response.status_code, response.gateway_response) == (500, "API_CONFIGURATION_ERROR")
    assert (response.trace.answered_by, response.trace.reason) == ("integration request", "invalid-endpoint")


def test_a_timeout_is_the_integration(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (timeoutInMillis)
    url = _integrated(lab, "slow", type="MOCK", timeoutInMillis=1000,
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    response = lab.gateway(clock=VirtualClock(), backend_latency=5.0).invoke("GET", url)
    assert (response.status_code, response.gateway_response) == (504, "INTEGRATION_TIMEOUT")
    assert response.trace.answered_by == "integration"


def test_a_malformed_proxy_output_is_the_integration_response(lab):
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
    api = RestApi.create(lab.client("apigateway"), "garbage")
    api.resource("/thing").method("GET").lambda_proxy(lab.lambda_function("registry-garbage", GARBAGE))
    url = _deployed(lab, api)
    response = lab.gateway(clock=VirtualClock()).invoke("GET", url)
    assert (response.status_code, response.gateway_response) == (502, "API_CONFIGURATION_ERROR")
    assert (response.trace.answered_by, response.trace.reason) == ("integration response", "malformed-proxy-response")


def test_no_matching_integration_response_is_the_integration_response(lab):
    # https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html (selectionPattern)
    url = _integrated(lab, "unmatched", status="500", selection_pattern="5\\d{2}", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    response = lab.gateway(clock=VirtualClock()).invoke("GET", url)
    assert (response.status_code, response.gateway_response) == (500, "API_CONFIGURATION_ERROR")
    assert (response.trace.answered_by, response.trace.reason) == ("integration response", "no-integration-response")
    assert any("No match for output mapping" in line for line in response.execution_log)


class CountingMock(Mock):
    """The kit's MOCK, counting the requests its integration phase sees."""

    def __init__(self) -> None:
        self.calls = 0

    def backend(self, call, integration, status):  # noqa: ANN001, ANN201
        self.calls += 1
        return super().backend(call, integration, status)


def _counted(lab, name, kind="MOCK"):
    """A deployed MOCK method's URL, and a gateway whose `kind` handler is a CountingMock."""
    api = RestApi.create(lab.client("apigateway"), name)
    api.resource("/thing").method("GET").mock(body=f'{{"{name}": true}}')
    counting = CountingMock()
    return _deployed(lab, api), counting, lab.gateway(clock=VirtualClock(), integrations={kind: counting})


def test_a_gateway_takes_a_handler_for_a_type(lab):
    url, counting, gw = _counted(lab, "counted", kind="mock")
    assert gw.integrations.handler("MOCK") is counting
    assert gw.integrations.handler("HTTP") is not None  # the other types keep the kit's handlers
    for _ in range(3):
        response = gw.invoke("GET", url)
        assert (response.status_code, response.json()) == (200, {"counted": True})
    assert counting.calls == 3
    plain = lab.gateway(clock=VirtualClock())
    assert plain.invoke("GET", url).status_code == 200 and counting.calls == 3  # one registry per gateway


def test_integrate_runs_the_calls_gateway_registry(lab):
    """`integrations.integrate(call)` (compiled classes, test-invoke) uses the call's gateway's handlers."""
    url, counting, gw = _counted(lab, "direct")
    request = gw.request_from_url("GET", url, None, b"")
    call = gw.new_call(request)
    snapshot = gw.snapshot(request.api_id, request.stage)
    call.snapshot, call.stage_variables = snapshot, snapshot.variables
    call.route = snapshot.deployment.router.match(request.method, request.path)
    response = integrate(call)
    assert (response.status_code, response.body, counting.calls) == (200, b'{"direct": true}', 1)
