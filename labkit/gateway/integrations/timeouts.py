"""The integration timeout, and the backend latency simulated on the virtual clock.

https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html (timeoutInMillis)
"""

from __future__ import annotations

from typing import Any

from ..pipeline import Call
from ..responses import GatewayError

DEFAULT_TIMEOUT_MS = 29_000  # https://docs.aws.amazon.com/apigateway/latest/api/API_Integration.html


def timeout_seconds(integration: dict[str, Any]) -> float:
    """The integration's timeoutInMillis, in seconds (29 s by default)."""
    return int(integration.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS) / 1000.0


def timeout_error() -> GatewayError:
    """The backend did not answer within the timeout: 504 INTEGRATION_TIMEOUT."""
    return GatewayError("INTEGRATION_TIMEOUT", log="Execution failed due to a timeout error")


def simulate_latency(call: Call, integration: dict[str, Any]) -> bool:
    """On the virtual clock the backend's latency is simulated (and recorded on the call); True when
    it is past the integration's timeout. On a real clock, False: the backend takes its own time."""
    if not call.gateway.clock.virtual:
        return False
    latency = call.gateway.backend_latency(call)
    call.simulated_latency = latency
    call.integration_latency = latency
    return latency > timeout_seconds(integration)


def simulated_timeout(call: Call, integration: dict[str, Any]) -> None:
    """On the virtual clock the backend's latency is simulated; past the timeout it is a 504."""
    if simulate_latency(call, integration):
        raise timeout_error()
