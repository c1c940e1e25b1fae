"""Type AWS: a Lambda function (the custom integration) or another AWS service, told apart by the URI.
https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (type, uri)
"""

from __future__ import annotations

from typing import Any

from ..http import Response
from ..pipeline import Call
from .lambda_ import LAMBDA_URI
from .parameters import with_stage_variables
from .phases import IntegrationHandler

Handed = tuple[IntegrationHandler, Any]  # the handler that took the integration, and what its phase made


class Aws:
    """Type AWS: `lambda:path/.../functions/{arn}/invocations` goes to the Lambda custom integration,
    any other service to the AWS service integration; each phase goes to the one the URI chose."""

    def __init__(self, lambda_custom: IntegrationHandler, service: IntegrationHandler) -> None:
        self.lambda_custom = lambda_custom
        self.service = service

    def integration_request(self, call: Call, integration: dict[str, Any]) -> Handed:
        """The handler the URI chooses, and its integration request."""
        uri = with_stage_variables(integration.get("uri") or "", call)
        handler = self.lambda_custom if LAMBDA_URI.match(uri) else self.service
        return handler, handler.integration_request(call, integration)

    def backend(self, call: Call, integration: dict[str, Any], request: Handed) -> Handed:
        """That handler's backend call."""
        handler, mapped = request
        return handler, handler.backend(call, integration, mapped)

    def integration_response(self, call: Call, integration: dict[str, Any], answer: Handed) -> Response:
        """That handler's integration response."""
        handler, result = answer
        return handler.integration_response(call, integration, result)

