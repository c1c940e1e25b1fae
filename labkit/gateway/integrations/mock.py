"""MOCK: API Gateway answers itself; the request template's `statusCode` chooses the integration response.
https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from ..http import Headers, Response
from ..pipeline import Call
from ..responses import GatewayError
from .integration_response import integration_response
from .payloads import integration_body
from .timeouts import simulate_latency, timeout_error


class Mock:
    """A MOCK integration's status comes from its request template's `statusCode` (200 without one).

    On the virtual clock a MOCK stands in for a backend, so it takes `backend_latency` too: drawn
    first, and past the timeout the template is not read (the integration phase answers 504)."""

    def integration_request(self, call: Call, integration: dict[str, Any]) -> int | None:
        """The status the request template names; None when the simulated backend is past its timeout."""
        if simulate_latency(call, integration):
            return None
        return mock_status(integration_body(call, integration).decode("utf-8", "replace"))

    def backend(self, call: Call, integration: dict[str, Any], status: int | None) -> int:
        """No backend: the status the template chose (or the timeout the simulated latency reached)."""
        if status is None:
            raise timeout_error()
        # No endpoint, so no "Endpoint response ..." log line (test_apigateway_api.snapshot.json::
        # tests/aws/services/apigateway/test_apigateway_api.py::TestApigatewayTestInvoke::test_invoke_test_method).
        return status

    def integration_response(self, call: Call, integration: dict[str, Any], status: int) -> Response:
        """The integration response chosen by that status, with an empty backend body."""
        return integration_response(call, integration, status=status, headers=Headers(), body="")


@lru_cache(maxsize=256)
def mock_status(mapped: str) -> int:
    """`statusCode` of a MOCK's rendered request template (200 when the template is empty)."""
    if not mapped.strip():
        return 200
    try:
        return int(json.loads(mapped).get("statusCode", 200))
    except ValueError:
        # Not strict JSON (`{statusCode: 200}`, as CDK writes it): AWS reads it all the same.
        # test_apigateway_integrations.snapshot.json::tests/aws/services/apigateway/
        # test_apigateway_integrations.py::test_integration_mock_with_path_param
        loose = _LOOSE_STATUS.search(mapped)
        if loose:
            return int(loose.group(1))
        error: Exception = ValueError(mapped)
    except (AttributeError, TypeError) as exc:
        error = exc
    raise GatewayError("API_CONFIGURATION_ERROR",
                       log="Execution failed due to configuration error: "
                       "Unable to parse statusCode. It should be an integer that is defined in the "
                       "request template.") from error


_LOOSE_STATUS = re.compile(r"""^\s*\{.*?["']?statusCode["']?\s*:\s*["']?(\d+)""", re.S)
