"""The three phases of an integration as AWS's console shows them, and what a handler of one type provides.

"integration request" maps the method request (parameters, templates, passthrough or 415, the
endpoint URI); "integration" calls the backend (timeouts, network errors, function errors);
"integration response" selects and maps the response, or validates a proxy's output. Each phase
hands what it made to the next; the trace names the phase a GatewayError left.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..http import Response
from ..pipeline import Call

INTEGRATION_REQUEST = "integration request"
INTEGRATION = "integration"
INTEGRATION_RESPONSE = "integration response"
PHASES = (INTEGRATION_REQUEST, INTEGRATION, INTEGRATION_RESPONSE)  # trace.STEP_NAMES spells them the same


class IntegrationHandler(Protocol):
    """One integration type (MOCK, HTTP, HTTP_PROXY, AWS_PROXY, AWS): its three phases, in order, each
    taking what the one before returned. A phase refuses by raising the GatewayError AWS documents."""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> Any:
        """Map the method request into what the backend receives."""
        ...

    def backend(self, call: Call, integration: dict[str, Any], request: Any) -> Any:
        """Call the backend with the mapped request; return its answer."""
        ...

    def integration_response(self, call: Call, integration: dict[str, Any], answer: Any) -> Response:
        """Turn the backend's answer into the method response."""
        ...
