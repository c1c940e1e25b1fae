"""The integrations: MOCK, HTTP, HTTP_PROXY, AWS_PROXY (Lambda) and AWS (Lambda custom, AWS services).

A registry by type (registry.Integrations, one per gateway) runs three phases as AWS's console shows
them (phases.py): integration request, integration, integration response. Proxy integrations hand
the whole request over and return the backend's answer; the others map the request with templates
and parameters and choose an integration response by selectionPattern.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html
"""

from __future__ import annotations

from ..http import Response
from ..pipeline import Call
from .phases import INTEGRATION, INTEGRATION_REQUEST, INTEGRATION_RESPONSE, PHASES, IntegrationHandler
from .proxy import proxy_event, proxy_response
from .registry import TYPES, Integrations

__all__ = ["INTEGRATION", "INTEGRATION_REQUEST", "INTEGRATION_RESPONSE", "PHASES", "TYPES", "IntegrationHandler",
           "Integrations", "integrate", "proxy_event", "proxy_response"]


def integrate(call: Call) -> Response:
    """Run the method's integration on `call` with its gateway's registry (the pipeline's endpoint)."""
    return call.gateway.integrations.integrate(call)
