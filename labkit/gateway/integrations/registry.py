"""The integrations of one gateway: a handler per type, and the three phases run on a call.

Built once per gateway (LocalStack's handler chain keeps its integrations the same way); a handler
given for a type replaces the kit's (a test's counting MOCK, a custom backend).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
"""

from __future__ import annotations

from collections.abc import Mapping

from ..http import Response
from ..pipeline import Call
from ..responses import GatewayError
from .aws import Aws
from .aws_services import AwsService
from .http import HttpBackend, HttpCustom, HttpProxy
from .lambda_ import LambdaCustom, LambdaProxy
from .mock import Mock
from .phases import INTEGRATION, INTEGRATION_REQUEST, INTEGRATION_RESPONSE, IntegrationHandler

TYPES = ("MOCK", "HTTP", "HTTP_PROXY", "AWS_PROXY", "AWS")  # API_Integration.html, `type`


class Integrations:
    """The handler for each integration type, and `integrate(call)`: integration request, integration,
    integration response, with the trace naming the phase a GatewayError left.

    `handlers`: handlers by type that replace the kit's (their owner closes them); `close()` closes
    what this registry made (the HTTP integrations' connection pool)."""

    def __init__(self, handlers: Mapping[str, IntegrationHandler] | None = None) -> None:
        self.http = HttpBackend()
        self.handlers: dict[str, IntegrationHandler] = {
            "MOCK": Mock(),
            "HTTP": HttpCustom(self.http),
            "HTTP_PROXY": HttpProxy(self.http),
            "AWS_PROXY": LambdaProxy(),
            "AWS": Aws(LambdaCustom(), AwsService()),
        }
        self.handlers.update({kind.upper(): handler for kind, handler in (handlers or {}).items()})

    def handler(self, kind: str) -> IntegrationHandler:
        """The handler of integration type `kind`; an unknown type is AWS's 500 API_CONFIGURATION_ERROR."""
        found = self.handlers.get(kind)
        if found is None:
            raise GatewayError("API_CONFIGURATION_ERROR",
                               log=f"Execution failed due to configuration error: unknown integration type {kind!r}")
        return found

    def integrate(self, call: Call) -> Response:
        """The pipeline's endpoint: run the method's integration and build the method response."""
        assert call.route is not None
        phase = INTEGRATION_REQUEST
        try:
            integration = call.route.method.get("methodIntegration")
            if not integration:
                raise GatewayError("API_CONFIGURATION_ERROR", reason="no-integration",
                                   log="Execution failed due to configuration error: "
                                   "No integration defined for method")
            call.log("Method request path: {}", call.route.path_parameters)
            # One value a name, `{queryTest=value}`, as AWS's test-invoke log shows it
            # (test_apigateway_basic.snapshot.json::...::TestAPIGateway::test_apigw_test_invoke_method_api);
            # a repeated name shows its last value (the kit's assumption, as method.request.querystring takes it).
            call.log("Method request query string: {}", dict(call.request.query))
            call.log("Method request headers: {}", call.request.headers)
            call.log("Method request body before transformations: {}", call.request.body)
            handler = self.handler((integration.get("type") or "").upper())
            request = handler.integration_request(call, integration)
            phase = INTEGRATION
            answer = handler.backend(call, integration, request)
            phase = INTEGRATION_RESPONSE
            response = handler.integration_response(call, integration, answer)
        except GatewayError as error:
            if error.step is None:
                error.step = phase  # the phase it left answered (an unexpected exception stays the pipeline's)
            raise
        if not response.headers.get("Content-Type"):
            response.headers["Content-Type"] = "application/json"
        call.log("Successfully completed execution")
        call.log("Method completed with status: {}", response.status_code)
        return response

    def close(self) -> None:
        """Close the HTTP integrations' connections."""
        self.http.close()
